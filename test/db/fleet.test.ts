import { availableBackends, type Backend } from '../support/backends';
import { build } from '../support/built';
import { jsonLine, runNode, startNode } from '../support/child';
import { fillSessions, liveSids, sidsOf } from '../support/fill';
import { useBackend } from '../support/stores';

// App processes are child processes running the built package by its public name.

/** Opens the database in a child: `db`, from the URL, or the SQLite file, in SSS_URL. */
const OPEN_DB = `
  const { Sequelize } = require('sequelize');
  const session = require('express-session');
  const SequelizeStore = require('sequelize-session-store')(session.Store);
  const url = process.env.SSS_URL;
  const open = (options) => url.startsWith('sqlite:')
    ? new Sequelize({ dialect: 'sqlite', storage: url.slice('sqlite:'.length), ...options })
    : new Sequelize(url, options);
`;

/**
 * One app process of the fleet: it gets ready, waits for "go" on stdin, then sweeps the shared
 * table while serving get and touch for live sessions, and prints what it saw.
 */
const APP = `${OPEN_DB}
  const { table, batch, live } = JSON.parse(process.env.SSS_FLEET);
  let statements = 0;
  const logging = (sql) => { if (/sequelize-session-store\\): DELETE/.test(sql)) statements += 1; };
  const db = open({ logging, pool: { max: 3 } });
  const store = new SequelizeStore({ db, tableName: table, modelKey: table, checkExpirationInterval: 0, pruneBatchSize: batch });
  const seen = { deleted: 0, statements: 0, requests: 0, lost: 0, errors: [] };
  (async () => {
    // Several SQLite processes take turns at the one write lock; wait for it like the embedded store does.
    if (url.startsWith('sqlite:')) await db.query('PRAGMA busy_timeout = 10000');
    await store.length();
    console.log('ready');
    await new Promise((resolve) => process.stdin.once('data', resolve));
    let pruning = true;
    const sweep = store.prune().then((n) => { seen.deleted = n; }, (e) => { seen.errors.push('prune: ' + e.message); })
      .finally(() => { pruning = false; });
    const requests = (async () => {
      for (let i = 0; pruning || i < 20; i += 1) {
        const sid = 'live-' + Math.floor(Math.random() * live);
        try {
          const got = await store.get(sid);
          if (got === null) seen.lost += 1;
          else await store.touch(sid, { cookie: { expires: new Date(Date.now() + 3600000) } });
          seen.requests += 1;
        } catch (e) { seen.errors.push(e.message); }
      }
    })();
    await Promise.all([sweep, requests]);
    seen.statements = statements;
    console.log(JSON.stringify(seen));
    await db.close();
  })();
`;

/**
 * One app process writing with group commit (the default): it gets ready, waits for "go", then
 * runs 32 concurrent request loops of touches and saves over sessions shared by the fleet and
 * sessions of its own, and prints the last save of each of its own sessions it saw acknowledged.
 */
const WRITER = `${OPEN_DB}
  const { table, shared, name } = JSON.parse(process.env.SSS_FLEET);
  const db = open({ logging: false, pool: { max: 3 } });
  const store = new SequelizeStore({ db, tableName: table, modelKey: table, checkExpirationInterval: 0 });
  const seen = { errors: [], acknowledged: {}, writes: 0 };
  const cookie = () => ({ expires: new Date(Date.now() + 60000 + Math.floor(Math.random() * 600) * 1000) });
  (async () => {
    if (url.startsWith('sqlite:')) await db.query('PRAGMA busy_timeout = 10000');
    await store.length();
    console.log('ready');
    await new Promise((resolve) => process.stdin.once('data', resolve));
    let n = 0;
    await Promise.all(Array.from({ length: 32 }, async () => {
      for (let i = 0; i < 15; i += 1) {
        const roll = Math.random();
        const sharedSid = 'shared-' + Math.floor(Math.random() * shared);
        const ownSid = name + '-' + Math.floor(Math.random() * 10);
        try {
          if (roll < 0.6) await store.touch(sharedSid, { cookie: cookie() });
          else if (roll < 0.8) await store.set(sharedSid, { cookie: cookie(), by: name });
          else {
            const saving = (n += 1);
            await store.set(ownSid, { cookie: cookie(), n: saving });
            seen.acknowledged[ownSid] = saving;
          }
          seen.writes += 1;
        } catch (e) { seen.errors.push(e.message); }
      }
    }));
    console.log(JSON.stringify(seen));
    await db.close();
  })();
`;

/** The database URL a child opens: the server's, or the context's SQLite file. */
function childUrl(backend: Backend, db: unknown): string {
  return backend.name === 'sqlite' ? `sqlite:${(db as { options: { storage: string } }).options.storage}` : backend.url;
}

beforeAll(() => build(), 120_000);

describe.each(availableBackends())('a fleet of app processes on $name', (backend) => {
  const ctx = useBackend(backend);

  test('four processes sweeping one table at once delete each row once, lose no live session, split the work', async () => {
    const expired = 8_000;
    const batch = 100;
    const live = 100;
    const store = await ctx.store();
    const table = store.sessionModel.getTableName() as string;
    if (backend.name === 'sqlite') await ctx.db.query('PRAGMA journal_mode = WAL');

    const env = { SSS_URL: childUrl(backend, ctx.db), SSS_FLEET: JSON.stringify({ table, batch, live }) };
    const apps = Array.from({ length: 4 }, () => startNode(['-e', APP], 60_000, env));
    await fillSessions(store.sessionModel, expired, live); // while the processes start
    await Promise.all(apps.map((app) => app.saw(/^ready$/m)));
    for (const app of apps) app.child.stdin.end('go\n');
    const outcomes = await Promise.all(apps.map((app) => app.outcome));

    for (const outcome of outcomes)
      expect({ code: outcome.code, stderr: outcome.stderr }).toEqual({ code: 0, stderr: '' });
    type Seen = { deleted: number; statements: number; requests: number; lost: number; errors: string[] };
    const seen = outcomes.map(jsonLine) as Seen[];
    expect(seen.flatMap((s) => s.errors)).toEqual([]); // no deadlock, no lock timeout
    expect(seen.reduce((sum, s) => sum + s.deleted, 0)).toBe(expired);
    expect(seen.reduce((sum, s) => sum + s.lost, 0)).toBe(0);
    expect(seen.every((s) => s.requests >= 20)).toBe(true);
    // Alone, one process needs expired/batch full batches and one short one. Each process ends on
    // its one short batch, so four together need at most three more statements: not four times the work.
    const statements = seen.reduce((sum, s) => sum + s.statements, 0);
    expect(statements).toBeLessThanOrEqual(expired / batch + 4);
    expect(await sidsOf(store.sessionModel)).toEqual(liveSids(live));
  }, 60_000);

  test('four processes writing shared sessions by group commit: no deadlock, no error, no lost save', async () => {
    const shared = 20;
    const store = await ctx.store();
    const table = store.sessionModel.getTableName() as string;
    if (backend.name === 'sqlite') await ctx.db.query('PRAGMA journal_mode = WAL');
    for (let i = 0; i < shared; i += 1)
      await store.set(`shared-${i}`, { cookie: { expires: new Date(Date.now() + 60_000) } } as never);
    const names = ['a', 'b', 'c', 'd'];
    const apps = names.map((name) =>
      startNode(['-e', WRITER], 60_000, {
        SSS_URL: childUrl(backend, ctx.db),
        SSS_FLEET: JSON.stringify({ table, shared, name }),
      }),
    );
    await Promise.all(apps.map((app) => app.saw(/^ready$/m)));
    for (const app of apps) app.child.stdin.end('go\n');
    const outcomes = await Promise.all(apps.map((app) => app.outcome));
    for (const outcome of outcomes)
      expect({ code: outcome.code, stderr: outcome.stderr }).toEqual({ code: 0, stderr: '' });
    type Seen = { errors: string[]; acknowledged: Record<string, number>; writes: number };
    const seen = outcomes.map(jsonLine) as Seen[];
    expect(seen.flatMap((s) => s.errors)).toEqual([]); // no deadlock, no lock timeout
    expect(seen.map((s) => s.writes)).toEqual([480, 480, 480, 480]);
    for (const { acknowledged } of seen) {
      for (const [sid, n] of Object.entries(acknowledged)) expect([sid, (await store.get(sid))?.n]).toEqual([sid, n]);
    }
    for (let i = 0; i < shared; i += 1) expect(await store.get(`shared-${i}`)).not.toBeNull();
  }, 60_000);

  test('a process with an idle store and a running pruner exits on its own', async () => {
    // Nothing is closed: once the pool lets its idle connections go, only the pruner's timer is
    // left, and it is unref'd. A connection the store never gave back would keep the process alive.
    const store = await ctx.store();
    const table = store.sessionModel.getTableName() as string;
    const outcome = await runNode(
      `${OPEN_DB}
      const db = open({ logging: false, pool: { idle: 100, evict: 50 } });
      const store = new SequelizeStore({ db, tableName: ${JSON.stringify(table)}, modelKey: 'S', checkExpirationInterval: 300 });
      (async () => {
        await store.set('old', { cookie: { expires: new Date(Date.now() - 1000) } });
        await store.set('live', { cookie: { expires: new Date(Date.now() + 60000) } });
        while ((await store.sessionModel.count()) > 1) await new Promise((resolve) => setTimeout(resolve, 50));
        console.log(JSON.stringify({ swept: true, live: (await store.get('live')) !== null }));
        console.log('done');
      })();
    `,
      [],
      10_000,
      { SSS_URL: childUrl(backend, ctx.db) },
    );
    const { killed, code, stderr } = outcome;
    expect({ killed, code, stderr }).toEqual({ killed: false, code: 0, stderr: '' });
    expect(jsonLine(outcome)).toEqual({ swept: true, live: true });
  }, 20_000);
});
