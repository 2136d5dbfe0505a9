import type { Model, ModelStatic } from 'sequelize';
import type { Statement } from '../driver/statement';
import { PREFIX } from '../messages';
import { prepareStatements } from '../sql/hot-statements';
import { checkName } from '../sql/names';
import { tableNameOf, timestampAttribute } from '../sql/session-table';

/**
 * Stored-procedure mode (MySQL/MariaDB): every store operation is a CALL of a procedure made from
 * the session model. The procedure bodies are the very statements of the hot path, with their
 * placeholders turned into parameters, so both modes read and write rows the same way.
 */

/** One shipped procedure: its name and the statements that drop and create it. */
export interface Procedure {
  name: string;
  drop: string;
  create: string;
}

/** A parameter of a procedure: its quoted name and SQL type. */
export interface ProcedureParam {
  name: string;
  type: string;
}

/** What one procedure does: the operation, its parameters in order, whether it only reads, its body. */
export interface ProcedureSpec {
  op: string;
  params: ProcedureParam[];
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
  const queries = model.sequelize!.getQueryInterface();
  return (name) => queries.quoteIdentifier(name);
}

/** The attributes `set` writes besides sid and the timestamps: data, expires, then any extra columns. */
export function writtenAttributes(model: ModelStatic<Model>): string[] {
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

/** `text` with its `?` placeholders, outside quoted names, replaced by `names` in order. */
function fill(text: string, names: readonly string[]): string {
  let next = 0;
  return text
    .split('`')
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/\?/g, () => names[next++]!)))
    .join('`');
}

/** A hot statement as a procedure body: the statement is asked for its parameters with names for values. */
function withNames<Args>(statement: Statement<Args>, names: Args): string {
  return fill(statement.text, statement.params(names) as string[]);
}

/** The procedures of a model: each made from the statement the plain mode runs for the same operation. */
export function procedureSpecs(model: ModelStatic<Model>): ProcedureSpec[] {
  const dialect = model.sequelize!.getDialect();
  if (dialect !== 'mysql' && dialect !== 'mariadb') {
    throw new TypeError(`${PREFIX} stored procedures need MySQL or MariaDB, not ${dialect}`);
  }
  // The shipped procedures delete on logout: tombstones would need new procedures on every install.
  const { table: t, statements: hot } = prepareStatements(model, { tombstones: false });
  const sequelize = model.sequelize!;
  const quote = quoter(model);
  const attributes = model.getAttributes() as Record<string, AttributeLike>;
  const typeOf = (attribute: string): string =>
    attributes[attribute]!.type.toString({ escape: (value) => sequelize.escape(value as string) });
  const param = (attribute: string, name = attribute): ProcedureParam => ({
    name: quote(`p_${name}`),
    type: typeOf(attribute),
  });
  const present = (attribute: string | undefined): attribute is string =>
    attribute !== undefined && attributes[attribute] !== undefined;
  const createdAt = [timestampAttribute(model, 'createdAt')].filter(present).map((a) => param(a));
  const updatedAt = [timestampAttribute(model, 'updatedAt')].filter(present).map((a) => param(a));
  const stamp = (params: ProcedureParam[]): string => params[0]?.name ?? '';

  const sid = param('sid');
  const now = param('expires', 'now');
  const expires = param('expires');
  const batch = { name: quote('p_batch'), type: 'INT' };
  const written = writtenAttributes(model).map((a) => ({ attribute: a, param: param(a) }));
  const values = Object.fromEntries(written.map((w) => [w.attribute, w.param.name]));
  const spec = (op: string, reads: boolean, params: ProcedureParam[], body: string): ProcedureSpec => ({
    op,
    reads,
    params,
    body,
  });
  const touchNames = { key: sid.name, expires: expires.name, updatedAt: stamp(updatedAt), now: now.name };
  return [
    spec('get', true, [sid, now], withNames(hot.getWithExpiry, { key: sid.name, now: now.name })),
    spec(
      'set',
      false,
      [sid, ...written.map((w) => w.param), ...createdAt, ...updatedAt],
      withNames(hot.upsert(written.map((w) => w.attribute))!, {
        key: sid.name,
        values,
        createdAt: stamp(createdAt),
        updatedAt: stamp(updatedAt),
      }),
    ),
    spec(
      'touch',
      false,
      [expires, ...updatedAt, sid, now],
      withNames(hot.touchAlways, { ...touchNames, earliest: '', latest: '' }),
    ),
    spec('destroy', false, [sid], withNames(hot.destroy, { key: sid.name, expires: '', createdAt: '', updatedAt: '' })),
    // One batch of a sweep, oldest first through the expires index; the store repeats the CALL.
    spec(
      'prune',
      false,
      [now, batch],
      fill(`DELETE FROM ${t.table} WHERE ${t.expires} < ? ORDER BY ${t.expires} LIMIT ?`, [now.name, batch.name]),
    ),
    spec('length', true, [now], fill(`SELECT COUNT(*) AS n FROM ${t.table} WHERE ${t.expires} > ?`, [now.name])),
    spec(
      'all',
      true,
      [now],
      fill(`SELECT ${t.sid} AS sid, ${t.data} AS data FROM ${t.table} WHERE ${t.expires} > ?`, [now.name]),
    ),
    spec('clear', false, [], `DELETE FROM ${t.table}`),
  ];
}

/** The name of the procedure of one operation on the model's table. */
export function procedureName(model: ModelStatic<Model>, op: string): string {
  const name = checkName('procedure name', `${tableNameOf(model)}_${op}`);
  if (name.length > MAX_NAME) {
    throw new TypeError(
      `${PREFIX} procedure name ${name} is longer than ${MAX_NAME} characters; use a shorter table name`,
    );
  }
  return name;
}

/** The procedures of a session model, to create (by migration or from the sql/ files) or drop. */
export function sessionProcedures(model: ModelStatic<Model>): Procedure[] {
  const quote = quoter(model);
  return procedureSpecs(model).map(({ op, params, reads, body }) => {
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
