import type { Model, ModelStatic, Sequelize } from 'sequelize';
import type { SessionData } from 'express-session';
import type { Serializer } from '../session/codec';
import type { DefaultFields } from '../session/row-fields';
import type { EncryptionAdapter } from '../session/encryption';
import type { SessionTtl } from '../session/expiry';

/*
 * The store's options as users write them (documented here, shown by their editor) and as the
 * store runs on them once resolved; options.ts checks and resolves them.
 */

/** Reports problems that no caller is waiting for (a failed sweep, a corrupt row). */
export interface Logger {
  warn(message: string): void;
}

export interface SequelizeStoreOptions {
  /**
   * The Sequelize instance that holds the sessions table.
   * When omitted, the store opens its own embedded SQLite file (see `sqlitePath`), creates the
   * table itself and closes the file on `close()`. Requires the `sqlite3` package.
   * @default an embedded SQLite database
   */
  db?: Sequelize;
  /**
   * File of the embedded SQLite database, used only when `db` is omitted.
   * @default './sessions.sqlite'
   */
  sqlitePath?: string;
  /**
   * Your own session model (or the name under which it is defined on `db`), for extra columns.
   * It must have the attributes `sid`, `data` and `expires`; their `field` may name any column.
   * @default the built-in model, defined as `modelKey` on `tableName`
   */
  table?: string | ModelStatic<Model>;
  /**
   * Name of the built-in model on `db` (`db.models[modelKey]`).
   * @default 'Session'
   */
  modelKey?: string;
  /**
   * Table of the built-in model.
   * @default 'Sessions'
   */
  tableName?: string;
  /**
   * Schema of the built-in model's table: a PostgreSQL schema (a table outside `public`), or on
   * MySQL/MariaDB another database on the same server (`` `schema`.`Sessions` ``). The hot
   * statements, `sync()`, `createTable`, the cleanup and `migrate()` all use it. The schema or
   * database must exist. Not with `storedProcedures`, nor on SQLite. With your own model (`table`),
   * its `schema` decides (PostgreSQL only).
   * @default none: the connection's search_path (PostgreSQL) or database (MySQL/MariaDB) decides
   * @example 'auth'
   */
  schema?: string;
  /**
   * Fills extra columns of your own model. Called on every `set` with the default fields and the
   * session; returns the attribute values to write (it may also override `data` or `expires`).
   * @example (defaults, session) => ({ ...defaults, userId: session.userId ?? null })
   */
  extendDefaultFields?: (defaults: DefaultFields, session: SessionData) => Record<string, unknown>;
  /**
   * Never refresh the expiry of an unchanged session (`touch` becomes a no-op).
   * @default false
   */
  disableTouch?: boolean;
  /**
   * Seconds during which an unchanged session is not touched again: `touch` skips the write when
   * the stored expiry was refreshed less than `touchAfter` seconds ago, so the stored expiry lags
   * the cookie's by at most that much. `0` sends every touch, as connect-session-sequelize does
   * (a touch that would move the expiry by less than a second, the cookie's own resolution, writes
   * nothing either way).
   * @default 0
   * @example 300 // at most one expiry write per session every 5 minutes
   */
  touchAfter?: number;
  /**
   * Group commit: while a write of the store is in flight, the touches and saves that arrive wait,
   * then go together: the touches as one multi-row UPDATE, the saves as one multi-row upsert that
   * hands each caller its row (at most 500 a batch, in key order; a session's later write waits for
   * the next batch). A write that finds nothing in flight is sent at once, alone. Each caller is
   * answered only after the statement of its batch has succeeded; an error reaches every caller of
   * the batch. Under load, many writes then share one commit; the cost is the wait of a write that
   * arrives while another is in flight. `false` sends one statement per write. Stored-procedure
   * mode and the portable `sequelize.query` path always do; so does a server without RETURNING
   * for saves (MySQL, MariaDB before 10.5).
   * @default true
   */
  groupCommit?: boolean;
  /**
   * Milliseconds between two sweeps that delete expired sessions. `0`, a negative number or
   * `false` turns the timer off (clean up yourself with `prune()`). The timer never keeps the
   * process alive.
   * @default 900000 (15 minutes)
   */
  checkExpirationInterval?: number | false;
  /**
   * Most rows one DELETE of a cleanup sweep removes. A sweep repeats such batches until the
   * expired rows are gone, so no single statement holds its locks for long.
   * @default 1000 (rows)
   */
  pruneBatchSize?: number;
  /**
   * Called with the error of every failed cleanup sweep, besides the store's `'error'` event (or
   * the `logger` when nobody listens). The next sweep runs as planned either way.
   * @example (error) => metrics.increment('session_cleanup_failed')
   */
  onCleanupError?: (error: Error) => void;
  /**
   * Lifetime in milliseconds of a session whose cookie has no expiry (a browser-session cookie).
   * @default 86400000 (24 hours)
   */
  expiration?: number;
  /**
   * How long the stored session lives, in milliseconds from each `set` or `touch`, whatever its
   * cookie says: an idle timeout shorter than a "remember me" cookie, or a row that outlives a
   * browser-session cookie. A function gets the session and returns the milliseconds (0 or more).
   * `touchAfter` throttles the touches as usual.
   * @default none: the cookie's expiry (or `expiration`)
   * @example (session) => (session.rememberMe ? 30 * 24 * 3600_000 : 30 * 60_000)
   */
  ttl?: SessionTtl;
  /**
   * Where errors that no caller waits for go when the store has no `'error'` listener.
   * `false` silences them.
   * @default console
   */
  logger?: Logger | false;
  /**
   * Turns on authenticated encryption of the data column. Give a list to rotate keys: the first
   * secret encrypts, any of them decrypts. Each secret is stretched into a key once, when the store
   * is built (scrypt, then HKDF-SHA-256); use long random strings all the same.
   * @default none: sessions are stored as plain JSON
   * @example [process.env.SESSION_KEY_NEW, process.env.SESSION_KEY_OLD]
   */
  secret?: string | readonly string[];
  /**
   * A salt of your deployment's own for the scrypt stretching of `secret`: without it every
   * deployment uses the same salt, so one table precomputed from common passphrases serves against
   * all of them. Keep it with the secret's configuration (it need not be secret, but must not
   * change: a new salt makes the rows written before unreadable, as a new secret would).
   * @default the package's fixed salt
   * @example { secret: process.env.SESSION_KEY, secretSalt: 'shop.example.com sessions' }
   */
  secretSalt?: string;
  /**
   * The authenticated (AEAD) cipher used with `secret`: any GCM, CCM or OCB cipher Node offers, or
   * 'chacha20-poly1305'. A cipher without authentication is refused. Changing it makes the rows
   * written before unreadable, as a new secret would.
   * @default 'aes-256-gcm'
   */
  algorithm?: string;
  /**
   * Your own encryption instead of `secret`, e.g. through a KMS: `encrypt(text, sid)` and
   * `decrypt(text, sid)`, sync or async, where `sid` is the row key to bind as associated data.
   * @default none
   */
  encryption?: EncryptionAdapter;
  /**
   * Turns a session into text and back.
   * @default JSON (JSON.stringify / JSON.parse), as connect-session-sequelize stores it
   */
  serializer?: Serializer;
  /**
   * With `secret` or `encryption`: still read a row that is not encrypted, for the migration of a
   * plaintext table to encryption only (such rows are encrypted on their next save). Close the
   * window once the old rows have expired: while it is open, whoever can write the table can plant
   * a plaintext session of their choosing. Without it such a row is no session, plus an `'error'`.
   * @default false
   * @example { secret: process.env.SESSION_KEY, allowPlaintext: true } // until the old rows expire
   */
  allowPlaintext?: boolean;
  /**
   * Accepted for older configurations; refusing plaintext rows is now the default, so `true`
   * changes nothing and `false` does not make them readable again (see `allowPlaintext`).
   * @deprecated use `allowPlaintext` for the migration window
   * @default true with `secret` or `encryption`
   */
  disablePlaintext?: boolean;
  /**
   * Keys each row by the HMAC-SHA-256 of its session id (hex, 64 characters), keyed by this secret,
   * instead of the id itself: a table dump then holds no usable cookie value. Changing it makes every
   * existing session unreachable; `all()` lists each session's `id` as that hash.
   * @default none: rows are keyed by the session id
   */
  sidSecret?: string;
  /**
   * Largest stored session, in bytes of the stored text (UTF-8, after encryption); a bigger one is
   * a RangeError on `set`, including a `data` that `extendDefaultFields` returns. A stored row over
   * it is no session on `get` (plus an `'error'`), never parsed. The data column's own size is
   * always enforced too.
   * @default no limit but the column's
   * @example 64 * 1024
   */
  maxSize?: number;
  /**
   * Create the table at start-up if it is missing (`CREATE TABLE IF NOT EXISTS` and its index,
   * through the model). Every operation waits for that one creation; stores sharing a model share
   * it; a creation that fails is tried again by the next operation. Leave it off when the
   * application's database user may not create tables: run `migrate` instead.
   * @default false
   */
  createTable?: boolean;
  /**
   * Run every operation (get, set, touch, destroy, length, all, clear, prune) as a CALL of the
   * shipped stored procedures, so the database user needs only EXECUTE on them. MySQL or MariaDB
   * through mysql2 (Sequelize's `mysql` dialect); install the procedures with
   * `migrate({ procedures: true })` or the `sql/*-procedures.sql` files.
   * @default false
   */
  storedProcedures?: boolean;
  /**
   * Type of the built-in model's data column: `'text'` (LONGTEXT on MySQL/MariaDB, TEXT elsewhere)
   * or `'json'` (JSON on MySQL/MariaDB and SQLite, JSONB on PostgreSQL). Sessions read back the same
   * either way. With your own model (`table`), its data attribute decides.
   * @default 'text'
   */
  dataType?: 'text' | 'json';
  /**
   * How many times a statement that failed transiently is tried again: a lost or refused
   * connection, a deadlock, a lock wait timeout, a Galera certification conflict, a serialization
   * failure, SQLITE_BUSY. The pauses grow exponentially (100 ms, 200 ms, 400 ms, … up to 2 s, each
   * jittered). Any other error fails at once. `0` never retries.
   * @default 3
   */
  retries?: number;
  /**
   * Milliseconds an operation may take in all, retries and the wait for a pooled connection
   * included; past it the operation fails with an `OperationTimeoutError` and a statement still
   * running is abandoned (its connection is closed and replaced). `0` sets no bound.
   * @default 10000 (10 seconds)
   */
  operationTimeout?: number;
  /**
   * Do not emit `'disconnect'` / `'connect'` when the database becomes unreachable and comes back.
   * With the events, express-session serves requests without a session while the database is
   * away; without them, each such request fails with the database error.
   * @default false
   */
  disableConnectionEvents?: boolean;
}

/** The options after defaults and validation: what the store runs on. */
export interface ResolvedOptions {
  db: Sequelize | undefined;
  sqlitePath: string;
  table: string | ModelStatic<Model> | undefined;
  modelKey: string;
  tableName: string;
  schema: string | undefined;
  extendDefaultFields: SequelizeStoreOptions['extendDefaultFields'];
  disableTouch: boolean;
  touchAfter: number;
  groupCommit: boolean;
  checkExpirationInterval: number;
  pruneBatchSize: number;
  onCleanupError: ((error: Error) => void) | undefined;
  expiration: number;
  ttl: SessionTtl | undefined;
  logger: Logger | false;
  secret: readonly string[] | undefined;
  secretSalt: string | undefined;
  algorithm: string;
  encryption: EncryptionAdapter | undefined;
  serializer: Serializer | undefined;
  allowPlaintext: boolean;
  /** Whether a row that is not encrypted is refused: `!allowPlaintext`. */
  disablePlaintext: boolean;
  sidSecret: string | undefined;
  maxSize: number;
  createTable: boolean;
  storedProcedures: boolean;
  dataType: 'text' | 'json';
  retries: number;
  operationTimeout: number;
  disableConnectionEvents: boolean;
}
