import type { Model, ModelStatic, Sequelize } from 'sequelize';
import { runsNatively } from '../driver/create-runner';
import type { Runner } from '../driver/runner';
import type { DateParameter } from '../sql/dates';
import { MAX_BATCH_KEY_BYTES, MAX_BATCH_ROWS, touchBatchStatements } from '../sql/batch-statements';
import type { HotStatements, TouchArgs } from '../sql/hot-statements';
import type { SessionTable } from '../sql/session-table';
import { GroupCommit } from './group-commit';

/** Writes one touch; resolves once the statement that carried it has succeeded. */
export type TouchWriter = (args: TouchArgs, signal?: AbortSignal) => Promise<unknown>;

/** What the touch writer needs of the store. */
export interface TouchWriterParts {
  db: Sequelize;
  model: ModelStatic<Model>;
  table: SessionTable;
  statements: HotStatements;
  /** The hot-path runner, which retries each statement as a whole. */
  runner: Runner;
  date: (value: Date) => DateParameter;
  groupCommit: boolean;
  storedProcedures: boolean;
}

/**
 * Touches one statement each, or, with `groupCommit`, by group commit (`group-commit.ts`). The
 * CALLs of stored-procedure mode and the portable `sequelize.query` path keep one statement per touch.
 */
export function touchWriter(parts: TouchWriterParts): TouchWriter {
  const { runner, statements } = parts;
  const one: TouchWriter = (args, signal) => runner.run(statements.touch, args, signal);
  if (!parts.groupCommit || parts.storedProcedures || !runsNatively(parts.db) || !typedAsSent(parts)) return one;
  const batch = touchBatchStatements(parts.table, parts.db.getDialect());
  const { date } = parts;
  const group = new GroupCommit<TouchArgs>(
    (rows, signal) => {
      if (rows.length === 1) return one(rows[0]!, signal);
      const now = date(new Date());
      return runner.run(batch(rows.length), { rows, updatedAt: now, now }, signal);
    },
    // Keys are sent up to three times, in UTF-8 of up to three bytes a character (four takes two).
    (count, keyChars) => count < MAX_BATCH_ROWS && keyChars * 9 <= MAX_BATCH_KEY_BYTES,
  );
  return (args, signal) => group.write(args.key, args, signal);
}

/**
 * PostgreSQL types the batch's sids as text and its dates as timestamptz, which a sid column of
 * another type (uuid) would not compare with: such a table keeps one statement per touch.
 */
function typedAsSent({ db, model }: TouchWriterParts): boolean {
  if (db.getDialect() !== 'postgres') return true;
  const attributes = model.getAttributes() as Record<string, { type?: { key?: string } } | undefined>;
  const key = (attribute: string): string | undefined => attributes[attribute]?.type?.key;
  return ['STRING', 'TEXT', 'CHAR'].includes(key('sid') ?? '') && key('expires') === 'DATE';
}
