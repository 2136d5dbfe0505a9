import type { Model, ModelStatic } from 'sequelize';
import type { Statement } from '../driver/statement';
import { PREFIX } from '../messages';
import type { DateParameter } from '../sql/dates';
import type { HotStatements, ReadArgs, TouchArgs, UpsertArgs } from '../sql/hot-statements';
import { describeSessionTable, type SessionTable } from '../sql/session-table';
import type { SweepArgs } from '../sql/sweep-statement';
import { procedureName, procedureSpecs, writtenAttributes } from './procedure-definitions';

export interface NowArgs {
  now: DateParameter;
}

/** The statement set of stored-procedure mode: the hot statements plus all(), length() and clear(). */
export interface ProcedureCalls {
  table: SessionTable;
  statements: HotStatements;
  /** → { n } */
  length: Statement<NowArgs>;
  /** → [{ sid, data }] */
  all: Statement<NowArgs>;
  clear: Statement<object>;
  /** One batch of the cleanup sweep, at most `batch` rows; → rows deleted. */
  prune: Statement<SweepArgs>;
}

/**
 * The CALLs the store runs in stored-procedure mode, written once per store like the hot
 * statements. Each takes the same arguments as the statement its procedure was made from, and
 * puts them in the procedure's own order.
 */
export function prepareProcedureCalls(model: ModelStatic<Model>): ProcedureCalls {
  const table = describeSessionTable(model);
  const queries = model.sequelize!.getQueryInterface();
  const arity = new Map(procedureSpecs(model).map((spec) => [spec.op, spec.params.length]));
  const call = <Args>(op: string, params: (args: Args) => unknown[]): Statement<Args> => {
    const name = procedureName(model, op);
    const marks = Array.from({ length: arity.get(op)! }, () => '?').join(', ');
    return { name, text: `CALL ${queries.quoteIdentifier(name)}(${marks})`, params };
  };

  const written = writtenAttributes(model);
  const stamped = (a: { createdAt: DateParameter; updatedAt: DateParameter }): unknown[] => [
    ...(table.createdAt ? [a.createdAt] : []),
    ...(table.updatedAt ? [a.updatedAt] : []),
  ];
  // The procedure takes every written attribute in model order; one the save leaves out is NULL.
  const set = call<UpsertArgs>('set', (a) => [a.key, ...written.map((name) => a.values[name] ?? null), ...stamped(a)]);
  const upsert = (attributes: readonly string[]): Statement<UpsertArgs> => {
    const unknown = attributes.find((attribute) => !written.includes(attribute));
    if (unknown !== undefined) {
      throw new TypeError(`${PREFIX} model ${model.name} has no attribute \`${unknown}\` to write`);
    }
    return set;
  };
  const get = call<ReadArgs>('get', (a) => [a.key, a.now]);
  // The procedure predates the one-second rule: it takes the touch without its bounds.
  const touch = call<TouchArgs>('touch', (a) =>
    table.updatedAt ? [a.expires, a.updatedAt, a.key, a.now] : [a.expires, a.key, a.now],
  );
  return {
    table,
    statements: {
      get,
      getWithExpiry: get,
      touch,
      touchAlways: touch,
      destroy: call('destroy', (a: { key: string }) => [a.key]),
      upsert,
    },
    prune: call<SweepArgs>('prune', (a) => [a.now, a.batch]),
    length: call<NowArgs>('length', (a) => [a.now]),
    all: call<NowArgs>('all', (a) => [a.now]),
    clear: call<object>('clear', () => []),
  };
}
