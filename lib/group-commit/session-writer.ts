import type { Model, ModelStatic, Sequelize } from 'sequelize';
import { runsNatively } from '../driver/create-runner';
import type { Runner } from '../driver/runner';
import type { Statement } from '../driver/statement';
import type { DateParameter } from '../sql/dates';
import { MAX_BATCH_BYTES, MAX_BATCH_ROWS, touchBatchStatements, upsertBatchStatements } from '../sql/batch-statements';
import type { HotStatements, TouchArgs, UpsertArgs } from '../sql/hot-statements';
import type { SessionTable } from '../sql/session-table';
import { GroupCommit } from './group-commit';

/** How the store writes a session: each resolves once the statement that carried it has succeeded. */
export interface SessionWriter {
  touch(args: TouchArgs, signal?: AbortSignal): Promise<unknown>;
  save(statement: Statement<UpsertArgs>, args: UpsertArgs, signal?: AbortSignal): Promise<unknown>;
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
}

type Write = { kind: 'touch'; args: TouchArgs } | { kind: 'save'; statement: Statement<UpsertArgs>; args: UpsertArgs };

/** A generous estimate of a write's bytes on the wire: keys up to three times, text in UTF-8. */
function weigh(write: Write): number {
  let bytes = write.args.key.length * 9 + 64;
  if (write.kind === 'save') {
    for (const value of Object.values(write.args.values)) if (typeof value === 'string') bytes += value.length * 3;
  }
  return bytes;
}

/**
 * Touches and saves one statement each, or, with `groupCommit`, by group commit
 * (`group-commit.ts`): the touches of a batch as one multi-row UPDATE, its saves as one multi-row
 * upsert per set of columns, one after the other. The CALLs of stored-procedure mode and the
 * portable `sequelize.query` path keep one statement per write.
 */
export function sessionWriter(parts: SessionWriterParts): SessionWriter {
  const { runner, statements } = parts;
  const touchOne = (args: TouchArgs, signal?: AbortSignal) => runner.run(statements.touch, args, signal);
  const saveOne = (statement: Statement<UpsertArgs>, args: UpsertArgs, signal?: AbortSignal) =>
    runner.run(statement, args, signal);
  if (!parts.groupCommit || parts.storedProcedures || !runsNatively(parts.db) || !typedAsSent(parts)) {
    return { touch: touchOne, save: saveOne };
  }
  const touchBatch = touchBatchStatements(parts.table, parts.db.getDialect());
  const upsertBatch = upsertBatchStatements(parts.db.getDialect());
  const { date } = parts;

  const sendTouches = (rows: TouchArgs[], signal?: AbortSignal): Promise<unknown> => {
    if (rows.length === 1) return touchOne(rows[0]!, signal);
    const now = date(new Date());
    return runner.run(touchBatch(rows.length), { rows, updatedAt: now, now }, signal);
  };
  const sendSaves = async (statement: Statement<UpsertArgs>, rows: UpsertArgs[], signal?: AbortSignal) => {
    const batch = rows.length > 1 ? upsertBatch(statement, rows.length) : undefined;
    if (batch) await runner.run(batch, rows, signal);
    else for (const args of rows) await saveOne(statement, args, signal);
  };

  const group = new GroupCommit<Write>(
    async (writes, signal) => {
      const touches: TouchArgs[] = [];
      const saves = new Map<Statement<UpsertArgs>, UpsertArgs[]>();
      for (const write of writes) {
        if (write.kind === 'touch') touches.push(write.args);
        else saves.set(write.statement, [...(saves.get(write.statement) ?? []), write.args]);
      }
      for (const [statement, rows] of saves) await sendSaves(statement, rows, signal);
      if (touches.length > 0) await sendTouches(touches, signal);
    },
    (count, bytes) => count < MAX_BATCH_ROWS && bytes <= MAX_BATCH_BYTES,
    weigh,
  );
  return {
    touch: (args, signal) => group.write(args.key, { kind: 'touch', args }, signal),
    save: (statement, args, signal) => group.write(args.key, { kind: 'save', statement, args }, signal),
  };
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
