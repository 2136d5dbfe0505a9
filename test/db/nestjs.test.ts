import fs from 'node:fs';
import path from 'node:path';
import { QueryTypes, Sequelize } from 'sequelize';
import { availableBackends, sqliteFile, uniqueTable, type Backend } from '../support/backends';
import { ROOT } from '../support/built';
import { browser, startExample, stopAllExamples, stopExample, type RunningExample } from '../support/example-apps';

// The NestJS example, the one docs/frameworks.md shows, run as a user runs it on every backend that
// is up. The test reads the example's table itself: an app that kept its sessions anywhere else
// (express-session's MemoryStore, when the store is not passed to it) fails.
const EXAMPLE = 'examples/nestjs.mjs';

/** The Sequelize URL the example connects with: the server's, or a fresh SQLite file. */
function databaseUrl(backend: Backend): string {
  return backend.name === 'sqlite' ? `sqlite://${sqliteFile()}` : backend.url;
}

/** The session id in express-session's signed cookie, `s:<sid>.<signature>`. */
function sidOf(jar: Map<string, string>): string {
  const value = decodeURIComponent(jar.get('connect.sid') ?? '');
  const match = /^s:([^.]+)\./.exec(value);
  if (!match) throw new Error(`no signed session cookie: ${value}`);
  return match[1]!;
}

/** A cookie-keeping client of the example, which answers in JSON. */
function client(url: string, jar?: Map<string, string>) {
  const call = browser(url, jar);
  return async (pathname: string, form?: Record<string, string>): Promise<unknown> =>
    JSON.parse(await call(pathname, form));
}

/** The live sessions of the table, by sid (a destroyed session leaves a row with data NULL). */
async function liveSessions(db: Sequelize, table: string): Promise<Record<string, unknown>> {
  const rows = await db.query<{ sid: string; data: string | Buffer }>(
    `SELECT sid, data FROM ${db.getQueryInterface().quoteIdentifier(table)} WHERE data IS NOT NULL`,
    { type: QueryTypes.SELECT },
  );
  return Object.fromEntries(rows.map((row) => [row.sid, JSON.parse(String(row.data))]));
}

afterAll(stopAllExamples); // any a timed-out test left running

test('docs/frameworks.md shows this example: each js block of its NestJS section is a piece of the file', () => {
  const docs = fs.readFileSync(path.join(ROOT, 'docs/frameworks.md'), 'utf8');
  const section = docs.split(/^## /m).find((part) => part.startsWith('NestJS\n')) ?? '';
  const blocks = [...section.matchAll(/```js\n([\s\S]*?)```/g)].map((match) => match[1]!);
  expect(blocks).not.toHaveLength(0);
  const example = fs.readFileSync(path.join(ROOT, EXAMPLE), 'utf8');
  for (const block of blocks) expect(example).toContain(block);
});

describe.each(availableBackends())(`${EXAMPLE} on $name`, (backend: Backend) => {
  test('login stores the session in the table, later requests and a restart see it, logout deletes it', async () => {
    const env = { DATABASE_URL: databaseUrl(backend), SESSIONS_TABLE: uniqueTable('nest') };
    const db = new Sequelize(env.DATABASE_URL, { logging: false });
    let app: RunningExample | undefined;
    try {
      app = await startExample(EXAMPLE, env);
      const jar = new Map<string, string>();
      expect(await client(app.url, jar)('/login', { user: 'ada' })).toEqual({ user: 'ada' });
      const sid = sidOf(jar);
      expect(await liveSessions(db, env.SESSIONS_TABLE)).toEqual({ [sid]: expect.objectContaining({ user: 'ada' }) });

      expect(await client(app.url, jar)('/')).toEqual({ user: 'ada' });
      expect(await client(app.url)('/')).toEqual({ user: null }); // another browser, no cookie

      // Nothing of the session lives in the process: a restarted app still knows ada.
      await stopExample(app);
      app = await startExample(EXAMPLE, env);
      expect(await client(app.url, jar)('/')).toEqual({ user: 'ada' });

      expect(await client(app.url, jar)('/logout', {})).toEqual({ loggedOut: true });
      expect(await liveSessions(db, env.SESSIONS_TABLE)).toEqual({});
      expect(await client(app.url, jar)('/')).toEqual({ user: null }); // the old cookie finds nothing
      expect(await liveSessions(db, env.SESSIONS_TABLE)).toEqual({});
    } finally {
      if (app) await stopExample(app);
      await db.getQueryInterface().dropTable(env.SESSIONS_TABLE);
      await db.close();
    }
  });
});
