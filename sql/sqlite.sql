-- The sessions table of sequelize-session-store, for SQLite. Safe to run again.
-- Written by `sequelize-session-store sql --dialect sqlite`; regenerate it rather than edit it.

CREATE TABLE IF NOT EXISTS `Sessions` (`sid` VARCHAR(255) NOT NULL PRIMARY KEY, `expires` DATETIME, `data` TEXT, `createdAt` DATETIME NOT NULL, `updatedAt` DATETIME NOT NULL);

CREATE INDEX IF NOT EXISTS `Sessions_expires` ON `Sessions` (`expires`);
