-- The stored procedures of sequelize-session-store's stored-procedure mode, for MariaDB.
-- Run them after the table exists. They run with their definer's rights: the application's user
-- needs only EXECUTE on each of them.
-- Written by `sequelize-session-store sql --dialect mariadb --procedures`; regenerate it rather than edit it.

DROP PROCEDURE IF EXISTS `Sessions_get`;

CREATE PROCEDURE `Sessions_get`(IN `p_sid` VARCHAR(255) BINARY, IN `p_now` DATETIME(3))
  READS SQL DATA SQL SECURITY DEFINER COMMENT 'sequelize-session-store get'
  SELECT `data` AS data, `expires` AS expires FROM `Sessions` WHERE `sid` = `p_sid` AND CAST(`sid` AS BINARY) = CAST(`p_sid` AS BINARY) AND `expires` > `p_now`;

DROP PROCEDURE IF EXISTS `Sessions_set`;

CREATE PROCEDURE `Sessions_set`(IN `p_sid` VARCHAR(255) BINARY, IN `p_data` LONGTEXT, IN `p_expires` DATETIME(3), IN `p_createdAt` DATETIME, IN `p_updatedAt` DATETIME)
  MODIFIES SQL DATA SQL SECURITY DEFINER COMMENT 'sequelize-session-store set'
  INSERT INTO `Sessions` (`sid`, `data`, `expires`, `createdAt`, `updatedAt`) VALUES (`p_sid`, `p_data`, `p_expires`, `p_createdAt`, `p_updatedAt`) ON DUPLICATE KEY UPDATE `data`=IF(CAST(`sid` AS BINARY) = CAST(VALUES(`sid`) AS BINARY), VALUES(`data`), `data`), `expires`=IF(CAST(`sid` AS BINARY) = CAST(VALUES(`sid`) AS BINARY), VALUES(`expires`), `expires`), `updatedAt`=IF(CAST(`sid` AS BINARY) = CAST(VALUES(`sid`) AS BINARY), VALUES(`updatedAt`), `updatedAt`);

DROP PROCEDURE IF EXISTS `Sessions_touch`;

CREATE PROCEDURE `Sessions_touch`(IN `p_expires` DATETIME(3), IN `p_updatedAt` DATETIME, IN `p_sid` VARCHAR(255) BINARY, IN `p_now` DATETIME(3))
  MODIFIES SQL DATA SQL SECURITY DEFINER COMMENT 'sequelize-session-store touch'
  UPDATE `Sessions` SET `expires` = `p_expires`, `updatedAt` = `p_updatedAt` WHERE `sid` = `p_sid` AND CAST(`sid` AS BINARY) = CAST(`p_sid` AS BINARY) AND `expires` > `p_now`;

DROP PROCEDURE IF EXISTS `Sessions_destroy`;

CREATE PROCEDURE `Sessions_destroy`(IN `p_sid` VARCHAR(255) BINARY)
  MODIFIES SQL DATA SQL SECURITY DEFINER COMMENT 'sequelize-session-store destroy'
  DELETE FROM `Sessions` WHERE `sid` = `p_sid` AND CAST(`sid` AS BINARY) = CAST(`p_sid` AS BINARY);

DROP PROCEDURE IF EXISTS `Sessions_prune`;

CREATE PROCEDURE `Sessions_prune`(IN `p_now` DATETIME(3), IN `p_batch` INT)
  MODIFIES SQL DATA SQL SECURITY DEFINER COMMENT 'sequelize-session-store prune'
  DELETE FROM `Sessions` WHERE `expires` < `p_now` ORDER BY `expires` LIMIT `p_batch`;

DROP PROCEDURE IF EXISTS `Sessions_length`;

CREATE PROCEDURE `Sessions_length`(IN `p_now` DATETIME(3))
  READS SQL DATA SQL SECURITY DEFINER COMMENT 'sequelize-session-store length'
  SELECT COUNT(*) AS n FROM `Sessions` WHERE `expires` > `p_now`;

DROP PROCEDURE IF EXISTS `Sessions_all`;

CREATE PROCEDURE `Sessions_all`(IN `p_now` DATETIME(3))
  READS SQL DATA SQL SECURITY DEFINER COMMENT 'sequelize-session-store all'
  SELECT `sid` AS sid, `data` AS data FROM `Sessions` WHERE `expires` > `p_now`;

DROP PROCEDURE IF EXISTS `Sessions_clear`;

CREATE PROCEDURE `Sessions_clear`()
  MODIFIES SQL DATA SQL SECURITY DEFINER COMMENT 'sequelize-session-store clear'
  DELETE FROM `Sessions`;
