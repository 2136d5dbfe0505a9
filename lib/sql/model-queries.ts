import { Op, type Model, type ModelStatic, type WhereOptions } from 'sequelize';
import { PREFIX } from '../messages';

/** A stored session as read for a listing: its sid and its data column, not yet decoded. */
export interface StoredSession {
  sid: string;
  data: unknown;
}

/** The cold operations over many sessions, behind all(), length() and clear(). */
export interface SessionQueries {
  live(now: Date): Promise<StoredSession[]>;
  count(now: Date): Promise<number>;
  clear(): Promise<void>;
}

/** A live session: not expired, and no tombstone (a destroyed session, whose data is NULL). */
function liveAt(now: Date): WhereOptions {
  return { expires: { [Op.gt]: now }, data: { [Op.not]: null } };
}

/** The live sessions, optionally only those matching `where` (conditions on any attribute of the model). */
export async function findLive(model: ModelStatic<Model>, now: Date, where?: WhereOptions): Promise<StoredSession[]> {
  const live = liveAt(now);
  const rows = await model.findAll({
    attributes: ['sid', 'data'],
    where: where ? { [Op.and]: [where, live] } : live,
    raw: true,
    useMaster: true, // with read replicas, a replica may not have the latest sessions yet
  });
  return rows as unknown as StoredSession[];
}

/**
 * One page of the live sessions in sid order, those after `after` (keyset paging: each page is
 * one index range scan, however deep into the table), optionally only those matching `where`.
 */
export async function findLivePage(
  model: ModelStatic<Model>,
  page: { now: Date; after: string | undefined; limit: number; where: WhereOptions | undefined },
): Promise<StoredSession[]> {
  const conditions: WhereOptions[] = [liveAt(page.now)];
  if (page.after !== undefined) conditions.push({ sid: { [Op.gt]: page.after } });
  if (page.where) conditions.push(page.where);
  const rows = await model.findAll({
    attributes: ['sid', 'data'],
    where: { [Op.and]: conditions },
    order: [['sid', 'ASC']],
    limit: page.limit,
    raw: true,
    useMaster: true,
  });
  return rows as unknown as StoredSession[];
}

/** Through the model: Sequelize maps attributes to the model's columns, whatever their `field`. */
export function modelQueries(model: ModelStatic<Model>): SessionQueries {
  return {
    live: (now) => findLive(model, now),
    count: (now) => model.count({ where: liveAt(now), useMaster: true }),
    clear: async () => {
      await model.destroy({ where: {}, truncate: false });
    },
  };
}

const GROUPS: ReadonlySet<PropertyKey> = new Set([Op.and, Op.or, Op.not]);

/**
 * Whether a condition renders to no condition at all: `{}`, or only Op.and / Op.or / Op.not
 * groups of such conditions (`{ [Op.and]: [] }`, `{ [Op.and]: [{}] }`), which Sequelize drops.
 * Anything else (an attribute, a `where()` or `literal()` object) counts as a condition.
 */
function rendersToNothing(where: unknown): boolean {
  if (Array.isArray(where)) return where.every(rendersToNothing);
  if (typeof where !== 'object' || where === null) return false;
  const prototype: unknown = Object.getPrototypeOf(where);
  if (prototype !== Object.prototype && prototype !== null) return false;
  const group = where as Record<PropertyKey, unknown>;
  return Reflect.ownKeys(group).every((key) => GROUPS.has(key) && rendersToNothing(group[key]));
}

/**
 * A condition for findWhere/destroyWhere: an object that renders to a real condition. An empty
 * one, however it is spelled, would match every session; clear() says that on purpose.
 */
export function checkWhere(method: string, where: unknown): asserts where is WhereOptions {
  const isObject = typeof where === 'object' && where !== null && !Array.isArray(where);
  if (!isObject || rendersToNothing(where)) {
    throw new TypeError(
      `${PREFIX} ${method} needs a condition such as { userId: 42 } (use clear() to delete every session)`,
    );
  }
}
