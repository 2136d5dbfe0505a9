import { Sequelize, type Transaction } from 'sequelize';
import { OperationTimeoutError } from '../../lib/resilience/deadline';
import { isConnectionLoss, isTransient } from '../../lib/driver/errors';
import { availableBackends, openDb, type Backend } from '../support/backends';
import { holdRowLock, impatientDb } from '../support/contention';
import { sessionData, useBackend } from '../support/stores';

/** The error `run` fails with; the test fails if it does not. */
async function errorOf(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

const classes = (error: unknown): { transient: boolean; connectionLoss: boolean } => ({
  transient: isTransient(error),
  connectionLoss: isConnectionLoss(error),
});
const PERMANENT = { transient: false, connectionLoss: false };
const CONTENTION = { transient: true, connectionLoss: false };
const LOST = { transient: true, connectionLoss: true };

/** Kills a connection by its server-side id, from another connection: only the test's own. */
async function kill(backend: Backend, admin: Sequelize, id: number): Promise<void> {
  if (backend.name === 'mariadb') await admin.query(`KILL CONNECTION ${id}`);
  else await admin.query('SELECT pg_terminate_backend(?)', { replacements: [id] });
}

// Each error here is a real one, from a real database, as the store meets it: raw from the driver
// on the hot path, wrapped by Sequelize on the model API.
describe.each(availableBackends())('which errors are retried, on $name', (backend) => {
  const ctx = useBackend(backend);

  test('a syntax error, a missing table and a duplicate key are not', async () => {
    const store = await ctx.store();
    expect(classes(await errorOf(() => ctx.db.query('SELEC 1')))).toEqual(PERMANENT);
    expect(classes(await errorOf(() => ctx.db.query('SELECT * FROM no_such_table_here')))).toEqual(PERMANENT);
    await store.sessionModel.create({ sid: 'dup', expires: new Date(), data: '{}' });
    const duplicate = await errorOf(() => store.sessionModel.create({ sid: 'dup', expires: new Date(), data: '{}' }));
    expect(classes(duplicate)).toEqual(PERMANENT);
  });

  test('a lock wait that runs out is, and is no lost connection', async () => {
    const store = await ctx.store();
    await store.set('locked', sessionData());
    const table = store.sessionModel.getTableName() as string;
    const impatient = impatientDb(backend, ctx.db);
    const lock = await holdRowLock(ctx.db, backend, table, 'locked');
    try {
      const quoted = impatient.getQueryInterface().quoteIdentifier(table);
      const error = await errorOf(() => impatient.query(`UPDATE ${quoted} SET data = '{}' WHERE sid = 'locked'`));
      expect(String(error)).toMatch(/lock wait timeout|lock timeout|SQLITE_BUSY/i);
      expect(classes(error)).toEqual(CONTENTION);
    } finally {
      await lock.release();
      await impatient.close();
    }
  });

  test('a refused connection is, and is a lost connection', async () => {
    const url = new URL(backend.name === 'sqlite' ? 'postgres://postgres@127.0.0.1/test' : backend.url);
    url.port = '1'; // nothing listens there
    const nowhere = new Sequelize(url.toString(), { logging: false });
    try {
      expect(classes(await errorOf(() => nowhere.authenticate()))).toEqual(LOST);
    } finally {
      await nowhere.close();
    }
  });

  test('an operation that ran out of time is not', () => {
    expect(classes(new OperationTimeoutError('get', 10))).toEqual(PERMANENT);
  });

  if (backend.name === 'sqlite') return;

  test('a deadlock is', async () => {
    const store = await ctx.store();
    await store.set('a', sessionData());
    await store.set('b', sessionData());
    const quoted = ctx.db.getQueryInterface().quoteIdentifier(store.sessionModel.getTableName() as string);
    const lockRow = (sid: string, transaction: Transaction): Promise<unknown> =>
      ctx.db.query(`SELECT * FROM ${quoted} WHERE sid = ? FOR UPDATE`, { replacements: [sid], transaction });
    const first = await ctx.db.transaction();
    const second = await ctx.db.transaction();
    try {
      await lockRow('a', first);
      await lockRow('b', second);
      const outcomes = await Promise.allSettled([lockRow('b', first), lockRow('a', second)]);
      const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(failed).toHaveLength(1);
      expect(String(failed[0]!.reason)).toMatch(/deadlock/i);
      expect(classes(failed[0]!.reason)).toEqual(CONTENTION);
    } finally {
      await first.rollback().catch(() => {});
      await second.rollback().catch(() => {});
    }
  });

  test('a connection killed by the server mid-statement is, and is a lost connection', async () => {
    // Through Sequelize, which wraps the driver's error; only the test's own connection is killed.
    const victim = openDb(backend, { pool: { max: 1 } });
    const admin = openDb(backend, { pool: { max: 1 } });
    try {
      const idQuery = backend.name === 'mariadb' ? 'SELECT CONNECTION_ID() AS id' : 'SELECT pg_backend_pid() AS id';
      const [[row]] = (await victim.query(idQuery)) as [{ id: number }[], unknown];
      const sleeping = errorOf(() =>
        victim.query(backend.name === 'mariadb' ? 'SELECT SLEEP(20)' : 'SELECT pg_sleep(20)'),
      );
      await new Promise((resolve) => setTimeout(resolve, 200)); // the sleep is under way
      await kill(backend, admin, Number(row!.id));
      const error = await sleeping;
      expect(classes(error)).toEqual(LOST);
    } finally {
      await victim.close();
      await admin.close();
    }
  });
});
