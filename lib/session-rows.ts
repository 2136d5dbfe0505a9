import type { Model, ModelStatic, Sequelize, SyncOptions, WhereOptions } from 'sequelize';
import type { SessionData } from 'express-session';
import type { SessionAccess } from './access';
import type { SessionCodec } from './session/codec';
import type { DateParameter } from './sql/dates';
import { expiryOf, type TouchThrottle } from './session/expiry';
import { checkDataFits, declaredLimits, probeLimits, type ColumnLimits } from './sql/column-limits';
import { runMigrations, sessionMigrations } from './migrations';
import type { OperationGate } from './operation-gate';
import type { ResolvedOptions } from './resolve-options';
import { checkWhere, findLive, type SessionQueries, type StoredSession } from './sql/listing-queries';
import type { Resilience } from './resilience/resilience';
import type { Runner } from './driver/runner';
import type { SessionIds } from './session/session-ids';
import type { HotStatements, SessionTable } from './sql/hot-statements';
import type { Sweeper } from './cleanup/sweeper';
import type { ListedSession, MigrateOptions } from './types';
import { PREFIX } from './messages';

/** A touch that moves the stored expiry by less than this writes nothing (see the touch statement). */
const TOUCH_RESOLUTION_MS = 1000;

function checkSession(sid: string, session: unknown): asserts session is SessionData {
  if (typeof session !== 'object' || session === null || Array.isArray(session)) {
    throw new TypeError(`${PREFIX} session ${JSON.stringify(sid)} must be an object`);
  }
}

/** A value for a replacement: plain objects and arrays go to JSON columns as JSON text. */
function columnValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'object' && value !== null && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    return JSON.stringify(value);
  }
  return value;
}

/** What the store wires together for its rows. */
export interface SessionRowsParts {
  model: ModelStatic<Model>;
  /** Where the migrations run: the store's `db`. */
  db: Sequelize;
  options: ResolvedOptions;
  access: SessionAccess;
  /** The access's runner, retried by `resilience`. */
  runner: Runner;
  resilience: Resilience;
  date: (value: Date) => DateParameter;
  codec: SessionCodec;
  ids: SessionIds;
  throttle: TouchThrottle;
  gate: OperationGate;
  sweeper: Sweeper;
  /** Where an error no caller waits for goes (an unreadable row). */
  report: (error: unknown) => void;
}

/**
 * Reads and writes the session rows: the hot statements for get, set, touch and destroy, the
 * model API for the cold operations. Each method is one operation, run within its deadline by the store.
 */
export class SessionRows {
  readonly #model: ModelStatic<Model>;
  readonly #db: Sequelize;
  readonly #options: ResolvedOptions;
  readonly #table: SessionTable;
  readonly #sql: HotStatements;
  readonly #runner: Runner;
  readonly #resilience: Resilience;
  readonly #queries: SessionQueries;
  readonly #date: (value: Date) => DateParameter;
  readonly #codec: SessionCodec;
  readonly #ids: SessionIds;
  readonly #throttle: TouchThrottle;
  readonly #gate: OperationGate;
  readonly #sweeper: Sweeper;
  readonly #report: (error: unknown) => void;
  #limits: Promise<ColumnLimits> | undefined;

  constructor(parts: SessionRowsParts) {
    this.#model = parts.model;
    this.#db = parts.db;
    this.#options = parts.options;
    this.#table = parts.access.table;
    this.#sql = parts.access.statements;
    this.#runner = parts.runner;
    this.#resilience = parts.resilience;
    this.#queries = parts.access.queries;
    this.#date = parts.date;
    this.#codec = parts.codec;
    this.#ids = parts.ids;
    this.#throttle = parts.throttle;
    this.#gate = parts.gate;
    this.#sweeper = parts.sweeper;
    this.#report = parts.report;
  }

  #limitsFor(): Promise<ColumnLimits> {
    if (!this.#limits) {
      const probing = probeLimits(this.#model).catch(() => {
        // The table may not exist yet; trust the model this time and look again next time.
        this.#limits = undefined;
        return declaredLimits(this.#model);
      });
      this.#limits = probing;
    }
    return this.#limits;
  }

  async get(sid: string, signal?: AbortSignal): Promise<SessionData | null> {
    const key = this.#ids.key(sid);
    const waiting = this.#gate.usable();
    if (waiting) await waiting; // the hot path skips an await when nothing is pending
    const throttled = this.#throttle.enabled;
    const row = await this.#runner.first(
      throttled ? this.#sql.getWithExpiry : this.#sql.get,
      [key, this.#date(new Date())],
      signal,
    );
    if (!row) return null;
    try {
      const decoded = this.#codec.decode(key, row.data);
      const session = decoded instanceof Promise ? await decoded : decoded; // no await without a cipher
      if (throttled) this.#throttle.remember(key, row.expires);
      return session;
    } catch (error) {
      this.#report(error);
      return null;
    }
  }

  async set(sid: string, session: SessionData, signal?: AbortSignal): Promise<void> {
    const key = this.#ids.key(sid);
    checkSession(key, session);
    const encoded = this.#codec.encode(key, session);
    const data = typeof encoded === 'string' ? encoded : await encoded;
    const expires = expiryOf(session, this.#options.expiration);
    let fields: Record<string, unknown> = { data, expires };
    const extend = this.#options.extendDefaultFields;
    if (extend) {
      const extended: unknown = extend({ data, expires }, session);
      if (typeof extended !== 'object' || extended === null || Array.isArray(extended)) {
        throw new TypeError(`${PREFIX} extendDefaultFields must return an object of attribute values`);
      }
      // data and expires are always written, even when the function leaves them out.
      fields = { ...fields, ...extended };
      if (Object.hasOwn(fields, 'sid')) delete fields.sid;
    }
    const waiting = this.#gate.usable();
    if (waiting) await waiting;
    const limits = await this.#limitsFor();
    this.#ids.checkStorable(key, limits.sidChars);
    checkDataFits(key, fields.data, limits);

    const attributes = Object.keys(fields);
    const statement = this.#sql.upsert(attributes);
    this.#throttle.forget(key);
    if (!statement) {
      await this.#resilience.call(() => this.#model.upsert({ sid: key, ...fields }), signal);
      return;
    }
    const now = this.#date(new Date());
    const params: unknown[] = [key];
    for (const attribute of attributes) {
      const value = fields[attribute];
      params.push(attribute === 'expires' && value instanceof Date ? this.#date(value) : columnValue(value));
    }
    if (this.#table.createdAt) params.push(now);
    if (this.#table.updatedAt) params.push(now);
    await this.#runner.run(statement, params, signal);
  }

  async touch(sid: string, session: SessionData, signal?: AbortSignal): Promise<void> {
    const key = this.#ids.key(sid);
    checkSession(key, session);
    if (this.#options.disableTouch) return;
    const expiresAt = expiryOf(session, this.#options.expiration);
    if (this.#throttle.enabled && this.#throttle.canSkip(key, expiresAt)) return;
    const waiting = this.#gate.usable();
    if (waiting) await waiting;
    const expires = this.#date(expiresAt);
    const now = this.#date(new Date());
    const at = expiresAt.getTime();
    const near = [this.#date(new Date(at - TOUCH_RESOLUTION_MS)), this.#date(new Date(at + TOUCH_RESOLUTION_MS))];
    const params = this.#table.updatedAt ? [expires, now, key, now, ...near] : [expires, key, now, ...near];
    await this.#runner.run(this.#sql.touch, params, signal);
  }

  async destroy(sid: string, signal?: AbortSignal): Promise<void> {
    const key = this.#ids.key(sid);
    this.#throttle.forget(key);
    const waiting = this.#gate.usable();
    if (waiting) await waiting;
    await this.#runner.run(this.#sql.destroy, [key], signal);
  }

  async all(signal?: AbortSignal): Promise<ListedSession[]> {
    await this.#gate.usable();
    return this.#listed(await this.#resilience.call(() => this.#queries.live(new Date()), signal));
  }

  /** Decodes listed rows; an unreadable one is reported and left out. */
  async #listed(rows: StoredSession[]): Promise<ListedSession[]> {
    const sessions: ListedSession[] = [];
    for (const row of rows) {
      try {
        sessions.push({ ...(await this.#codec.decode(row.sid, row.data)), id: row.sid });
      } catch (error) {
        this.#report(error);
      }
    }
    return sessions;
  }

  async length(signal?: AbortSignal): Promise<number> {
    await this.#gate.usable();
    return this.#resilience.call(() => this.#queries.count(new Date()), signal);
  }

  async clear(signal?: AbortSignal): Promise<void> {
    await this.#gate.usable();
    await this.#resilience.call(() => this.#queries.clear(), signal);
  }

  async findWhere(where: WhereOptions, signal?: AbortSignal): Promise<ListedSession[]> {
    checkWhere('findWhere', where);
    await this.#gate.usable();
    return this.#listed(await this.#resilience.call(() => findLive(this.#model, new Date(), where), signal));
  }

  async destroyWhere(where: WhereOptions, signal?: AbortSignal): Promise<number> {
    checkWhere('destroyWhere', where);
    await this.#gate.usable();
    return this.#resilience.call(() => this.#model.destroy({ where }), signal);
  }

  async migrate(options: MigrateOptions): Promise<string[]> {
    await this.#gate.usable();
    const procedures = options.procedures ?? this.#options.storedProcedures;
    const done = await runMigrations(this.#db, sessionMigrations({ model: this.#model, procedures }), options);
    this.#limits = undefined; // the columns may be wider now
    return done;
  }

  async sync(options: SyncOptions | undefined, signal?: AbortSignal): Promise<ModelStatic<Model>> {
    await this.#gate.usable();
    const synced = await this.#resilience.call(() => this.#model.sync(options), signal);
    this.#limits = undefined;
    return synced as unknown as ModelStatic<Model>;
  }

  /** One sweep; `stop` (the timer's) ends it after the batch under way, as closing the store does. */
  async prune(stop?: AbortSignal): Promise<number> {
    await this.#gate.usable();
    return this.#sweeper.sweep(() => !this.#gate.closed && !stop?.aborted);
  }
}
