import { existsSync } from 'node:fs';
import { Sequelize } from 'sequelize';
import { MixedLoad } from '../../test-faults/support/load';
import { availableBackends, uniqueTable } from '../support/backends';
import { PGBOUNCER, PgBouncer } from '../support/pgbouncer';
import { poolCounts } from '../support/pool';
import { SequelizeStore, sessionData, type Store } from '../support/stores';

// PostgreSQL behind PgBouncer (Debian's package) in transaction mode, pool of 2 server connections,
// Sequelize pool max 5: where named prepared statements land on the wrong server connection.

const OPERATION_TIMEOUT = 3_000;
const havePgBouncer = existsSync(PGBOUNCER);
if (!havePgBouncer) {
  if (process.env.CI === 'true')
    throw new Error(`CI=true and no PgBouncer at ${PGBOUNCER}: the pooler tests cannot be skipped`);
  console.warn(`\n!!! SKIPPING the PgBouncer tests: no PgBouncer at ${PGBOUNCER} (apt-get install pgbouncer)\n`);
}
async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${check.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const postgres = availableBackends().find((backend) => backend.name === 'postgres');

(havePgBouncer && postgres ? describe : describe.skip)('behind PgBouncer in transaction mode', () => {
  let bouncer: PgBouncer;
  let direct: Sequelize;
  let db: Sequelize;
  let store: Store;
  const table = uniqueTable('bouncer');
  const errors: Error[] = [];
  const notices: string[] = [];
  const events: string[] = [];

  beforeAll(async () => {
    const upstream = new URL(postgres!.url);
    bouncer = await PgBouncer.start({
      upstream: { host: upstream.hostname, port: Number(upstream.port || 5432), database: upstream.pathname.slice(1) },
      poolMode: 'transaction',
      poolSize: 2,
    });
    direct = new Sequelize(postgres!.url, { logging: false, pool: { max: 2 } });
    db = new Sequelize(bouncer.url, { logging: false, pool: { max: 5 } });
    store = new SequelizeStore({
      db,
      tableName: table,
      createTable: true,
      checkExpirationInterval: 0,
      operationTimeout: OPERATION_TIMEOUT,
      logger: { warn: (message) => notices.push(message) },
    });
    store.on('error', (error: Error) => errors.push(error));
    for (const event of ['connect', 'disconnect'] as const) store.on(event, () => events.push(event));
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    await db?.close().catch(() => {});
    await direct?.query(`DROP TABLE IF EXISTS "${table}"`).catch(() => {});
    await direct?.close();
    await bouncer?.remove();
  }, 60_000);

  test('20 clients, 600 cycles of set, get, touch: no failure, no error, every row right, one notice', async () => {
    const failures: string[] = [];
    const wrong: string[] = [];
    const clients = 20;
    const cycles = 30;
    await Promise.all(
      Array.from({ length: clients }, async (_, client) => {
        for (let cycle = 0; cycle < cycles; cycle += 1) {
          const sid = `client-${client}-${cycle % 3}`;
          try {
            await store.set(sid, sessionData(60_000, { client, cycle }));
            const got = (await store.get(sid)) as { cycle?: number } | null;
            if (got?.cycle !== cycle) wrong.push(`${sid}: expected ${cycle}, got ${JSON.stringify(got)}`);
            await store.touch(sid, sessionData(120_000, { client, cycle }));
          } catch (error) {
            failures.push(`${sid}: ${(error as Error).message}`);
          }
        }
      }),
    );
    expect(failures).toEqual([]);
    expect(wrong).toEqual([]);
    expect(errors).toEqual([]);
    expect(events).toEqual([]);
    // The rows, read past the pooler: each sid holds its client's last cycle, touched to two minutes.
    const [rows] = await direct.query(`SELECT sid, data, expires FROM "${table}"`);
    expect(rows).toHaveLength(clients * 3);
    for (const row of rows as { sid: string; data: string; expires: Date }[]) {
      const [, client, slot] = row.sid.split('-').map(Number) as [number, number, number];
      const last = cycles - 1 - ((cycles - 1 - slot) % 3);
      expect(JSON.parse(row.data)).toMatchObject({ client, cycle: last });
      expect(row.expires.getTime()).toBeGreaterThan(Date.now() + 60_000);
    }
    // Told once, as a notice to the logger, never as an error.
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/transaction pooler/);
    expect(poolCounts(db)).toMatchObject({ using: 0, waiting: 0 });
  }, 120_000);

  test('a PgBouncer restart under load: failures only during it, disconnect then connect, all well after', async () => {
    errors.length = 0;
    events.length = 0;
    const load = new MixedLoad(store, { workers: 20, prefix: 'restart' });
    load.start();
    await load.successes(200);

    await bouncer.stop();
    const down = Date.now();
    await until(() => events.includes('disconnect'), 20_000);
    await bouncer.start();
    await until(() => events.includes('connect'), 20_000);
    const up = Date.now();
    await load.successes(300);
    const report = await load.stop(OPERATION_TIMEOUT * 2);

    expect(events).toEqual(['disconnect', 'connect']);
    expect(up).toBeGreaterThan(down);
    expect(report.hung).toEqual([]);
    expect(report.doubled).toEqual([]);
    expect(MixedLoad.failedSince(report, up)).toEqual([]);
    expect(report.staleReads).toEqual([]);
    expect(await load.lostWrites(direct, table)).toEqual([]);
    for (const op of report.failed) expect(op.error?.message).toMatch(/\w/);
    // An 'error' event is for what no caller hears; these failures each went to their caller.
    expect(errors).toEqual([]);
    expect(poolCounts(db)).toMatchObject({ using: 0, waiting: 0 });
  }, 120_000);
});
