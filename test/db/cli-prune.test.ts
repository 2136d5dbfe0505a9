import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { availableBackends } from '../support/backends';
import { build, runCli } from '../support/built';
import { fillSessions, liveSids, sidsOf } from '../support/fill';
import { useBackend } from '../support/stores';

// The command line as operators run it: the built bin, in a child process.
const cli = (...args: string[]) => runCli(args);

beforeAll(() => build(), 120_000);

describe('sequelize-session-store prune', () => {
  test('--help prints the usage and exits 0', async () => {
    const outcome = await cli('prune', '--help');
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toMatch(
      /^Usage: sequelize-session-store prune \[--url-env <name> \| --url-stdin \| --url <url>\] \[--table <name>\]/,
    );
    expect(outcome.stdout).toMatch(/Exit code: 0 done/);
  });

  test('is listed by the command overview', async () => {
    const outcome = await cli('--help');
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toMatch(/^ {2}prune +delete the expired sessions now/m);
  });

  test.each([
    [['prune'], /no database URL: set DATABASE_URL/],
    [['prune', '--url', 'sqlite:x.sqlite', '--batch', 'ten'], /--batch must be a whole number .* received "ten"/],
    [['prune', '--url', 'sqlite:x.sqlite', '--batch', '0'], /--batch must be a whole number/],
    [['prune', '--url', 'sqlite:x.sqlite', '--tabel', 'Sessions'], /unknown option --tabel/],
  ])('bad usage %j exits 2 with the reason and the usage on stderr', async (args, reason) => {
    const outcome = await cli(...args);
    expect(outcome.code).toBe(2);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr).toMatch(reason);
    expect(outcome.stderr).toMatch(/Usage: sequelize-session-store prune/);
  });

  test('an unreachable server exits 1 with one line on stderr', async () => {
    const outcome = await cli('prune', '--url', 'postgres://postgres@127.0.0.1:1/test');
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^sequelize-session-store prune: .*ECONNREFUSED/),
    ]);
  });

  test('a SQLite file that is not there exits 1, and is not created', async () => {
    const missing = path.join(os.tmpdir(), `sss-missing-${process.pid}.sqlite`);
    const outcome = await cli('prune', '--url', `sqlite:${missing}`);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr.trim()).toBe(`sequelize-session-store prune: no SQLite database at ${missing}`);
    expect(existsSync(missing)).toBe(false);
  });
});

describe.each(availableBackends())('sequelize-session-store prune on $name', (backend) => {
  const ctx = useBackend(backend);
  // For SQLite, the context's own database file.
  const target = (): string =>
    backend.name === 'sqlite'
      ? `sqlite:${(ctx.db as unknown as { options: { storage: string } }).options.storage}`
      : backend.url;

  test('deletes the expired sessions in batches, keeps the live ones, prints one line, exits 0', async () => {
    const store = await ctx.store();
    const table = store.sessionModel.getTableName() as string;
    await fillSessions(store.sessionModel, 95, 3);

    const outcome = await cli('prune', '--url', target(), '--table', table, '--batch', '10');
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toMatch(new RegExp(`^pruned 95 expired sessions from ${table} in \\d+\\.\\d\\d s\\n$`));
    expect(await sidsOf(store.sessionModel)).toEqual(liveSids(3));

    const again = await cli('prune', '--url', target(), `--table=${table}`);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^pruned 0 expired sessions from /);
  });

  test('a table that is not there exits 1 with the database’s reason on one line', async () => {
    const outcome = await cli('prune', '--url', target(), '--table', 'no_such_sessions_table');
    expect(outcome.code).toBe(1);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^sequelize-session-store prune: .*(no_such_sessions_table.* (doesn't|does not) exist|no such table)/,
      ),
    ]);
  });
});
