import type { Model, ModelStatic, QueryInterface } from 'sequelize';
import { modelQueryGeneratorOf, modelQueryInterfaceOf } from '../driver/internals';
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

/** The column an attribute is stored in, unquoted, as drivers name it in a row. */
export function fieldOf(model: ModelStatic<Model>, attribute: string): string {
  const raw = (model.getAttributes() as Record<string, { field?: string } | undefined>)[attribute];
  return raw?.field ?? attribute;
}

/** The bare table name of a model (without its schema). */
export function tableNameOf(model: ModelStatic<Model>): string {
  const name = model.getTableName() as string | { tableName: string; schema?: string };
  if (typeof name === 'string') return checkName('table name', name);
  if (name.schema) checkName('schema name', name.schema);
  return checkName('table name', name.tableName);
}

/** The schema of a model's table, if it names one (else the search_path, or the connection's database). */
export function schemaOf(model: ModelStatic<Model>): string | undefined {
  const name = model.getTableName() as string | { schema?: string };
  return typeof name === 'string' ? undefined : name.schema || undefined;
}

/**
 * What describes, indexes or drops the model's table on `sequelize` (a migration's live instance,
 * for an offline model): a query interface that names the table's schema as the model does.
 */
export function tableInterfaceOf(model: ModelStatic<Model>, sequelize = model.sequelize!): QueryInterface {
  return modelQueryInterfaceOf(model, sequelize);
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
    table: modelQueryGeneratorOf(model).quoteTable(model.getTableName()),
    sid: column('sid'),
    expires: column('expires'),
    data: column('data'),
    createdAt: createdAt && attributes[createdAt] ? column(createdAt) : undefined,
    updatedAt: updatedAt && attributes[updatedAt] ? column(updatedAt) : undefined,
    column,
  };
}
