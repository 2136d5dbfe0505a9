-- The sessions table of sequelize-session-store, for MariaDB. Safe to run again.
-- Written by `sequelize-session-store sql --dialect mariadb`; regenerate it rather than edit it.

CREATE TABLE IF NOT EXISTS `Sessions` (`sid` VARCHAR(255) BINARY NOT NULL , `expires` DATETIME(3), `data` LONGTEXT, `createdAt` DATETIME NOT NULL, `updatedAt` DATETIME NOT NULL, PRIMARY KEY (`sid`), INDEX `Sessions_expires` (`expires`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
