import type { Model, ModelStatic } from 'sequelize';
import { tableNameOf } from '../model-binding';
import { prepareStatements, timestampAttribute, type HotStatements, type SessionTable, type Statement } from '../sql/hot-statements';

/**
 * Stored-procedure mode (MySQL/MariaDB): every store operation is a CALL of a procedure made from
 * the session model. The procedure bodies are the very statements of the hot path, with their
 * placeholders turned into parameters, so both modes read and write rows the same way.
 */

/** A CALL whose parameters, as the store hands them over, must first be put in the procedure's order. */
export interface ProcedureCall extends Statement {
  arrange?(params: readonly unknown[]): unknown[];
}

/** One shipped procedure: its name and the statements that drop and create it. */
export interface Procedure {
  name: string;
  drop: string;
  create: string;
}

/** The statement set of stored-procedure mode: the hot statements plus all(), length() and clear(). */
export interface ProcedureCalls {
  table: SessionTable;
  statements: HotStatements;
  /** (now) → { n } */
  length: ProcedureCall;
  /** (now) → [{ sid, data }] */
  all: ProcedureCall;
  /** () */
  clear: ProcedureCall;
  /** (now, batch) → rows deleted: one batch of the cleanup sweep, at most `batch` rows. */
  prune: ProcedureCall;
}

interface Param {
  name: string;
  type: string;
}

interface Spec {
  op: string;
  params: Param[];
  reads: boolean;
  body: string;
}

interface TypeLike {
  toString(options?: { escape(value: unknown): string }): string;
  key?: string;
}

interface AttributeLike {
  type: TypeLike;
  field?: string;
  autoIncrement?: boolean;
}

const MAX_NAME = 64; // MySQL's longest identifier

function quoter(model: ModelStatic<Model>): (name: string) => string {
  const generator = model.sequelize!.getQueryInterface().queryGenerator as { quoteIdentifier(name: string): string };
  return (name) => generator.quoteIdentifier(name);
}

/** The attributes `set` writes besides sid and the timestamps: data, expires, then any extra columns. */
function writtenAttributes(model: ModelStatic<Model>): string[] {
  const attributes = model.getAttributes() as Record<string, AttributeLike>;
  const skipped = new Set([
    'sid',
    'data',
    'expires',
    timestampAttribute(model, 'createdAt'),
    timestampAttribute(model, 'updatedAt'),
  ]);
  const extra = Object.keys(attributes).filter(
    (name) => !skipped.has(name) && attributes[name]!.type.key !== 'VIRTUAL' && !attributes[name]!.autoIncrement,
  );
  return ['data', 'expires', ...extra];
}

/**
 * Replaces the `?` placeholders of a statement, outside quoted names, with parameter names: in
 * order, or as the statement's `order` says when a parameter fills more than one.
 */
function bindParams(statement: Statement, params: readonly Param[]): string {
  let next = 0;
  const param = (): string => params[statement.order ? statement.order[next++]! : next++]!.name;
  return statement.text
    .split('`')
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/\?/g, param)))
    .join('`');
}

function specsOf(model: ModelStatic<Model>, hot: HotStatements, t: SessionTable): Spec[] {
  const sequelize = model.sequelize!;
  const quote = quoter(model);
  const attributes = model.getAttributes() as Record<string, AttributeLike>;
  const typeOf = (attribute: string): string =>
    attributes[attribute]!.type.toString({ escape: (value) => sequelize.escape(value as string) });
  const param = (attribute: string, name = attribute): Param => ({
    name: quote(`p_${name}`),
    type: typeOf(attribute),
  });
  const createdAt = timestampAttribute(model, 'createdAt');
  const updatedAt = timestampAttribute(model, 'updatedAt');
  const stamps = (which: (string | undefined)[]): Param[] =>
    which.filter((a): a is string => a !== undefined && attributes[a] !== undefined).map((a) => param(a));

  const sid = param('sid');
  const now = param('expires', 'now');
  const written = writtenAttributes(model);
  const spec = (op: string, reads: boolean, params: Param[], statement: Statement): Spec => ({
    op,
    reads,
    params,
    body: bindParams(statement, params),
  });
  const text = (sql: string): Statement => ({ name: '', text: sql });
  return [
    spec('get', true, [sid, now], hot.getWithExpiry),
    spec('set', false, [sid, ...written.map((a) => param(a)), ...stamps([createdAt, updatedAt])], hot.upsert(written)!),
    spec('touch', false, [param('expires'), ...stamps([updatedAt]), sid, now], hot.touchAlways),
    spec('destroy', false, [sid], hot.destroy),
    // One batch of a sweep, oldest first through the expires index; the store repeats the CALL.
    spec(
      'prune',
      false,
      [now, { name: quote('p_batch'), type: 'INT' }],
      text(`DELETE FROM ${t.table} WHERE ${t.expires} < ? ORDER BY ${t.expires} LIMIT ?`),
    ),
    spec('length', true, [now], text(`SELECT COUNT(*) AS n FROM ${t.table} WHERE ${t.expires} > ?`)),
    spec('all', true, [now], text(`SELECT ${t.sid} AS sid, ${t.data} AS data FROM ${t.table} WHERE ${t.expires} > ?`)),
    spec('clear', false, [], text(`DELETE FROM ${t.table}`)),
  ];
}

function procedureName(model: ModelStatic<Model>, op: string): string {
  const name = `${tableNameOf(model)}_${op}`;
  if (name.length > MAX_NAME) {
    throw new TypeError(
      `sequelize-session-store: procedure name ${name} is longer than ${MAX_NAME} characters; use a shorter table name`,
    );
  }
  return name;
}

function checkDialect(model: ModelStatic<Model>): void {
  const dialect = model.sequelize!.getDialect();
  if (dialect !== 'mysql' && dialect !== 'mariadb') {
    throw new TypeError(`sequelize-session-store: stored procedures need MySQL or MariaDB, not ${dialect}`);
  }
}

function build(model: ModelStatic<Model>): { table: SessionTable; hot: HotStatements; specs: Spec[] } {
  checkDialect(model);
  const { table, statements } = prepareStatements(model);
  return { table, hot: statements, specs: specsOf(model, statements, table) };
}

/** The procedures of a session model, to create (by migration or from the sql/ files) or drop. */
export function sessionProcedures(model: ModelStatic<Model>): Procedure[] {
  const { specs } = build(model);
  const quote = quoter(model);
  return specs.map(({ op, params, reads, body }) => {
    const name = procedureName(model, op);
    const signature = params.map((p) => `IN ${p.name} ${p.type}`).join(', ');
    return {
      name,
      drop: `DROP PROCEDURE IF EXISTS ${quote(name)}`,
      // DEFINER rights: the caller needs EXECUTE on the procedure and nothing on the table.
      create:
        `CREATE PROCEDURE ${quote(name)}(${signature})\n` +
        `  ${reads ? 'READS' : 'MODIFIES'} SQL DATA SQL SECURITY DEFINER COMMENT 'sequelize-session-store ${op}'\n` +
        `  ${body}`,
    };
  });
}

/** The CALLs the store runs in stored-procedure mode, written once per store like the hot statements. */
export function prepareProcedureCalls(model: ModelStatic<Model>): ProcedureCalls {
  const { table, specs } = build(model);
  const quote = quoter(model);
  const calls = new Map<string, ProcedureCall>();
  for (const { op, params } of specs) {
    const name = procedureName(model, op);
    calls.set(op, { name, text: `CALL ${quote(name)}(${params.map(() => '?').join(', ')})` });
  }
  const call = (op: string): ProcedureCall => calls.get(op)!;

  const written = writtenAttributes(model);
  const stampCount = [table.createdAt, table.updatedAt].filter((c) => c !== undefined).length;
  const upserts = new Map<string, ProcedureCall>();
  // The store passes (sid, ...attributes, [createdAt,] [updatedAt]) with the attributes in the order
  // extendDefaultFields returned them; the procedure takes every written attribute in model order,
  // and an attribute that was not returned is written as NULL.
  const upsert = (attributes: readonly string[]): ProcedureCall => {
    const key = attributes.join('\0');
    let made = upserts.get(key);
    if (!made) {
      for (const attribute of attributes) {
        if (!written.includes(attribute)) {
          throw new TypeError(
            `sequelize-session-store: model ${model.name} has no attribute \`${attribute}\` to write`,
          );
        }
      }
      const positions = written.map((attribute) => attributes.indexOf(attribute));
      made = {
        ...call('set'),
        arrange: (params) => [
          params[0],
          ...positions.map((at) => (at < 0 ? null : params[at + 1])),
          ...params.slice(params.length - stampCount),
        ],
      };
      upserts.set(key, made);
    }
    return made;
  };

  return {
    table,
    statements: {
      get: call('get'),
      getWithExpiry: call('get'),
      // The procedure predates the one-second rule: it takes the touch's parameters without its bounds.
      touch: { ...call('touch'), arrange: (params: readonly unknown[]) => params.slice(0, -2) } as ProcedureCall,
      touchAlways: call('touch'),
      destroy: call('destroy'),
      upsert,
    },
    prune: call('prune'),
    length: call('length'),
    all: call('all'),
    clear: call('clear'),
  };
}
