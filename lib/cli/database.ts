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

/** The flags that name the database, and how a command's usage describes them. */
export const URL_FLAGS = { valued: ['url', 'url-env'], booleans: ['url-stdin'] } as const;
export const URL_USAGE = [
  '  --url-env <name>  the database URL is in the environment variable <name>',
  '  --url-stdin       the database URL is the first line of standard input (also: --url -)',
  '  --url <url>       the database URL itself: mysql://user:pass@host:3306/db, mariadb://…,',
  '                    postgres://…, or sqlite:path/to/file.sqlite. Anyone on the machine can read a',
  '                    command line (ps): give a URL with a password through the environment instead',
  '  (none of them)    the database URL is in DATABASE_URL',
].join('\n');

async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stdin) text += String(chunk);
  return text.split(/\r?\n/, 1)[0]!.trim();
}

/**
 * Where the database URL comes from, and the URL: `--url`, `--url-env <name>`, standard input
 * (`--url-stdin`, `--url -`), else DATABASE_URL. Only one of them, so a stray one never wins.
 */
export async function databaseUrl(
  flags: Record<string, string | true>,
  env: NodeJS.ProcessEnv = process.env,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<{ source: string; url: string }> {
  const fromStdin = flags['url-stdin'] === true || flags.url === '-';
  const given = [typeof flags.url === 'string' && flags.url !== '-', flags['url-env'] !== undefined, fromStdin];
  if (given.filter(Boolean).length > 1) throw new UsageError('give one of --url, --url-env and --url-stdin');
  if (fromStdin) {
    const url = await readStdin(stdin);
    if (!url) throw new UsageError('--url-stdin: standard input holds no database URL');
    return { source: 'the URL on standard input', url };
  }
  if (typeof flags.url === 'string') return { source: '--url', url: flags.url };
  const name = typeof flags['url-env'] === 'string' ? flags['url-env'] : 'DATABASE_URL';
  const url = env[name];
  if (url) return { source: `the URL in ${name}`, url };
  throw new UsageError(
    flags['url-env'] === undefined
      ? 'no database URL: set DATABASE_URL, or give --url-env <name>, --url-stdin or --url <url>'
      : `--url-env: the environment variable ${name} is not set`,
  );
}

/**
 * Opens the database a command works on, from the URL `databaseUrl` found: what Sequelize takes,
 * or sqlite:path/to/file.sqlite.
 */
export function openDatabase({ source, url }: { source: string; url: string }): Sequelize {
  const sqlite = /^sqlite:(?:\/\/)?(.+)$/.exec(url);
  if (sqlite) return open(() => new Sequelize({ dialect: 'sqlite', storage: sqlite[1], logging: false }));
  if (!/^[a-z0-9]+:\/\//i.test(url)) throw new UsageError(`${source} ${JSON.stringify(url)} is not a database URL`);
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
