import { Transaction, type Sequelize } from 'sequelize';
import { openDb, type Backend } from './backends';

export interface HeldLock {
  release(): Promise<void>;
}

/**
 * A write lock on the row `sid` of `table`, taken by another connection and held until released:
 * a store statement on that row waits for it (SQLite: the whole file is locked).
 */
export async function holdRowLock(db: Sequelize, backend: Backend, table: string, sid: string): Promise<HeldLock> {
  if (backend.name === 'sqlite') {
    const transaction = await db.transaction({ type: Transaction.TYPES.IMMEDIATE });
    return { release: () => transaction.commit() };
  }
  const transaction = await db.transaction();
  const quoted = db.getQueryInterface().quoteIdentifier(table);
  await db.query(`SELECT * FROM ${quoted} WHERE sid = ? FOR UPDATE`, { replacements: [sid], transaction });
  return { release: () => transaction.commit() };
}

/**
 * A Sequelize instance on the same database whose connections give up waiting for a lock quickly
 * (MariaDB: 1 s, its minimum; PostgreSQL: 200 ms; SQLite never waits), so that a lock wait ends in
 * the database's own lock-timeout error. SQLite: the same file as `sameAs`. `logging` receives each statement.
 */
export function impatientDb(backend: Backend, sameAs: Sequelize, logging: (sql: string) => void = () => {}): Sequelize {
  const storage = (sameAs as unknown as { options: { storage?: string } }).options.storage;
  if (backend.name === 'postgres') {
    return openDb(backend, { logging, pool: { max: 1 }, dialectOptions: { lock_timeout: 200 } });
  }
  // Sequelize itself retries SQLITE_BUSY five times, for seconds: once is enough here.
  const db = openDb(backend, { logging, pool: { max: 1 }, retry: { max: 1 }, ...(storage ? { storage } : {}) });
  if (backend.name === 'mariadb') {
    db.addHook(
      'afterConnect',
      (connection) =>
        new Promise<void>((resolve, reject) =>
          (connection as { query(sql: string, cb: (error: Error | null) => void): void }).query(
            'SET SESSION innodb_lock_wait_timeout = 1',
            (error) => (error ? reject(error) : resolve()),
          ),
        ),
    );
  }
  return db;
}
