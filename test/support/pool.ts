import type { Sequelize } from 'sequelize';

export interface PoolCounts {
  /** Connections open or being opened. */
  size: number;
  available: number;
  /** Connections checked out. */
  using: number;
  /** Callers waiting for a connection. */
  waiting: number;
}

interface CountedPool extends PoolCounts {
  write?: CountedPool;
}

/** The counters of Sequelize's pool (the write pool when replication is configured). */
export function poolCounts(db: Sequelize): PoolCounts {
  const pool = (db as unknown as { connectionManager: { pool: CountedPool } }).connectionManager.pool;
  const counted = pool.write ?? pool;
  return { size: counted.size, available: counted.available, using: counted.using, waiting: counted.waiting };
}
