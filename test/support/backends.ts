import os from 'node:os';
import path from 'node:path';
import { Sequelize, type Options } from 'sequelize';

export type BackendName = 'sqlite' | 'mariadb' | 'postgres';

export interface Backend {
  name: BackendName;
  /** A connection URL; for SQLite, a folder for database files. */
  url: string;
}

/** The servers the suite expects; URLs can be overridden for a contributor's own servers. */
export const SERVER_BACKENDS: Backend[] = [
  { name: 'mariadb', url: process.env.MARIADB_URL ?? 'mysql://root@127.0.0.1:3306/test' },
  { name: 'postgres', url: process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
];

/** Set by the global setup: a folder of this run's SQLite files, removed when the run ends. */
export const SQLITE_DIR_ENV = 'SSS_TEST_SQLITE_DIR';

const SQLITE: Backend = { name: 'sqlite', url: process.env[SQLITE_DIR_ENV] ?? os.tmpdir() };

/** Set by the global setup: the backends that answered. */
export const AVAILABLE_ENV = 'SSS_TEST_BACKENDS';

export function availableBackends(): Backend[] {
  const names = (process.env[AVAILABLE_ENV] ?? 'sqlite').split(',');
  return [SQLITE, ...SERVER_BACKENDS].filter((b) => names.includes(b.name));
}

let sqliteFiles = 0;

/** A fresh SQLite file name, unique to this process. */
export function sqliteFile(): string {
  sqliteFiles += 1;
  return path.join(SQLITE.url, `sss-test-${process.pid}-${Date.now()}-${sqliteFiles}.sqlite`);
}

/** A new Sequelize instance on the backend; SQLite gets a fresh file unless one is named. */
export function openDb(backend: Backend, extra: Options & { storage?: string } = {}): Sequelize {
  const base: Options = { logging: false, pool: { max: 5 } };
  if (backend.name === 'sqlite') {
    return new Sequelize({ ...base, dialect: 'sqlite', storage: extra.storage ?? sqliteFile(), ...extra });
  }
  return new Sequelize(backend.url, { ...base, ...extra });
}

let tables = 0;

/** A table name no other test uses, so test files can run side by side on one server. */
export function uniqueTable(prefix = 'sess'): string {
  tables += 1;
  return `${prefix}_${process.pid}_${tables}_${Math.random().toString(36).slice(2, 8)}`;
}
