import { Sequelize } from 'sequelize';
import { poolCounts } from '../test/support/pool';
import { sessionData, SequelizeStore, type Store } from '../test/support/stores';
import { startGalera, type Galera } from './support/clusters';
import { MixedLoad } from './support/load';
import type { MariaDbServer } from './support/mariadb-server';

const OPERATION_TIMEOUT = 5_000;

interface MySqlConnection {
  promise(): { query(sql: string): Promise<unknown> };
}

/**
 * The recipe for a Galera cluster in docs/operations.md: each new connection goes to the next node, and reads
 * wait until the node has applied every write the cluster committed before them (wsrep_sync_wait),
 * so that a session saved through one node is found through any other.
 */
function spreadOverNodes(sequelize: Sequelize, nodes: { host: string; port: number }[]): void {
  let next = 0;
  sequelize.addHook('beforeConnect', (config) => void Object.assign(config, nodes[next++ % nodes.length]));
  sequelize.addHook('afterConnect', async (connection) => {
    await (connection as MySqlConnection).promise().query('SET SESSION wsrep_sync_wait = 1');
  });
}

/** Certification conflicts and brute-force aborts so far, summed over the nodes. */
async function conflicts(nodes: MariaDbServer[]): Promise<number> {
  let total = 0;
  for (const node of nodes) {
    const rows = await node.sql(
      "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_local_cert_failures', 'wsrep_local_bf_aborts')",
    );
    for (const line of rows.split('\n')) total += Number(line.split('\t')[1] ?? 0);
  }
  return total;
}

describe('a three-node MariaDB Galera cluster', () => {
  let galera: Galera;
  let db: Sequelize;
  let store: Store;

  beforeAll(async () => {
    galera = await startGalera(3);
    db = new Sequelize('test', 'root', '', {
      dialect: 'mysql',
      host: '127.0.0.1',
      logging: false,
      pool: { max: 6 },
      dialectOptions: { connectTimeout: 2_000 },
    });
    spreadOverNodes(
      db,
      galera.nodes.map((node) => ({ host: '127.0.0.1', port: node.port })),
    );
    store = new SequelizeStore({ db, checkExpirationInterval: 0, operationTimeout: OPERATION_TIMEOUT });
    await store.sync();
  }, 240_000);

  afterAll(async () => {
    await store?.close();
    await db?.close().catch(() => {});
    await galera?.remove();
  }, 120_000);

  test('concurrent saves of one sid through different nodes all succeed: certification conflicts are retried', async () => {
    // One app process per node: group commit keeps one process's saves of a sid in order, so the
    // conflicts come from processes writing one row through different nodes.
    const apps = galera.nodes.map((node) => {
      const direct = new Sequelize(node.url, { logging: false, pool: { max: 4 } });
      return { direct, store: new SequelizeStore({ db: direct, checkExpirationInterval: 0 }) };
    });
    try {
      const before = await conflicts(galera.nodes);
      for (let round = 0; round < 10; round += 1) {
        const saves = apps.flatMap(({ store: app }, node) =>
          Array.from({ length: 4 }, (_, i) =>
            app.set('contended', sessionData(60_000, { round, writer: node * 4 + i })),
          ),
        );
        const outcomes = await Promise.allSettled(saves);
        expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
      }
      expect((await store.get('contended'))?.round).toBe(9);
      // The nodes did refuse some of these writes: the retries above were real.
      expect(await conflicts(galera.nodes)).toBeGreaterThan(before);
    } finally {
      for (const { store: app, direct } of apps) {
        await app.close();
        await direct.close();
      }
    }
  });

  test('a mixed load while a node is stopped and restarted: no acknowledged write lost, the store keeps serving', async () => {
    const [first, second, third] = galera.nodes as [MariaDbServer, MariaDbServer, MariaDbServer];
    const events: string[] = [];
    store.on('disconnect', () => events.push('disconnect'));
    store.on('connect', () => events.push('connect'));
    const load = new MixedLoad(store, { prefix: 'galera', workers: 12 });
    load.start();
    await load.successes(300);

    await second.stop();
    await galera.synced([first, third]);
    await load.successes(300); // served by the two nodes left
    await second.start(); // rejoins by IST
    await galera.synced([first, second, third]);
    const rejoined = Date.now();
    await load.successes(300);
    const report = await load.stop(OPERATION_TIMEOUT * 2);

    expect(report.hung).toEqual([]);
    expect(report.doubled).toEqual([]);
    expect(report.failed.map((op) => `${op.kind}: ${op.error?.message}`)).toEqual([]);
    expect(MixedLoad.failedSince(report, rejoined)).toEqual([]);
    expect(report.staleReads).toEqual([]);
    expect(events).toEqual([]);
    // Every node holds every acknowledged write, the restarted one included.
    for (const node of galera.nodes) {
      const direct = new Sequelize(node.url, { logging: false, pool: { max: 1 } });
      try {
        await direct.query('SET SESSION wsrep_sync_wait = 1');
        expect({ node: node.name, lost: await load.lostWrites(direct, 'Sessions') }).toEqual({
          node: node.name,
          lost: [],
        });
      } finally {
        await direct.close();
      }
    }
    expect(load.knownSids).toBeGreaterThan(20);
    expect(poolCounts(db)).toMatchObject({ using: 0, waiting: 0 });
  });
});
