import fs from 'node:fs';
import { QueryTypes, type Options, type Sequelize } from 'sequelize';
import { openDb, sqliteFile, uniqueTable, type Backend } from './backends';
import type { BackendContext } from './stores';

/** A database of its own: a new database on the server (a new file for SQLite), dropped afterwards. */
interface FreshDatabase {
  /** Connects to it as the backend's admin user. */
  open(extra?: Options): Sequelize;
  /** The URL of the database, for child processes (`sqlite:<file>` for SQLite). */
  readonly url: string;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function freshDatabase(backend: Backend, admin: Sequelize): Promise<FreshDatabase> {
  if (backend.name === 'sqlite') {
    const storage = sqliteFile();
    return {
      url: `sqlite:${storage}`,
      open: (extra = {}) => openDb(backend, { ...extra, storage }),
      drop: async () => {
        for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(storage + suffix, { force: true });
      },
    };
  }
  const name = uniqueTable('sssdb').toLowerCase();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = withDatabase(backend.url, name);
  return {
    url,
    open: (extra = {}) => openDb({ ...backend, url }, extra),
    drop: async () => {
      await admin.query(backend.name === 'postgres' ? `DROP DATABASE ${name} WITH (FORCE)` : `DROP DATABASE ${name}`);
    },
  };
}

/**
 * A database of its own for one describe block, for tests that need the default table names, which
 * the shared `test` database must not get: created before its tests, dropped when the file ends.
 */
export function useFreshDatabase(
  backend: Backend,
  ctx: BackendContext,
): { readonly db: Sequelize; readonly url: string } {
  let fresh: FreshDatabase | undefined;
  let db: Sequelize | undefined;
  beforeAll(async () => {
    const made = await freshDatabase(backend, ctx.db);
    fresh = made;
    ctx.atEnd(() => made.drop());
    const opened = made.open();
    db = opened;
    ctx.atEnd(() => opened.close());
  });
  return {
    get db(): Sequelize {
      if (!db) throw new Error('the fresh database is made in beforeAll');
      return db;
    },
    get url(): string {
      if (!fresh) throw new Error('the fresh database is made in beforeAll');
      return fresh.url;
    },
  };
}

/** A login with only the privileges granted to it, dropped afterwards. */
export interface Account {
  /** The user or role name. */
  readonly name: string;
  /** The URL to connect as the account, to the backend's database. */
  readonly url: string;
  /** Grants privileges such as 'SELECT, INSERT' on one table. */
  grantTable(privileges: string, table: string): Promise<void>;
  /** Grants EXECUTE on one stored procedure (MariaDB). */
  grantExecute(procedure: string): Promise<void>;
  drop(): Promise<void>;
}

/** A MariaDB user or a PostgreSQL role holding nothing until granted. */
export async function restrictedAccount(backend: Backend, admin: Sequelize): Promise<Account> {
  const name = uniqueTable('sssuser').toLowerCase();
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const parsed = new URL(backend.url);
  parsed.username = name;
  parsed.password = password;
  if (backend.name === 'mariadb') {
    const database = parsed.pathname.slice(1);
    const user = `'${name}'@'%'`;
    await admin.query(`CREATE USER ${user} IDENTIFIED BY '${password}'`);
    return {
      name,
      url: parsed.toString(),
      grantTable: async (privileges, table) => {
        await admin.query(`GRANT ${privileges} ON \`${database}\`.\`${table}\` TO ${user}`);
      },
      grantExecute: async (procedure) => {
        await admin.query(`GRANT EXECUTE ON PROCEDURE \`${database}\`.\`${procedure}\` TO ${user}`);
      },
      drop: async () => {
        await admin.query(`DROP USER ${user}`);
      },
    };
  }
  if (backend.name !== 'postgres') throw new Error(`no accounts on ${backend.name}`);
  await admin.query(`CREATE ROLE ${name} LOGIN PASSWORD '${password}'`);
  return {
    name,
    url: parsed.toString(),
    grantTable: async (privileges, table) => {
      await admin.query(`GRANT ${privileges} ON "${table}" TO ${name}`);
    },
    grantExecute: () => Promise.reject(new Error('no stored procedures on PostgreSQL')),
    drop: async () => {
      await admin.query(`DROP OWNED BY ${name}`);
      await admin.query(`DROP ROLE ${name}`);
    },
  };
}

/** The statements of a SQL script as the `sql` command writes it: comments dropped, split at `;` line ends. */
export function statementsOf(script: string): string[] {
  return script
    .split('\n')
    .filter((line) => !line.startsWith('--'))
    .join('\n')
    .split(/;\s*$/m)
    .map((statement) => statement.trim())
    .filter(Boolean);
}

/** The SQL statements a Sequelize instance logs, captured by its `logging` option. */
export function statementLog(): { logging: (sql: string) => void; readonly lines: string[]; clear(): void } {
  const lines: string[] = [];
  return {
    logging: (sql: string) => {
      lines.push(sql);
    },
    lines,
    clear: () => {
      lines.length = 0;
    },
  };
}

/**
 * Column types as the database reports them, in lower case, e.g. `varchar(255) binary` (a binary
 * collation on MariaDB), `longtext`, `character varying(36)`, `jsonb`.
 */
export async function columnTypes(db: Sequelize, table: string): Promise<Record<string, string>> {
  const select = async <T extends object>(sql: string): Promise<T[]> =>
    db.query<T>(sql, { replacements: [table], type: QueryTypes.SELECT });
  switch (db.getDialect()) {
    case 'mysql': {
      const rows = await select<{ name: string; type: string; collation: string | null }>(
        `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, COLLATION_NAME AS collation
           FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`,
      );
      return Object.fromEntries(
        rows.map((r) => [r.name, `${r.type.toLowerCase()}${r.collation?.endsWith('_bin') ? ' binary' : ''}`]),
      );
    }
    case 'postgres': {
      const rows = await select<{ name: string; type: string }>(
        `SELECT column_name AS name, data_type || coalesce('(' || character_maximum_length || ')', '') AS type
           FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?`,
      );
      return Object.fromEntries(rows.map((r) => [r.name, r.type.toLowerCase()]));
    }
    default: {
      const rows = await db.query<{ name: string; type: string }>(`PRAGMA table_info(\`${table}\`)`, {
        type: QueryTypes.SELECT,
      });
      return Object.fromEntries(rows.map((r) => [r.name, r.type.toLowerCase()]));
    }
  }
}

/** The first column of each index of a table. */
export async function indexedColumns(db: Sequelize, table: string): Promise<string[]> {
  const indexes = (await db.getQueryInterface().showIndex(table)) as { fields?: { attribute?: string }[] }[];
  return indexes.map((index) => index.fields?.[0]?.attribute ?? '');
}

/** Whether a table exists. */
export function tableExists(db: Sequelize, table: string): Promise<boolean> {
  return db.getQueryInterface().tableExists(table);
}
