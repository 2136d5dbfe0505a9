import { createHash } from 'node:crypto';
import type { Statement } from '../driver/statement';
import { placeholders, upsertTail, type UpsertArgs } from './hot-statements';
import type { SessionTable } from './session-table';

/** One batch of saves of the same attributes: each row as its own save has it, one per key. */
export interface UpsertBatchArgs {
  rows: readonly UpsertArgs[];
}

let batchUpsertCount = 0;

/**
 * The multi-row save, one text per number of rows: the one-row upsert of `hot-statements.ts` with
 * a VALUES row per save, the same conflict clause (with `guarded`, a logout's tombstone is left as
 * it is), and RETURNING *, whose rows the writer hands back to each caller by sid.
 */
export function upsertBatchStatements(
  t: SessionTable,
  dialect: string,
  attributes: readonly string[],
  guarded: boolean,
): (rows: number) => Statement<UpsertBatchArgs> {
  const prefix = `sssu${(batchUpsertCount += 1)}_`;
  const p = placeholders(dialect);
  const written = attributes.map((attribute) => t.column(attribute));
  const stamps = [t.createdAt, t.updatedAt].filter((c): c is string => c !== undefined);
  const columns = [t.sid, ...written, ...stamps];
  const tail = upsertTail(dialect, t, t.updatedAt ? [...written, t.updatedAt] : written, guarded);
  const { createdAt: hasCreatedAt, updatedAt: hasUpdatedAt } = t;
  const params = (a: UpsertBatchArgs): unknown[] => {
    const list: unknown[] = [];
    for (const row of a.rows) {
      list.push(row.key);
      for (const attribute of attributes) list.push(row.values[attribute]);
      if (hasCreatedAt) list.push(row.createdAt);
      if (hasUpdatedAt) list.push(row.updatedAt);
    }
    return list;
  };
  const cache = new Map<number, Statement<UpsertBatchArgs>>();
  return (rows) => {
    let statement = cache.get(rows);
    if (!statement) {
      let position = 0;
      const values = Array.from({ length: rows }, () => `(${columns.map(() => p((position += 1))).join(', ')})`);
      const text = `INSERT INTO ${t.table} (${columns.join(', ')}) VALUES ${values.join(', ')} ${tail} RETURNING *`;
      const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
      statement = { name: `${prefix}upsert${rows}_${hash}`, text, params };
      cache.set(rows, statement);
    }
    return statement;
  };
}
