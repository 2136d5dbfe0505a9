import { once } from 'node:events';
import { Sequelize } from 'sequelize';
import { poolCounts } from '../test/support/pool';
import { SequelizeStore, type Store } from '../test/support/stores';
import { MixedLoad, type LoadReport } from './support/load';
import { MariaDbServer } from './support/mariadb-server';
import { PostgresServer } from './support/postgres-server';
import type { TestServer } from './support/server-process';

const OPERATION_TIMEOUT = 3_000;

interface Backend {
  name: string;
  start(): Promise<TestServer>;
  /** Kills, from the server side, every connection to database `test` but the killer's own. */
  killConnections(admin: Sequelize): Promise<number>;
  options: ConstructorParameters<typeof Sequelize>[1];
}

const BACKENDS: Backend[] = [
  {
    name: 'MariaDB',
    start: () => MariaDbServer.create('outage-mariadb'),
    async killConnections(admin) {
      const [rows] = await admin.query(
        "SELECT ID AS id FROM information_schema.PROCESSLIST WHERE DB = 'test' AND ID <> CONNECTION_ID()",
      );
      for (const { id } of rows as { id: number }[]) await admin.query(`KILL CONNECTION ${Number(id)}`).catch(() => {});
      return rows.length;
    },
    // mysql2 waits 10 s for a server that accepts the TCP connection but never greets.
    options: { dialectOptions: { connectTimeout: 2_000 } },
  },
  {
    name: 'PostgreSQL',
    start: () => PostgresServer.create('outage-postgres'),
    async killConnections(admin) {
      const [rows] = await admin.query(
        'SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity ' +
          "WHERE datname = 'test' AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
      );
      return rows.length;
    },
    options: {},
  },
];

type Event = { event: 'connect' | 'disconnect'; at: number };

describe.each(BACKENDS)('the store survives outages of $name', (backend) => {
  let server: TestServer;
  let db: Sequelize;
  let store: Store;
  const events: Event[] = [];

  beforeAll(async () => {
    server = await backend.start();
    db = new Sequelize(server.url, { logging: false, pool: { max: 5 }, ...backend.options });
    store = new SequelizeStore({
      db,
      tableName: 'Sessions',
      checkExpirationInterval: 0,
      operationTimeout: OPERATION_TIMEOUT,
    });
    for (const event of ['connect', 'disconnect'] as const)
      store.on(event, () => events.push({ event, at: Date.now() }));
    await store.sync();
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    await db?.close().catch(() => {});
    await server?.remove();
  }, 120_000);

  beforeEach(async () => {
    events.length = 0;
    await store.clear();
  });

  /** Waits for the next event of a kind, failing with what the load saw if it does not come. */
  async function next(event: Event['event'], timeoutMs: number): Promise<number> {
    const seen = events.find((e) => e.event === event);
    if (seen) return seen.at;
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      await once(store, event, { signal: timeout });
    } catch {
      throw new Error(
        `no '${event}' within ${timeoutMs} ms; events so far: ${JSON.stringify(events)}\n${server.log()}`,
      );
    }
    return Date.now();
  }

  /**
   * After an outage: 'disconnect' then 'connect', every callback called once, what started after
   * 'connect' all worked, reads saw the last acknowledged writes, the table holds them, and the
   * pool has nothing checked out.
   */
  async function expectRecovery(load: MixedLoad, report: LoadReport, down: number, up: number): Promise<void> {
    expect(events.map((e) => e.event)).toEqual(['disconnect', 'connect']);
    expect(up).toBeGreaterThan(down);
    expect(report.hung).toEqual([]);
    expect(report.doubled).toEqual([]);
    expect(MixedLoad.failedSince(report, up)).toEqual([]);
    expect(report.staleReads).toEqual([]);
    expect(await load.lostWrites(db, 'Sessions')).toEqual([]);
    expect(poolCounts(db)).toMatchObject({ using: 0, waiting: 0 });
  }

  test('connections killed from the server side mid-load: every operation succeeds, every acknowledged write stays', async () => {
    const load = new MixedLoad(store, { prefix: 'kill' });
    load.start();
    await load.successes(200);
    const admin = new Sequelize(server.url, { logging: false, pool: { max: 1 } });
    let killed = 0;
    try {
      for (let round = 0; round < 5; round += 1) {
        killed += await backend.killConnections(admin);
        await load.successes(100);
      }
    } finally {
      await admin.close();
    }
    const report = await load.stop(OPERATION_TIMEOUT * 2);

    expect(killed).toBeGreaterThanOrEqual(5); // the load's connections were really there to kill
    expect(report.hung).toEqual([]);
    expect(report.doubled).toEqual([]);
    expect(report.failed.map((op) => `${op.kind}: ${op.error?.message}`)).toEqual([]);
    expect(report.staleReads).toEqual([]);
    expect(await load.lostWrites(db, 'Sessions')).toEqual([]);
    expect(load.knownSids).toBeGreaterThan(30);
    // One killed connection is no outage: the probe finds the server up.
    expect(events).toEqual([]);
    expect(poolCounts(db)).toMatchObject({ using: 0, waiting: 0 });
  });

  test('a restart under load: clean failures during the outage, disconnect then connect, all well after', async () => {
    const load = new MixedLoad(store, { prefix: 'restart' });
    load.start();
    await load.successes(200);

    await server.stop();
    const down = await next('disconnect', 20_000);
    // Down until an operation has failed: a restart quicker than the retries would hide the outage.
    await load.failures(1);
    await server.start();
    const up = await next('connect', 20_000);
    await load.successes(300);
    const report = await load.stop(OPERATION_TIMEOUT * 2);

    await expectRecovery(load, report, down, up);
    // Failures happened, and each was an Error that says what went wrong.
    expect(report.failed.length).toBeGreaterThan(0);
    for (const op of report.failed) expect(op.error?.message).toMatch(/\w/);
  });

  test('a server that stops answering: operations end at operationTimeout, disconnect, connect, all well after', async () => {
    const load = new MixedLoad(store, { prefix: 'freeze', distrustAfterFailure: true });
    load.start();
    await load.successes(200);

    server.freeze();
    let down: number;
    try {
      down = await next('disconnect', 30_000);
      // Every operation under way when the server froze has ended by now, one way or the other.
      await new Promise((resolve) => setTimeout(resolve, OPERATION_TIMEOUT));
    } finally {
      server.thaw();
    }
    const up = await next('connect', 30_000);
    await load.successes(300);
    const report = await load.stop(OPERATION_TIMEOUT * 2);

    await expectRecovery(load, report, down, up);
    expect(report.failed.some((op) => op.error?.name === 'OperationTimeoutError')).toBe(true);
  });
});
