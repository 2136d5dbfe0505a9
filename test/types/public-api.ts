// Type tests of the public API as users see it (the built declarations, by package name).
// `npm run typecheck` compiles this file; each @ts-expect-error must meet an error, or the check fails.
import session from 'express-session';
import { Sequelize } from 'sequelize';
import sequelizeSessionStore from 'sequelize-session-store';
import { defineSessionModel } from 'sequelize-session-store/model';
import { sessionMigrations, type SessionMigration } from 'sequelize-session-store/migrations';

declare module 'express-session' {
  interface SessionData {
    views: number;
  }
}

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | undefined {
  return undefined;
}

const SequelizeStore = sequelizeSessionStore(session.Store);
const db = new Sequelize('sqlite::memory:');
const store = new SequelizeStore({
  db,
  tableName: 'sessions',
  expiration: 60_000,
  touchAfter: 30,
  checkExpirationInterval: false,
});
new SequelizeStore();
defineSessionModel(db, { tableName: 'other' });

// The store is an express-session Store and goes straight into the middleware.
session({ secret: 's', store });
const asStore: session.Store = store;
void asStore;

// Promises carry the typed SessionData.
const got = store.get('sid');
assertType<Equal<typeof got, Promise<session.SessionData | null>>>();
void got.then((s) => s?.views.toFixed());
assertType<Equal<ReturnType<typeof store.length>, Promise<number>>>();
assertType<Equal<ReturnType<typeof store.prune>, Promise<number>>>();
void store.all().then((all) => all.map((s) => s.id.toUpperCase() + s.views));

// Callbacks are typed as well.
void store.get('sid', (error, value) => {
  void error;
  void value;
  assertType<Equal<typeof value, session.SessionData | null | undefined>>();
});
void store.length((_error, count) => count?.toFixed());

// Options are checked.
// @ts-expect-error expiration is a number of milliseconds
new SequelizeStore({ expiration: '1d' });
new SequelizeStore({ ttl: 30 * 60_000 });
new SequelizeStore({ ttl: (s) => (s.cookie.maxAge ?? 0) + 60_000 });
// @ts-expect-error ttl is milliseconds, or a function of the session that returns them
new SequelizeStore({ ttl: () => '1h' });
// @ts-expect-error there is no such option
new SequelizeStore({ expirationn: 5 });
// @ts-expect-error extendDefaultFields returns an object of column values
new SequelizeStore({ extendDefaultFields: () => 'userId' });
new SequelizeStore({ extendDefaultFields: (defaults, s) => ({ ...defaults, views: s.views }) });
// @ts-expect-error set needs a session
void store.set('sid');

// Encryption, hashed ids and limits: secrets are strings, adapters may be async.
new SequelizeStore({ secret: ['new', 'old'], algorithm: 'chacha20-poly1305', disablePlaintext: true, maxSize: 65_536 });
new SequelizeStore({
  sidSecret: 'ids',
  serializer: { stringify: (s) => JSON.stringify(s), parse: (t) => JSON.parse(t) as session.SessionData },
});
const kms: sequelizeSessionStore.EncryptionAdapter = {
  encrypt: (text, sid) => Promise.resolve(`${sid}:${text}`),
  decrypt: (text) => text.slice(text.indexOf(':') + 1),
};
new SequelizeStore({ encryption: kms });
// @ts-expect-error a secret is a string or a list of strings
new SequelizeStore({ secret: Buffer.from('key') });
// @ts-expect-error an adapter needs decrypt too
new SequelizeStore({ encryption: { encrypt: (text: string) => text } });

// The operator's side: migrations, the table options, queries by column.
const migrations: SessionMigration[] = sessionMigrations({
  tableName: 'sessions',
  dataType: 'json',
  procedures: false,
});
void migrations;
assertType<Equal<ReturnType<typeof store.migrate>, Promise<string[]>>>();
void store.migrate({ down: true, ledgerTable: 'ledger' });
assertType<Equal<ReturnType<typeof store.destroyWhere>, Promise<number>>>();
void store.findWhere({ sid: 'a' }).then((found) => found.map((s) => s.id));
new SequelizeStore({ db, createTable: true, storedProcedures: false, dataType: 'json' });
// @ts-expect-error dataType is 'text' or 'json'
new SequelizeStore({ dataType: 'xml' });

// Surviving outages: retries, a time bound, the connection events; the timeout error's type.
new SequelizeStore({ db, retries: 0, operationTimeout: 5_000, disableConnectionEvents: true });
// @ts-expect-error operationTimeout is a number of milliseconds
new SequelizeStore({ operationTimeout: '5s' });

// Cleanup: batches of rows, a hook for failed sweeps, prune() resolving to the rows deleted.
new SequelizeStore({ db, pruneBatchSize: 500, onCleanupError: (error: Error) => console.error(error.message) });
// @ts-expect-error pruneBatchSize is a number of rows
new SequelizeStore({ pruneBatchSize: '500' });
void store.prune().then((deleted: number) => deleted.toFixed());
store.on('disconnect', () => {});
const timedOut = (error: unknown): error is sequelizeSessionStore.OperationTimeoutError =>
  error instanceof Error && error.name === 'OperationTimeoutError';
void store.get('sid').catch((error: unknown) => (timedOut(error) ? error.timeoutMs.toFixed() : undefined));

// The store's events are typed.
store.on('error', (error) => void error.message.toUpperCase());
store.once('disconnect', () => undefined).on('connect', () => undefined);
// @ts-expect-error 'error' passes an Error
store.on('error', (error: number) => void error.toFixed());
// @ts-expect-error 'connect' passes nothing
store.once('connect', (what: string) => void what.toUpperCase());

// iterate yields listed sessions.
async function listAll(): Promise<string[]> {
  const ids: string[] = [];
  for await (const listed of store.iterate({ batchSize: 100, where: { sid: 'x' }, rest: false })) ids.push(listed.id);
  return ids;
}
void listAll;
