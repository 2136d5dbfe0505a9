import type { Model, ModelStatic } from 'sequelize';
import { queryGeneratorOf } from '../driver/internals';
import { PREFIX } from '../messages';
import { checkName } from './names';

/** The physical names behind a session model, quoted for its dialect. */
export interface SessionTable {
  table: string;
  sid: string;
  expires: string;
  data: string;
  createdAt: string | undefined;
  updatedAt: string | undefined;
  /** Quoted column of any attribute of the model. */
  column(attribute: string): string;
}

/** The bare table name of a model (without its schema). */
export function tableNameOf(model: ModelStatic<Model>): string {
  const name = model.getTableName() as string | { tableName: string; schema?: string };
  if (typeof name === 'string') return checkName('table name', name);
  if (name.schema) checkName('schema name', name.schema);
  return checkName('table name', name.tableName);
}

/** The attribute that holds createdAt or updatedAt, if the model keeps it. */
export function timestampAttribute(model: ModelStatic<Model>, which: 'createdAt' | 'updatedAt'): string | undefined {
  const options = model.options as { timestamps?: boolean; createdAt?: string | boolean; updatedAt?: string | boolean };
  if (options.timestamps === false) return undefined;
  const name = options[which];
  if (name === false) return undefined;
  return typeof name === 'string' ? name : which;
}

/** Reads table and column names from the model, the single source of truth for them. */
export function describeSessionTable(model: ModelStatic<Model>): SessionTable {
  const queries = model.sequelize!.getQueryInterface();
  const attributes = model.getAttributes() as Record<string, { field?: string } | undefined>;
  const column = (attribute: string): string => {
    const definition = attributes[attribute];
    if (!definition) throw new TypeError(`${PREFIX} model ${model.name} has no attribute \`${attribute}\``);
    return queries.quoteIdentifier(checkName(`column name of \`${attribute}\``, definition.field ?? attribute));
  };
  const createdAt = timestampAttribute(model, 'createdAt');
  const updatedAt = timestampAttribute(model, 'updatedAt');
  tableNameOf(model);
  return {
    table: queryGeneratorOf(model.sequelize!).quoteTable(model.getTableName()),
    sid: column('sid'),
    expires: column('expires'),
    data: column('data'),
    createdAt: createdAt && attributes[createdAt] ? column(createdAt) : undefined,
    updatedAt: updatedAt && attributes[updatedAt] ? column(updatedAt) : undefined,
    column,
  };
}
