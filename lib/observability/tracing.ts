import diagnosticsChannel from 'node:diagnostics_channel';
import { debuglog } from 'node:util';

/** The TracingChannel every operation of every store is published on. */
export const OPERATION_CHANNEL = 'sequelize-session-store:operation';

/**
 * What a subscriber of `sequelize-session-store:operation` receives. `sid` is the row key (the
 * HMAC of the session id with `sidSecret`), present for the operations on one session; `rows` is
 * set on the way out of an operation that read or deleted rows, `error` when it failed.
 */
export interface OperationContext {
  operation: string;
  table: string;
  sid?: string;
  rows?: number;
  error?: unknown;
}

const channel = diagnosticsChannel.tracingChannel<string, OperationContext>(OPERATION_CHANNEL);
const [start, end, asyncStart, asyncEnd, error] = [
  channel.start,
  channel.end,
  channel.asyncStart,
  channel.asyncEnd,
  channel.error,
];
// Node 20.13+ has channel.hasSubscribers; the five channels answer on every release we support.
const subscribed = (): boolean =>
  start.hasSubscribers ||
  end.hasSubscribers ||
  asyncStart.hasSubscribers ||
  asyncEnd.hasSubscribers ||
  error.hasSubscribers;
// NODE_DEBUG is read once, when the process starts.
const debug = debuglog('sequelize-session-store');
const DEBUG = debug.enabled;

/**
 * How many rows an operation's result stands for: a session or none (get), the saved row (set), a
 * list (all, findWhere, a page of iterate), a count (length, destroyWhere, a cleanup batch); nothing
 * for touch, destroy and clear.
 */
function rowsOf(result: unknown): number | undefined {
  if (typeof result === 'number') return result;
  if (Array.isArray(result)) return result.length;
  if (result === null) return 0;
  return typeof result === 'object' ? 1 : undefined;
}

function describeError(error: unknown): string {
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  const kind = typeof name === 'string' ? name : 'Error';
  return typeof code === 'string' || typeof code === 'number' ? `${kind} ${code}` : kind;
}

/** Writes the NODE_DEBUG line of one operation: what, where, how long, how it ended; no session data. */
function logLine(context: OperationContext, started: number): void {
  const ms = (performance.now() - started).toFixed(1);
  const outcome = 'error' in context ? `failed: ${describeError(context.error)}` : 'ok';
  const rows = context.rows === undefined ? '' : ` rows=${context.rows}`;
  debug('%s table=%s %sms %s%s', context.operation, context.table, ms, outcome, rows);
}

/**
 * Publishes the operations of one table. With no subscriber and no NODE_DEBUG the work runs as
 * it is: no context, no closure, no clock.
 */
export class OperationTracer {
  constructor(readonly table: string) {}

  /** True when someone listens: build a context only then. */
  get active(): boolean {
    return DEBUG || subscribed();
  }

  /**
   * Runs `run` as one traced operation; `sid` gives the row key, called only when traced.
   */
  trace<T>(operation: string, run: () => Promise<T>, sid?: () => string | undefined): Promise<T> {
    if (!this.active) return run();
    const context: OperationContext = { operation, table: this.table };
    const key = sid?.();
    if (key !== undefined) context.sid = key;
    const started = performance.now();
    let result: T;
    // The result stays out of the context: it may be session data.
    const counted = async (): Promise<void> => {
      try {
        result = await run();
      } catch (error) {
        context.error = error; // tracePromise sets it only while someone subscribes; NODE_DEBUG needs it too
        throw error;
      }
      const count = rowsOf(result);
      if (count !== undefined) context.rows = count;
    };
    const traced = channel.tracePromise(counted, context).then(() => result);
    if (DEBUG)
      void traced.then(
        () => logLine(context, started),
        () => logLine(context, started),
      );
    return traced;
  }

  /** The NODE_DEBUG line of a whole sweep, after its batches each had their own. */
  sweep(deleted: number, started: number): void {
    if (DEBUG) debug('sweep table=%s %sms deleted=%d', this.table, (performance.now() - started).toFixed(1), deleted);
  }
}
