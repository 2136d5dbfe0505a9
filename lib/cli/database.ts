import { Sequelize } from 'sequelize';
import { UsageError } from './command';

/**
 * Opens the database a command works on. `--url` takes what Sequelize takes:
 * mysql://user:pass@host:3306/db, mariadb://…, postgres://…, or sqlite:path/to/file.sqlite.
 */
export function openDatabase(url: string | true | undefined): Sequelize {
  if (typeof url !== 'string') throw new UsageError('--url is required');
  const sqlite = /^sqlite:(?:\/\/)?(.+)$/.exec(url);
  if (sqlite) return new Sequelize({ dialect: 'sqlite', storage: sqlite[1], logging: false });
  if (!/^[a-z0-9]+:\/\//i.test(url)) throw new UsageError(`--url ${JSON.stringify(url)} is not a database URL`);
  return new Sequelize(url, { logging: false });
}

/** `--schema`: PostgreSQL only (Sequelize v6 would read `schema.table` as one table name elsewhere). */
export function schemaFlag(value: string | true | undefined, db: Sequelize): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (db.getDialect() !== 'postgres') throw new UsageError('--schema is for PostgreSQL only');
  return value;
}
