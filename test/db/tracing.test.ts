import diagnosticsChannel from 'node:diagnostics_channel';
import fs from 'node:fs';
import type sequelizeSessionStore = require('../../lib');
import { availableBackends, sqliteFile } from '../support/backends';
import { build } from '../support/built';
import { startNode } from '../support/child';
import { sessionData, useBackend, type Store } from '../support/stores';

type Context = sequelizeSessionStore.OperationContext;

const CHANNEL = 'sequelize-session-store:operation';

/** Records the contexts published on the channel, as they end, while `run` runs. */
async function traced(run: () => Promise<unknown>): Promise<{ started: Context[]; ended: Context[] }> {
  const started: Context[] = [];
  const ended: Context[] = [];
  const ignore = (): void => {};
  const handlers = {
    start: (context: Context) => started.push({ ...context }),
    end: ignore,
    asyncStart: ignore,
    asyncEnd: (context: Context) => ended.push({ ...context }),
    error: ignore,
  };
  const channel = diagnosticsChannel.tracingChannel<string, Context>(CHANNEL);
  channel.subscribe(handlers);
  try {
    await run();
  } finally {
    channel.unsubscribe(handlers);
  }
  return { started, ended };
}

/** What a trace says of each operation, without what changes from run to run. */
function summary(contexts: Context[]): Partial<Context>[] {
  return contexts.map(({ operation, sid, rows, error }) => ({
    operation,
    ...(sid === undefined ? {} : { sid }),
    ...(rows === undefined ? {} : { rows }),
    ...(error === undefined ? {} : { error: (error as Error).name }),
  }));
}

describe.each(availableBackends())('traces on $name', (backend) => {
  const ctx = useBackend(backend);

  test('every operation is published with its name, table, row key, and rows on the way out', async () => {
    const store = await ctx.store();
    const table = store.sessionModel.getTableName() as string;
    const { started, ended } = await traced(async () => {
      await store.set('a', sessionData(60_000, { secret: 'not in a trace' }));
      await store.get('a');
      await store.get('missing');
      await store.touch('a', sessionData(120_000));
      await store.all();
      await store.length();
      await store.findWhere({ sid: 'a' });
      await store.destroy('a');
      await store.destroyWhere({ sid: 'b' });
      await store.clear();
    });
    expect(started.map((c) => c.operation)).toEqual(ended.map((c) => c.operation));
    expect(ended.every((c) => c.table === table)).toBe(true);
    expect(summary(ended)).toEqual([
      { operation: 'set', sid: 'a', rows: 1 }, // the row it wrote, which set hands back
      { operation: 'get', sid: 'a', rows: 1 },
      { operation: 'get', sid: 'missing', rows: 0 },
      { operation: 'touch', sid: 'a' },
      { operation: 'all', rows: 1 },
      { operation: 'length', rows: 1 },
      { operation: 'findWhere', rows: 1 },
      { operation: 'destroy', sid: 'a' },
      { operation: 'destroyWhere', rows: 0 },
      { operation: 'clear' },
    ]);
    expect(JSON.stringify(ended)).not.toContain('not in a trace');
  });

  test('each page of iterate is an operation of its own', async () => {
    const store = await ctx.store();
    for (const sid of ['a', 'b', 'c']) await store.set(sid, sessionData());
    const { ended } = await traced(async () => {
      for await (const session of store.iterate({ batchSize: 2 })) void session;
    });
    expect(summary(ended)).toEqual([
      { operation: 'iterate', rows: 2 },
      { operation: 'iterate', rows: 1 },
    ]);
  });

  test('with sidSecret, the sid of a trace is the stored key, never the session id', async () => {
    const store = await ctx.store({ sidSecret: 'pepper' });
    const { ended } = await traced(() => store.set('cookie-value', sessionData()));
    const [row] = (await store.sessionModel.findAll({ raw: true })) as unknown as { sid: string }[];
    expect(ended.map((c) => c.sid)).toEqual([row!.sid]);
    expect(row!.sid).toMatch(/^[0-9a-f]{64}$/);
  });

  test('a failed operation is published with its error', async () => {
    const store = await ctx.store({ maxSize: 10 });
    const { ended } = await traced(() =>
      store.set('big', sessionData(60_000, { big: 'x'.repeat(100) })).catch(() => {}),
    );
    expect(summary(ended)).toEqual([{ operation: 'set', sid: 'big', error: 'RangeError' }]);
  });

  test('each cleanup batch is an operation of its own, with the rows it deleted', async () => {
    const store = await ctx.store({ pruneBatchSize: 2 });
    const past = sessionData(-60_000);
    for (const sid of ['x1', 'x2', 'x3']) await store.set(sid, past);
    await store.set('live', sessionData());
    const { ended } = await traced(() => store.prune());
    expect(summary(ended)).toEqual([
      { operation: 'prune', rows: 2 },
      { operation: 'prune', rows: 1 },
    ]);
  });

  test('with no subscriber, nothing is published and the operations run as before', async () => {
    const store: Store = await ctx.store();
    const channel = diagnosticsChannel.tracingChannel(CHANNEL);
    expect(channel.start.hasSubscribers).toBe(false);
    await store.set('s', sessionData());
    expect(await store.get('s')).not.toBeNull();
  });
});

describe('NODE_DEBUG=sequelize-session-store', () => {
  beforeAll(() => build());

  test('logs each operation and each sweep in one line, without session data or ids', async () => {
    const storage = sqliteFile();
    const script = `
      const session = require('express-session');
      const { Sequelize } = require('sequelize');
      const SequelizeStore = require('sequelize-session-store')(session.Store);
      const db = new Sequelize({ dialect: 'sqlite', storage: ${JSON.stringify(storage)}, logging: false });
      const store = new SequelizeStore({ db, createTable: true, checkExpirationInterval: 0 });
      const cookie = (ms) => ({ path: '/', originalMaxAge: ms, expires: new Date(Date.now() + ms) });
      (async () => {
        await store.set('the-cookie-sid', { cookie: cookie(60000), secret: 'the-session-data' });
        await store.set('old-sid', { cookie: cookie(-60000) });
        await store.get('the-cookie-sid');
        await store.prune();
        await store.get(42).catch(() => {});
        await db.close();
        console.log('done');
      })();
    `;
    const { outcome } = startNode(['-e', script], 30_000, { NODE_DEBUG: 'sequelize-session-store' });
    const { code, stdout, stderr } = await outcome;
    expect({ code, stdout }).toEqual({ code: 0, stdout: 'done\n' });
    const lines = stderr.trim().split('\n');
    const line = (pattern: string): RegExp => new RegExp(`^SEQUELIZE-SESSION-STORE \\d+: ${pattern}$`);
    expect(lines).toEqual([
      expect.stringMatching(line('set table=Sessions [\\d.]+ms ok rows=1')),
      expect.stringMatching(line('set table=Sessions [\\d.]+ms ok rows=1')),
      expect.stringMatching(line('get table=Sessions [\\d.]+ms ok rows=1')),
      expect.stringMatching(line('prune table=Sessions [\\d.]+ms ok rows=1')),
      expect.stringMatching(line('sweep table=Sessions [\\d.]+ms deleted=1')),
      expect.stringMatching(line('get table=Sessions [\\d.]+ms failed: TypeError')),
    ]);
    expect(stderr).not.toMatch(/the-cookie-sid|the-session-data|old-sid/);
    fs.rmSync(storage, { force: true });
  });
});
