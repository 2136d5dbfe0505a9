import { createHash } from 'node:crypto';
import { DataTypes, Op, Transaction, type Model, type ModelStatic, type Sequelize } from 'sequelize';
import { PREFIX } from './messages';
import type { ResolvedOptions } from './options';
import { isMySqlFamily } from './sql/dialect';
import { tableNameOf } from './sql/session-table';
import { sidIsUnique } from './sql/unique-sid';

/** The hooks whose work connect-session-sequelize's saves, touches and destroys set off. */
const HOOKS = [
  'beforeValidate',
  'afterValidate',
  'beforeCreate',
  'afterCreate',
  'beforeUpdate',
  'afterUpdate',
  'beforeSave',
  'afterSave',
  'beforeUpsert',
  'afterUpsert',
  'beforeDestroy',
  'afterDestroy',
  'beforeBulkCreate',
  'afterBulkCreate',
  'beforeBulkUpdate',
  'afterBulkUpdate',
  'beforeBulkDestroy',
  'afterBulkDestroy',
] as const;

interface RawAttribute {
  field?: string;
  primaryKey?: boolean;
  defaultValue?: unknown;
  validate?: Record<string, unknown>;
}

const hasKeys = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && Object.keys(value).length > 0;

/**
 * What the model asks Sequelize to do on its own (hooks, validations, JavaScript defaults,
 * paranoid deletes), which plain statements would skip; empty for a plain model.
 */
export function modelBehaviour(model: ModelStatic<Model>): string[] {
  const found: string[] = [];
  const hooks = HOOKS.filter((name) => model.hasHook(name));
  if (hooks.length > 0) found.push(`hooks (${hooks.join(', ')})`);
  const attributes = Object.entries(model.getAttributes() as Record<string, RawAttribute>);
  const validated = attributes.filter(([, a]) => hasKeys(a.validate)).map(([name]) => name);
  if (validated.length > 0 || hasKeys(model.options.validate)) {
    found.push(`validations (${[...validated, ...(hasKeys(model.options.validate) ? ['the model'] : [])].join(', ')})`);
  }
  // A literal default is in the table's DDL too; a computed one only Sequelize knows.
  const computed = attributes
    .filter(([, a]) => typeof a.defaultValue === 'function' || a.defaultValue instanceof DataTypes.ABSTRACT)
    .map(([name]) => name);
  if (computed.length > 0) found.push(`JavaScript defaultValue (${computed.join(', ')})`);
  if (model.options.paranoid) found.push('paranoid');
  return found;
}

/** SQLite has one writer at a time: the saves of one process wait their turn here, not in SQLITE_BUSY. */
const sqliteQueues = new WeakMap<Sequelize, Promise<unknown>>();

function serialized<T>(sequelize: Sequelize, work: () => Promise<T>): Promise<T> {
  const before = sqliteQueues.get(sequelize) ?? Promise.resolve();
  const result = before.then(work, work);
  sqliteQueues.set(
    sequelize,
    result.catch(() => undefined),
  );
  return result;
}

/** A stored session as the model path reads it. */
export interface ModelRow {
  data: unknown;
  expires: Date | null;
}

/**
 * Sessions through the model API, for a model that has Sequelize behaviour (`full`: every
 * operation) or no unique `sid` (saves only): each save finds the row under a lock on its sid,
 * then updates or creates it, so that concurrent saves of one sid never make two rows.
 */
export class ModelPath {
  readonly #model: ModelStatic<Model>;
  readonly #sequelize: Sequelize;
  readonly #dialect: string;
  /** Also get, touch and destroy go through the model (hooks, paranoid). */
  readonly full: boolean;

  constructor(model: ModelStatic<Model>, full: boolean) {
    this.#model = model;
    this.#sequelize = model.sequelize!;
    this.#dialect = this.#sequelize.getDialect();
    this.full = full;
  }

  get(key: string, now: Date): Promise<ModelRow | null> {
    return this.#model.findOne({
      attributes: ['data', 'expires'],
      where: { sid: key, expires: { [Op.gt]: now } },
      raw: true,
      useMaster: true,
    }) as unknown as Promise<ModelRow | null>;
  }

  async touch(key: string, expires: Date, now: Date): Promise<void> {
    await this.#model.update({ expires }, { where: { sid: key, expires: { [Op.gt]: now } }, individualHooks: true });
  }

  async destroy(key: string): Promise<void> {
    await this.#model.destroy({ where: { sid: key }, individualHooks: true });
  }

  /** Saves under a lock on the sid; resolves to the row as stored. */
  save(key: string, fields: Record<string, unknown>): Promise<Model> {
    const sqlite = this.#dialect === 'sqlite';
    const run = (): Promise<Model> =>
      this.#sequelize.transaction(
        // SQLite: IMMEDIATE takes the write lock at BEGIN, so two processes cannot both find no row.
        sqlite ? { type: Transaction.TYPES.IMMEDIATE } : {},
        (transaction) => this.#saveLocked(key, fields, transaction),
      );
    return sqlite ? serialized(this.#sequelize, run) : run();
  }

  async #saveLocked(key: string, fields: Record<string, unknown>, transaction: Transaction): Promise<Model> {
    const release = await this.#lock(key, transaction);
    try {
      const model = this.#model;
      // A locking read: on MySQL it waits for a row another save inserted and has not committed.
      const found = await model.findOne({ where: { sid: key }, transaction, paranoid: false, lock: true });
      if (!found) return await model.create({ sid: key, ...fields }, { transaction });
      // A session destroyed on a paranoid model is saved anew, as connect-session-sequelize's create would.
      if (model.options.paranoid && found.isSoftDeleted()) await found.restore({ transaction });
      found.set(fields);
      await found.save({ transaction });
      // MySQL's DATETIME may drop what a Date holds: the stamps as stored.
      if (isMySqlFamily(this.#dialect)) await found.reload({ transaction, paranoid: false });
      return found;
    } finally {
      await release();
    }
  }

  /** A lock on this sid of this table, held until the transaction ends (MySQL: until released). */
  async #lock(key: string, transaction: Transaction): Promise<() => Promise<void>> {
    const name = `${tableNameOf(this.#model)}\0${key}`;
    const query = (sql: string, replacements: unknown[]) => this.#sequelize.query(sql, { replacements, transaction });
    if (this.#dialect === 'postgres') {
      await query('SELECT pg_advisory_xact_lock(hashtext(?))', [name]);
    } else if (isMySqlFamily(this.#dialect)) {
      // GET_LOCK names are at most 64 characters.
      const lock = `sss:${createHash('sha1').update(name).digest('hex')}`;
      const [rows] = await query('SELECT GET_LOCK(?, 30) AS got', [lock]);
      if (Number((rows as { got?: unknown }[])[0]?.got) !== 1) throw new Error(`could not lock session ${key}`);
      return async () => {
        await query('SELECT RELEASE_LOCK(?)', [lock]);
      };
    }
    return async () => {};
  }
}

/**
 * The model path for a model that plain statements would not serve faithfully, said once through
 * the logger with what it costs; undefined for a plain model with a unique sid (the fast path).
 */
export function modelPathFor(model: ModelStatic<Model>, options: ResolvedOptions): ModelPath | undefined {
  const behaviour = modelBehaviour(model);
  const unique = sidIsUnique(model);
  if (behaviour.length === 0 && unique) return undefined;
  if (options.storedProcedures) {
    const why = unique ? `has ${behaviour.join(', ')}` : 'has no unique index on sid';
    throw new TypeError(`${PREFIX} option \`storedProcedures\` cannot serve model ${model.name}, which ${why}`);
  }
  const log = options.logger ? options.logger.warn.bind(options.logger) : () => {};
  if (behaviour.length > 0) {
    log(
      `${PREFIX} model ${model.name} has ${behaviour.join(', ')}: its sessions are read, saved, touched and ` +
        'destroyed through the model API so that they apply; a save is a locked read and a write in a ' +
        'transaction instead of one upsert (several times slower). A model without them keeps the fast path.',
    );
  }
  if (!unique) {
    log(
      `${PREFIX} model ${model.name} has no unique index on sid: each save locks the sid in a transaction, ` +
        'reads, then updates or inserts (4 to 6 statements instead of one upsert). `store.migrate()` ' +
        '(or `sequelize-session-store migrate`) adds the unique index; then declare `unique: true` on sid.',
    );
  }
  return new ModelPath(model, behaviour.length > 0);
}
