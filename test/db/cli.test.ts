import { QueryTypes } from 'sequelize';
import { indexedColumns, tableExists, useFreshDatabase } from '../support/admin';
import { availableBackends } from '../support/backends';
import { build, runCli } from '../support/built';
import { sessionData, SequelizeStore, useBackend } from '../support/stores';

beforeAll(build, 120_000);

describe('the command line', () => {
  test('lists migrate and sql; a bad command line is exit code 2 with the usage, an unreachable database exit code 1', async () => {
    const usageErrors: [string[], RegExp][] = [
      [['migrate'], /migrate: --url is required\n\nUsage: sequelize-session-store migrate --url/],
      [['migrate', '--url', 'nonsense'], /--url "nonsense" is not a database URL/],
      [['migrate', '--url', 'sqlite:x.sqlite', '--to', '1'], /unknown option --to/],
      [['sql'], /sql: --dialect is required/],
      [['sql', '--dialect', 'oracle'], /unknown dialect "oracle"/],
      [['sql', '--dialect', 'postgres', '--procedures'], /--procedures needs --dialect mysql or mariadb/],
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

describe.each(availableBackends())('migrate --url on $name', (backend) => {
  const ctx = useBackend(backend);
  const fresh = useFreshDatabase(backend, ctx);

  test('applies the migrations, then has nothing to do, and --down reverts the last one', async () => {
    const up = await runCli(['migrate', '--url', fresh.url]);
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
    const flags = ['--url', fresh.url, '--table', 'web_sessions', '--ledger', 'web_ledger', '--json'];
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
