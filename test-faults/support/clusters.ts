import { existsSync } from 'node:fs';
import { freePort } from './free-port';
import { MariaDbServer } from './mariadb-server';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  explain: () => string | Promise<string>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms\n${await explain()}`);
    await sleep(200);
  }
}

export interface PrimaryReplica {
  primary: MariaDbServer;
  replica: MariaDbServer;
  /** Waits until the replica has applied everything the primary wrote so far. */
  caughtUp(): Promise<void>;
  remove(): Promise<void>;
}

/** Two mariadbd: a primary with a binary log and a replica following it from its current position. */
export async function startPrimaryReplica(): Promise<PrimaryReplica> {
  const started: MariaDbServer[] = [];
  const remove = async (): Promise<void> => {
    for (const server of started) await server.remove();
  };
  try {
    const primary = await MariaDbServer.create('primary', {
      args: ['--server-id=1', '--log-bin=primary-bin', '--binlog-format=ROW'],
    });
    started.push(primary);
    const replica = await MariaDbServer.create('replica', { args: ['--server-id=2', '--relay-log=replica-relay'] });
    started.push(replica);
    const [file, position] = (await primary.sql('SHOW MASTER STATUS')).split('\t');
    await replica.sql(
      `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${primary.port}, MASTER_USER='root', MASTER_PASSWORD='', ` +
        `MASTER_LOG_FILE='${file}', MASTER_LOG_POS=${Number(position)}; START SLAVE`,
    );
    const status = async (): Promise<string> => JSON.stringify(await replica.row('SHOW SLAVE STATUS'), null, 1);
    await until(
      'replication from the primary',
      async () => {
        const row = await replica.row('SHOW SLAVE STATUS');
        return row.Slave_IO_Running === 'Yes' && row.Slave_SQL_Running === 'Yes';
      },
      30_000,
      async () => `replica status: ${await status()}\nreplica log:\n${replica.log()}`,
    );
    const caughtUp = async (): Promise<void> => {
      const [target] = (await primary.sql('SELECT @@gtid_binlog_pos')).split('\n');
      await until(
        `the replica catching up to ${target}`,
        async () => (await replica.sql(`SELECT MASTER_GTID_WAIT('${target}', 1)`)) === '0',
        30_000,
        async () => `replica status:\n${await status()}`,
      );
    };
    return { primary, replica, caughtUp, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

const GALERA = '/usr/lib/galera/libgalera_smm.so';

export interface Galera {
  nodes: MariaDbServer[];
  /** Waits until these nodes, and only they, form the cluster, each of them synced. */
  synced(members: MariaDbServer[]): Promise<void>;
  remove(): Promise<void>;
}

/**
 * A three-node Galera cluster on loopback: node 1 bootstraps it, nodes 2 and 3 join by rsync SST.
 * Each node has its own ports for SQL, group communication, IST and SST.
 */
export async function startGalera(size = 3): Promise<Galera> {
  if (!existsSync(GALERA)) throw new Error(`${GALERA} is missing: apt-get install galera-4`);
  const ports = [];
  for (let i = 0; i < size; i += 1) {
    ports.push({ sql: await freePort(), group: await freePort(), ist: await freePort(), sst: await freePort() });
  }
  const cluster = `gcomm://${ports.map((p) => `127.0.0.1:${p.group}`).join(',')}`;
  const nodes: MariaDbServer[] = [];
  const remove = async (): Promise<void> => {
    for (const node of nodes) await node.remove();
  };
  const synced = async (members: MariaDbServer[]): Promise<void> => {
    const count = members.length;
    for (const node of members) {
      await until(
        `Galera node ${node.name} synced in a cluster of ${count}`,
        async () => {
          const status = await node.sql(
            "SHOW STATUS WHERE Variable_name IN ('wsrep_cluster_size', 'wsrep_local_state_comment', 'wsrep_ready')",
          );
          const has = (text: string): boolean => status.includes(text);
          return has(`wsrep_cluster_size\t${count}`) && has('Synced') && has('wsrep_ready\tON');
        },
        90_000,
        () => node.log(),
      );
    }
  };
  try {
    for (const [i, p] of ports.entries()) {
      const node = await MariaDbServer.create(`galera${i + 1}`, {
        port: p.sql,
        args: [
          '--wsrep-on=ON',
          `--wsrep-provider=${GALERA}`,
          '--wsrep-cluster-name=sss_faults',
          `--wsrep-cluster-address=${cluster}`,
          `--wsrep-node-name=node${i + 1}`,
          '--wsrep-node-address=127.0.0.1',
          `--wsrep-provider-options=gmcast.listen_addr=tcp://127.0.0.1:${p.group};` +
            `ist.recv_addr=127.0.0.1:${p.ist};gcache.size=64M`,
          '--wsrep-sst-method=rsync',
          `--wsrep-sst-receive-address=127.0.0.1:${p.sst}`,
          '--binlog-format=ROW',
          '--default-storage-engine=InnoDB',
          '--innodb-autoinc-lock-mode=2',
        ],
        firstStart: i === 0 ? ['--wsrep-new-cluster'] : [],
      });
      nodes.push(node);
      await synced(nodes);
    }
    return { nodes, synced, remove };
  } catch (error) {
    // The donor's log says why a joiner could not get the state; keep every node's before removing them.
    const logs = nodes.map((node) => `--- ${node.name} (${node.logFile}):\n${node.log()}`).join('\n');
    await remove();
    throw new Error(`${(error as Error).message}\n${logs}`);
  }
}
