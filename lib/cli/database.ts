import { existsSync } from 'node:fs';
import { Sequelize } from 'sequelize';
import { sqliteStorageOf } from '../driver/internals';
import { UsageError } from './command';

/** Sequelize's words for a driver that is not installed; we say which command installs it. */
const MISSING_DRIVER = /^Please install (\S+) package manually/;

function open(build: () => Sequelize): Sequelize {
  try {
    return build();
  } catch (error) {
    const driver = MISSING_DRIVER.exec((error as Error).message)?.[1];
    if (driver) throw new Error(`install the ${driver} package: npm install ${driver}`, { cause: error });
    throw error;
  }
}

/**
 * Opens the database a command works on. `--url` takes what Sequelize takes:
 * mysql://user:pass@host:3306/db, mariadb://…, postgres://…, or sqlite:path/to/file.sqlite.
 */
export function openDatabase(url: string | true | undefined): Sequelize {
  if (typeof url !== 'string') throw new UsageError('--url is required');
  const sqlite = /^sqlite:(?:\/\/)?(.+)$/.exec(url);
  if (sqlite) return open(() => new Sequelize({ dialect: 'sqlite', storage: sqlite[1], logging: false }));
  if (!/^[a-z0-9]+:\/\//i.test(url)) throw new UsageError(`--url ${JSON.stringify(url)} is not a database URL`);
  return open(() => new Sequelize(url, { logging: false }));
}

/**
 * Refuses a SQLite file that does not exist: SQLite would create it, and a typo in the path
 * would look like success on an empty database.
 */
export function requireSqliteFile(db: Sequelize, hint = ''): void {
  if (db.getDialect() !== 'sqlite') return;
  const file = sqliteStorageOf(db) ?? '';
  if (!existsSync(file)) throw new Error(`no SQLite database at ${file}${hint}`);
}

/** `--schema`: a PostgreSQL schema, or another database on MySQL/MariaDB; SQLite has neither. */
export function schemaFlag(value: string | true | undefined, db: Sequelize): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (db.getDialect() === 'sqlite') throw new UsageError('--schema is for PostgreSQL, MySQL and MariaDB');
  return value;
}
