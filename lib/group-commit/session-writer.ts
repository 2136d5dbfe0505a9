import type { Model, ModelStatic, Sequelize } from 'sequelize';
import { runsNatively } from '../driver/create-runner';
import type { Runner } from '../driver/runner';
import type { DateParameter } from '../sql/dates';
import { MAX_BATCH_BYTES, MAX_BATCH_ROWS, touchBatchStatements } from '../sql/batch-statements';
import type { HotStatements, TouchArgs } from '../sql/hot-statements';
import type { SessionTable } from '../sql/session-table';
import { GroupCommit } from './group-commit';

/** How the store writes a touch: it resolves once the statement that carried it has succeeded. */
export interface SessionWriter {
  touch(args: TouchArgs, signal?: AbortSignal): Promise<unknown>;
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
  /** Whether logouts leave tombstones, which a touch passes by. */
  tombstones: boolean;
}

/** A generous estimate of a touch's bytes on the wire: its key up to three times, and its dates. */
function weigh(args: TouchArgs): number {
  return args.key.length * 9 + 64;
}

/**
 * Touches one statement each, or, with `groupCommit`, by group commit (`group-commit.ts`): the
 * touches that arrive while one is written go as one multi-row UPDATE. Saves keep one statement
 * each (`set` hands back the row it wrote); so do the CALLs of stored-procedure mode and the
 * portable `sequelize.query` path.
 */
export function sessionWriter(parts: SessionWriterParts): SessionWriter {
  const { runner, statements } = parts;
  const touchOne = (args: TouchArgs, signal?: AbortSignal) => runner.run(statements.touch, args, signal);
  if (!parts.groupCommit || parts.storedProcedures || !runsNatively(parts.db) || !typedAsSent(parts)) {
    return { touch: touchOne };
  }
  const touchBatch = touchBatchStatements(parts.table, parts.db.getDialect(), parts.tombstones);
  const { date } = parts;
  const group = new GroupCommit<TouchArgs>(
    (rows, signal) => {
      if (rows.length === 1) return touchOne(rows[0]!, signal);
      const now = date(new Date());
      return runner.run(touchBatch(rows.length), { rows, updatedAt: now, now }, signal);
    },
    (count, bytes) => count < MAX_BATCH_ROWS && bytes <= MAX_BATCH_BYTES,
    weigh,
  );
  return { touch: (args, signal) => group.write(args.key, args, signal) };
}

/**
 * PostgreSQL types the batch's sids as text and its dates as timestamptz, which a sid column of
 * another type (uuid) would not compare with: such a table keeps one statement per write.
 */
function typedAsSent({ db, model }: SessionWriterParts): boolean {
  if (db.getDialect() !== 'postgres') return true;
  const attributes = model.getAttributes() as Record<string, { type?: { key?: string } } | undefined>;
  const key = (attribute: string): string | undefined => attributes[attribute]?.type?.key;
  return ['STRING', 'TEXT', 'CHAR'].includes(key('sid') ?? '') && key('expires') === 'DATE';
}
