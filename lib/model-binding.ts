import type { Model, ModelStatic, Sequelize } from 'sequelize';
import { defineSessionModel, SESSION_ATTRIBUTES } from '../models/session';
import { PREFIX } from './messages';
import type { ResolvedOptions } from './options';
import { schemaOf, tableNameOf } from './sql/session-table';

function missingAttributes(model: ModelStatic<Model>): string[] {
  const attributes = model.getAttributes() as Record<string, unknown>;
  return SESSION_ATTRIBUTES.filter((name) => !attributes[name]);
}

/**
 * The model the store works through: `table` when given (it wins over any other model on the db),
 * else the built-in model under `modelKey`, defined once and reused by later stores on that db.
 */
export function bindSessionModel(db: Sequelize, options: ResolvedOptions): ModelStatic<Model> {
  const { table } = options;
  if (table !== undefined) {
    const model = typeof table === 'string' ? db.models[table] : table;
    if (!model) {
      throw new TypeError(`${PREFIX} option \`table\` names ${JSON.stringify(table)}, but db has no such model`);
    }
    const missing = missingAttributes(model);
    if (missing.length > 0) {
      throw new TypeError(
        `${PREFIX} option \`table\` is model ${model.name}, which lacks the attribute(s) ${missing.join(', ')}`,
      );
    }
    return model;
  }

  const existing = db.models[options.modelKey];
  if (!existing) return defineSessionModel(db, options);
  const sameTable = tableNameOf(existing) === options.tableName && schemaOf(existing) === options.schema;
  if (missingAttributes(existing).length === 0 && sameTable) return existing;
  throw new TypeError(
    `${PREFIX} db already has a model named ${JSON.stringify(options.modelKey)} that is not ` +
      `a session model on table ${JSON.stringify(options.tableName)}; pass it as \`table\` if it is meant for ` +
      `sessions, or choose another \`modelKey\``,
  );
}
