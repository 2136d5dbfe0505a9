import type { Model, ModelStatic, Sequelize } from 'sequelize';
import { runsNatively } from '../driver/create-runner';
import type { Runner } from '../driver/runner';
import type { Row, Statement } from '../driver/statement';
import type { DateParameter } from '../sql/dates';
import { batchSize, MAX_BATCH_BYTES, MAX_BATCH_ROWS, touchBatchStatements } from '../sql/batch-statements';
import { upsertBatchStatements, type UpsertBatchArgs } from '../sql/batch-upsert';
import type { HotStatements, TouchArgs, UpsertArgs } from '../sql/hot-statements';
import { fieldOf, type SessionTable } from '../sql/session-table';
import { isTransient } from '../driver/errors';
import { FailedWrite, GroupCommit } from './group-commit';

/** A save as the writer takes it: its one-row upsert (which returns the row), and what it writes. */
export interface SaveWrite {
  statement: Statement<UpsertArgs>;
  args: UpsertArgs;
  attributes: readonly string[];
  /** Written over a logout's tombstone (a direct save, without a cookie). */
  overTombstone: boolean;
}

/**
 * How the store writes touches and saves: each resolves once the statement that carried it has
 * succeeded; a save to the row it wrote, as stored (none when a tombstone kept it out).
 */
export interface SessionWriter {
  touch(args: TouchArgs, signal?: AbortSignal): Promise<unknown>;
  save(save: SaveWrite, signal?: AbortSignal): Promise<Row | undefined>;
}

/** What the session writer needs of the store. */
export interface SessionWriterParts {
  db: Sequelize;
  model: ModelStatic<Model>;
  table: SessionTable;
  statements: HotStatements;
  /** The hot-path runner, which retries each statement as a whole. */
  runner: Runner;
  date: (value: Date) => DateParameter;
  groupCommit: boolean;
  storedProcedures: boolean;
  /** Whether logouts leave tombstones, which a touch passes by and a save leaves alone. */
  tombstones: boolean;
}

type Write = { touch: TouchArgs } | { save: SaveWrite };

/** PostgreSQL takes at most 65,535 bind parameters in a statement. */
const MAX_BIND_PARAMETERS = 65_535;

/** A generous estimate of a write's bytes on the wire: a touch's key up to three times, and its dates. */
function weigh(write: Write): number {
  if ('touch' in write) return write.touch.key.length * 9 + 64;
  let bytes = write.save.args.key.length * 3 + 64;
  for (const value of Object.values(write.save.args.values)) bytes += typeof value === 'string' ? value.length * 3 : 32;
  return bytes;
}

/**
 * Touches and saves one statement each, or, with `groupCommit`, by group commit (`group-commit.ts`):
 * the writes that arrive while one is in flight go together, the touches as one multi-row UPDATE,
 * the saves of the same columns as one multi-row upsert that returns each caller its row. Touches
 * and saves share one queue, so a session's later write never overtakes an earlier one. The CALLs
 * of stored-procedure mode and the portable `sequelize.query` path keep one statement per write.
 */
export function sessionWriter(parts: SessionWriterParts): SessionWriter {
  const { runner, statements, table } = parts;
  const touchOne = (args: TouchArgs, signal?: AbortSignal) => runner.run(statements.touch, args, signal);
  const saveOne = (save: SaveWrite, signal?: AbortSignal) => runner.first(save.statement, save.args, signal);
  if (!parts.groupCommit || parts.storedProcedures || !runsNatively(parts.db) || !typedAsSent(parts)) {
    return { touch: touchOne, save: saveOne };
  }
  const dialect = parts.db.getDialect();
  const touchBatch = touchBatchStatements(table, dialect, parts.tombstones);
  // One multi-row save per one-row upsert: the same columns, and the same guard against tombstones.
  const upsertBatches = new Map<Statement<UpsertArgs>, (rows: number) => Statement<UpsertBatchArgs>>();
  const upsertBatch = (save: SaveWrite): ((rows: number) => Statement<UpsertBatchArgs>) => {
    let batch = upsertBatches.get(save.statement);
    const guarded = parts.tombstones && !save.overTombstone;
    if (!batch) {
      upsertBatches.set(save.statement, (batch = upsertBatchStatements(table, dialect, save.attributes, guarded)));
    }
    return batch;
  };
  const sidField = fieldOf(parts.model, 'sid');
  const { date } = parts;

  const sendBatch = async (writes: Write[], signal: AbortSignal | undefined): Promise<(Row | undefined)[] | void> => {
    const first = writes[0]!;
    if ('touch' in first) {
      const touches = writes.map((write) => (write as { touch: TouchArgs }).touch);
      if (touches.length === 1) {
        await touchOne(touches[0]!, signal);
      } else {
        const now = date(new Date());
        await runner.run(touchBatch(touches.length), { rows: touches, updatedAt: now, now }, signal);
      }
      return;
    }
    const saves = writes.map((write) => (write as { save: SaveWrite }).save);
    if (saves.length === 1) return [await saveOne(saves[0]!, signal)];
    const statement = upsertBatch(first.save)(saves.length);
    const rows = await runner.all(statement, { rows: saves.map((save) => save.args) }, signal);
    // RETURNING gives no order: each caller gets the row of its own sid (none: a tombstone kept it out).
    const byKey = new Map(rows.map((row) => [String(row[sidField]), row]));
    return saves.map((save) => byKey.get(save.args.key));
  };
  // A batch that still fails transiently after its retries (connections reset one after the other)
  // is split: each write is sent alone, so that one budget of retries is not all its callers get.
  const send = async (
    writes: Write[],
    signal: AbortSignal | undefined,
  ): Promise<(Row | FailedWrite | undefined)[] | void> => {
    try {
      return await sendBatch(writes, signal);
    } catch (error) {
      if (writes.length === 1 || !isTransient(error) || signal?.aborted) throw error;
      return Promise.all(
        writes.map((write) =>
          sendBatch([write], signal).then(
            (results) => results?.[0],
            (alone: unknown) => new FailedWrite(alone),
          ),
        ),
      );
    }
  };
  const group = new GroupCommit<Write, Row>(
    send,
    (count, bytes) => count < MAX_BATCH_ROWS && bytes <= MAX_BATCH_BYTES,
    {
      weigh,
      // Saves share a statement when they share the one-row upsert (its columns, its guard).
      same: (first, write) =>
        'touch' in first ? 'touch' in write : 'save' in write && write.save.statement === first.save.statement,
      size: batchSize,
    },
  );
  return {
    touch: (args, signal) => group.write(args.key, { touch: args }, signal),
    save: (save, signal) => {
      if (save.attributes.length + 3 > MAX_BIND_PARAMETERS / MAX_BATCH_ROWS) return saveOne(save, signal);
      return group.write(save.args.key, { save }, signal);
    },
  };
}

/**
 * PostgreSQL types the touch batch's sids as text and its dates as timestamptz, which a sid column
 * of another type (uuid) would not compare with: such a table keeps one statement per write.
 */
function typedAsSent({ db, model }: SessionWriterParts): boolean {
  if (db.getDialect() !== 'postgres') return true;
  const attributes = model.getAttributes() as Record<string, { type?: { key?: string } } | undefined>;
  const key = (attribute: string): string | undefined => attributes[attribute]?.type?.key;
  return ['STRING', 'TEXT', 'CHAR'].includes(key('sid') ?? '') && key('expires') === 'DATE';
}
