import type { Model, ModelStatic } from 'sequelize';
import { fieldOf } from './session-table';

interface SidAttribute {
  field?: string;
  primaryKey?: boolean;
  unique?: boolean | string | { name?: string };
}

interface IndexOptions {
  unique?: boolean;
  fields?: (string | { name?: string; attribute?: string })[];
}

/** Whether one index or key of the model makes `sid` alone unique; else a save cannot be one upsert. */
export function sidIsUnique(model: ModelStatic<Model>): boolean {
  const attributes = model.getAttributes() as Record<string, SidAttribute>;
  const sid = attributes.sid!;
  if (sid.primaryKey && model.primaryKeyAttributes.length === 1) return true;
  if (sid.unique === true) return true;
  const group = typeof sid.unique === 'string' ? sid.unique : sid.unique ? sid.unique.name : undefined;
  if (group && !Object.entries(attributes).some(([name, a]) => name !== 'sid' && a.unique === group)) return true;
  const field = fieldOf(model, 'sid');
  const indexes = (model.options.indexes ?? []) as IndexOptions[];
  return indexes.some((index) => {
    if (!index.unique || index.fields?.length !== 1) return false;
    const only = index.fields[0]!;
    const name = typeof only === 'string' ? only : (only.attribute ?? only.name);
    return name === 'sid' || name === field;
  });
}
