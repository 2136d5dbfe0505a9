import { ConnectionAcquireTimeoutError, type Sequelize } from 'sequelize';
import { isConnectionLoss } from './errors';
import { connectionManagerOf, knowsServerVersion, loggingOf } from './internals';

/** One way to borrow a connection, and the matching ways to give it back or drop it. */
interface Lending<Connection> {
  borrow: () => Promise<Connection>;
  release: (connection: Connection) => void;
  /** For a connection that failed as a connection does: the pool makes another (maybe to another node). */
  discard: (connection: Connection) => void;
}

/**
 * How a statement borrows a connection. getConnection() costs two hook runs and several awaits
 * per statement: once Sequelize knows the server's version (its first
 * connection asks) and nobody hooks the acquisition or replaced getConnection, the pool is asked
 * directly, as getConnection itself would. A timeout still surfaces as Sequelize's
 * ConnectionAcquireTimeoutError.
 */
function lendingOf<Connection>(sequelize: Sequelize): () => Lending<Connection> {
  const manager = connectionManagerOf<Connection>(sequelize);
  // SQLite's manager has a getConnection of its own and no pool to speak of.
  const pooled = !Object.hasOwn(Object.getPrototypeOf(manager) as object, 'getConnection');
  const destroy = (connection: Connection): void => {
    Promise.resolve(manager.pool.destroy(connection)).catch(() => {}); // it is gone either way
  };
  const viaSequelize: Lending<Connection> = {
    borrow: () => manager.getConnection({ type: 'write', useMaster: true }),
    release: (connection) => void manager.releaseConnection(connection),
    discard: pooled ? destroy : (connection) => void manager.releaseConnection(connection),
  };
  const direct: Lending<Connection> = {
    borrow: () =>
      manager.pool.acquire('write', true).catch((error: unknown) => {
        // sequelize-pool's TimeoutError, which sets no name of its own.
        throw error instanceof Error && error.constructor.name === 'TimeoutError'
          ? new ConnectionAcquireTimeoutError(error)
          : error;
      }),
    release: (connection) => void manager.pool.release(connection),
    discard: destroy,
  };
  // close() replaces getConnection on the instance with one that says so; so may instrumentation.
  return () =>
    !pooled ||
    !knowsServerVersion(sequelize) ||
    Object.hasOwn(manager, 'getConnection') ||
    sequelize.hasHook('beforePoolAcquire') ||
    sequelize.hasHook('afterPoolAcquire')
      ? viaSequelize
      : direct;
}

/** Runs one statement on a borrowed connection and calls `done` once, with its error or its result. */
export type Use<Connection, T> = (connection: Connection, done: (error: unknown, result?: T) => void) => void;

/**
 * Lends a connection of Sequelize's own pool (no second pool) for one statement. Always the
 * primary: a session saved at login must be found by the very next request.
 *
 * `abandon` cuts a connection whose statement outlived its deadline: the driver then fails the
 * statement, so the connection comes back to the pool (which replaces it) instead of staying
 * checked out for as long as a stalled server keeps it.
 */
export function connectionLender<Connection>(sequelize: Sequelize, abandon: (connection: Connection) => void) {
  const lending = lendingOf<Connection>(sequelize);
  // One promise per statement around the driver's own callback: every further promise and then()
  // is an allocation and a microtask on every statement of the hot path.
  return <T>(use: Use<Connection, T>, signal?: AbortSignal): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const { borrow, release, discard } = lending();
      const lent = (connection: Connection): void => {
        if (signal?.aborted) {
          // The pool was slower than the deadline: nobody waits for this statement any more.
          release(connection);
          reject(signal.reason as Error);
          return;
        }
        const cut = (): void => abandon(connection);
        signal?.addEventListener('abort', cut, { once: true });
        let returned = false;
        const done = (error: unknown, result?: T): void => {
          if (returned) return;
          returned = true;
          signal?.removeEventListener('abort', cut);
          if (error == null) {
            release(connection);
            resolve(result as T);
            return;
          }
          // A Galera node not ready yet, or a connection that broke: the retry must not get it back.
          if (isConnectionLoss(error)) discard(connection);
          else release(connection);
          reject(error); // eslint-disable-line @typescript-eslint/prefer-promise-reject-errors -- passed on as thrown
        };
        try {
          use(connection, done);
        } catch (error) {
          done(error ?? new Error('the driver threw nothing')); // e.g. a parameter refused before anything was sent
        }
      };
      borrow().then(lent, reject);
    });
}

/** Sequelize's `logging` option, honoured for our statements too. */
export function statementLogger(sequelize: Sequelize): ((text: string) => void) | undefined {
  const logging = loggingOf(sequelize);
  return logging && ((text) => logging(`Executing (sequelize-session-store): ${text}`));
}
