import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueryTypes } from 'sequelize';
import { indexedColumns, tableExists, useFreshDatabase } from '../support/admin';
import { availableBackends } from '../support/backends';
import { build, ROOT, runCli } from '../support/built';
import { sessionData, SequelizeStore, useBackend } from '../support/stores';

beforeAll(build, 120_000);

describe('the command line', () => {
  test('lists migrate and sql; a bad command line is exit code 2 with the usage, an unreachable database exit code 1', async () => {
    const usageErrors: [string[], RegExp][] = [
      [['migrate'], /migrate: no database URL: set DATABASE_URL, .*\n\nUsage: sequelize-session-store migrate /],
      [['migrate', '--url', 'nonsense'], /--url "nonsense" is not a database URL/],
      [['migrate', '--url', 'sqlite:x.sqlite', '--to', '1'], /unknown option --to/],
      [['sql'], /sql: --dialect is required/],
      [['sql', '--dialect', 'oracle'], /unknown dialect "oracle"/],
      [['sql', '--dialect', 'postgres', '--procedures'], /--procedures needs --dialect mysql or mariadb/],
      // Issue 18, item 6: a newline would end the script's `--` header comment.
      [['sql', '--dialect', 'mysql', '--table', 'x\nDROP TABLE users; --'], /--table holds a control character/],
      [['migrate', '--url', 'sqlite::memory:', '--ledger', 'ledger\u0001'], /--ledger holds a control character/],
    ];
    // Side by side: each is a process of its own.
    const [help, unreachable, json, ...errors] = await Promise.all([
      runCli(['--help']),
      runCli(['migrate', '--url', 'postgres://postgres@127.0.0.1:1/none']),
      runCli(['sql', '--dialect', 'postgres', '--table', 'web_sessions', '--json']),
      ...usageErrors.map(([args]) => runCli(args)),
    ]);

    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^ {2}migrate +create or upgrade the sessions table/m);
    expect(help.stdout).toMatch(/^ {2}sql +print the CREATE TABLE/m);

    usageErrors.forEach(([args, message], i) => {
      const outcome = errors[i]!;
      expect({ args, code: outcome.code, stdout: outcome.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(outcome.stderr).toMatch(message);
    });

    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^sequelize-session-store migrate: .*ECONNREFUSED/);

    expect(json.code).toBe(0);
    expect(json.stdout).toContain('CREATE TABLE IF NOT EXISTS "web_sessions" (');
    expect(json.stdout).toContain('"data" JSONB');
    expect(json.stdout).toContain('CREATE INDEX IF NOT EXISTS "web_sessions_expires" ON "web_sessions" ("expires");');
  });
});

describe('the database password (issue 18, item 3)', () => {
  test('is masked in every error the CLI prints: a malformed URL, a URL without --url, an unreachable database', async () => {
    const cases: [string[], RegExp][] = [
      [['migrate', '--url', 'mysql:/app:s3cret-pw@db.example/sessions'], /mysql:\/app:\*\*\*@db\.example\/sessions/],
      [['prune', 'mysql://app:s3cret-pw@db.example/sessions'], /"mysql:\/\/app:\*\*\*@db\.example\/sessions"/],
      [['prune', '--url', 'postgres://app:s3cret-pw@127.0.0.1:1/none'], /ECONNREFUSED/],
    ];
    const outcomes = await Promise.all(cases.map(([args]) => runCli(args)));
    cases.forEach(([args, message], i) => {
      const { code, stdout, stderr } = outcomes[i]!;
      expect({ args, code: code > 0, stdout }).toEqual({ args, code: true, stdout: '' });
      expect(stderr).toMatch(message);
      expect(stderr).not.toContain('s3cret-pw');
    });
  });
});

describe('the database URL from the environment or standard input (issue 18, item 2)', () => {
  test('DATABASE_URL, --url-env <name>, --url-stdin and --url - each name the database, never the command line', async () => {
    const file = path.join(os.tmpdir(), `sss-url-env-${process.pid}.sqlite`);
    rmSync(file, { force: true });
    const env = { ...process.env };
    delete env.DATABASE_URL;
    try {
      const migrated = await runCli(['migrate', '--create'], { ...env, DATABASE_URL: `sqlite:${file}` });
      expect(migrated).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(/^applied Sessions\/01-create-table$/m),
      });
      const outcomes = await Promise.all([
        runCli(['prune', '--url-env', 'SESSIONS_DB'], { ...env, SESSIONS_DB: `sqlite:${file}` }),
        runCli(['prune', '--url-stdin'], env, `sqlite:${file}\n`),
        runCli(['prune', '--url', '-'], env, `sqlite:${file}`),
      ]);
      for (const outcome of outcomes) {
        expect(outcome).toMatchObject({
          code: 0,
          stdout: expect.stringMatching(/^pruned 0 expired sessions from Sessions/),
        });
      }
    } finally {
      rmSync(file, { force: true });
    }
  });

  test('no URL anywhere, an unset --url-env, or two sources at once are usage errors; --help says how', async () => {
    const env = { ...process.env };
    delete env.DATABASE_URL;
    const [none, unset, both, help] = await Promise.all([
      runCli(['prune'], env),
      runCli(['prune', '--url-env', 'NOT_SET_ANYWHERE'], env),
      runCli(['prune', '--url', 'sqlite:x.sqlite', '--url-stdin'], env, 'sqlite:y.sqlite'),
      runCli(['prune', '--help'], env),
    ]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(
      /no database URL: set DATABASE_URL, or give --url-env <name>, --url-stdin or --url <url>/,
    );
    expect(unset.code).toBe(2);
    expect(unset.stderr).toMatch(/--url-env: the environment variable NOT_SET_ANYWHERE is not set/);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/give one of --url, --url-env and --url-stdin/);
    expect(help.stdout).toMatch(/--url-env <name> +the database URL is in the environment variable <name>/);
    expect(help.stdout).toMatch(/the database URL is in DATABASE_URL/);
  });
});

describe('what a newcomer runs into first', () => {
  test('--version and -v print the version of the package', async () => {
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) {
      expect(await runCli([flag])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    }
  });

  test('migrate refuses a SQLite file that does not exist, and creates it with --create', async () => {
    const file = path.join(os.tmpdir(), `sss-typo-${process.pid}.sqlite`);
    rmSync(file, { force: true });
    try {
      const refused = await runCli(['migrate', '--url', `sqlite:${file}`]);
      expect(refused).toEqual({
        code: 1,
        stdout: '',
        stderr: `sequelize-session-store migrate: no SQLite database at ${file} (add --create to create it)\n`,
      });
      expect(existsSync(file)).toBe(false);

      const created = await runCli(['migrate', '--url', `sqlite:${file}`, '--create']);
      expect(created.code).toBe(0);
      expect(created.stdout).toContain('applied Sessions/01-create-table');
      expect(existsSync(file)).toBe(true);
    } finally {
      rmSync(file, { force: true });
    }
  });

  test('a driver that is not installed is named, with the command that installs it', async () => {
    // The pg package made unresolvable in the child, as on a machine where it was never installed.
    const hook = path.join(os.tmpdir(), `sss-no-pg-${process.pid}.js`);
    writeFileSync(
      hook,
      `const Module = require('module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'pg') throw Object.assign(new Error("Cannot find module 'pg'"), { code: 'MODULE_NOT_FOUND' });
  return resolve.call(this, request, ...rest);
};
`,
    );
    try {
      const outcome = await runCli(['migrate', '--url', 'postgres://postgres@127.0.0.1:5432/test'], {
        ...process.env,
        NODE_OPTIONS: `--require ${hook}`,
      });
      expect(outcome).toEqual({
        code: 1,
        stdout: '',
        stderr: 'sequelize-session-store migrate: install the pg package: npm install pg\n',
      });
    } finally {
      rmSync(hook, { force: true });
    }
  });
});

describe.each(availableBackends())('migrate --url on $name', (backend) => {
  const ctx = useBackend(backend);
  const fresh = useFreshDatabase(backend, ctx);
  // A fresh server database exists; a fresh SQLite database is a file still to be made.
  const create = backend.name === 'sqlite' ? ['--create'] : [];

  test('applies the migrations, then has nothing to do, and --down reverts the last one', async () => {
    const up = await runCli(['migrate', '--url', fresh.url, ...create]);
    expect(up).toEqual({
      code: 0,
      stdout: 'applied Sessions/01-create-table\napplied Sessions/02-widen-columns\n',
      stderr: '',
    });
    expect(await indexedColumns(fresh.db, 'Sessions')).toContain('expires');
    const store = new SequelizeStore({ db: fresh.db, checkExpirationInterval: 0 });
    await store.set('s', sessionData(60_000, { n: 1 }));

    expect(await runCli(['migrate', '--url', fresh.url])).toEqual({
      code: 0,
      stdout: 'nothing to apply: the table is up to date\n',
      stderr: '',
    });
    expect((await store.get('s'))?.n).toBe(1);

    expect((await runCli(['migrate', '--url', fresh.url, '--down'])).stdout).toBe(
      'reverted Sessions/02-widen-columns\n',
    );
    expect(await tableExists(fresh.db, 'Sessions')).toBe(true); // undoing the widening changes nothing
  });

  const procedures = backend.name === 'mariadb';
  test(`--table, --ledger and --json${procedures ? ', and --procedures, which --down drops' : ''}`, async () => {
    const flags = ['--url', fresh.url, ...create, '--table', 'web_sessions', '--ledger', 'web_ledger', '--json'];
    if (procedures) flags.push('--procedures');
    const outcome = await runCli(['migrate', ...flags]);
    const applied = ['01-create-table', '02-widen-columns', ...(procedures ? ['03-procedures'] : [])];
    expect(outcome.stdout).toBe(applied.map((name) => `applied web_sessions/${name}\n`).join(''));
    const ledger = await fresh.db.query<{ name: string }>('SELECT name FROM web_ledger ORDER BY name', {
      type: QueryTypes.SELECT,
    });
    expect(ledger.map((row) => row.name)).toEqual(applied.map((name) => `web_sessions/${name}`));
    const store = new SequelizeStore({
      db: fresh.db,
      tableName: 'web_sessions',
      modelKey: 'web',
      dataType: 'json',
      storedProcedures: procedures,
      checkExpirationInterval: 0,
    });
    await store.set('s', sessionData(60_000, { n: 2 }));
    expect((await store.get('s'))?.n).toBe(2);
    if (!procedures) return;

    const routines = async (): Promise<number> => {
      const [row] = await fresh.db.query<{ n: number }>(
        `SELECT COUNT(*) AS n FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() AND ROUTINE_NAME LIKE 'web\\_sessions\\_%'`,
        { type: QueryTypes.SELECT },
      );
      return Number(row!.n);
    };
    expect(await routines()).toBe(8);
    expect((await runCli(['migrate', ...flags, '--down'])).stdout).toBe('reverted web_sessions/03-procedures\n');
    expect(await routines()).toBe(0);
  });
});
