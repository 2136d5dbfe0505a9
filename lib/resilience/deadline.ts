import { PREFIX } from '../messages';

/** An operation that did not finish within `operationTimeout`. */
export class OperationTimeoutError extends Error {
  override readonly name = 'OperationTimeoutError';
  constructor(
    readonly operation: string,
    readonly timeoutMs: number,
  ) {
    super(`${PREFIX} ${operation} did not finish within ${timeoutMs} ms (operationTimeout)`);
  }
}

/**
 * Settles with `work`, or rejects with an OperationTimeoutError once `timeoutMs` have passed,
 * whichever comes first: a callback is never left hanging on a pool that hands out no connection
 * or a server that stopped answering. At the deadline the signal aborts, so that the work stops
 * retrying and gives back the connection it holds; what it still does afterwards is ignored.
 * `onFailure` hears of the failure, timeout included, without a promise of its own; `explain`
 * may replace the error the caller gets with a clearer one.
 */
export function withDeadline<T>(
  operation: string,
  timeoutMs: number,
  work: (signal: AbortSignal | undefined) => Promise<T>,
  onFailure?: (error: unknown) => void,
  explain: (error: unknown) => unknown = same,
): Promise<T> {
  if (timeoutMs <= 0) {
    return onFailure || explain !== same ? work(undefined).catch(failWith(onFailure, explain)) : work(undefined);
  }
  const deadline = new DeadlineSignal();
  // One promise and one timer: Promise.race and finally() would add two more per operation.
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const error = new OperationTimeoutError(operation, timeoutMs);
      deadline.abort(error);
      onFailure?.(error);
      reject(error);
    }, timeoutMs);
    const settled = (): void => clearTimeout(timer);
    let working: Promise<T>;
    try {
      working = work(deadline as unknown as AbortSignal);
    } catch (error) {
      settled();
      onFailure?.(error);
      throw explain(error);
    }
    working.then(
      (value) => {
        settled();
        resolve(value);
      },
      (error: unknown) => {
        settled();
        if (!deadline.aborted) onFailure?.(error); // a failure after the deadline was reported then
        reject(explain(error)); // eslint-disable-line @typescript-eslint/prefer-promise-reject-errors -- passed on as thrown
      },
    );
  });
}

const same = (error: unknown): unknown => error;

/** Calls `onFailure` with the error, then throws it, explained. */
function failWith(
  onFailure: ((error: unknown) => void) | undefined,
  explain: (error: unknown) => unknown,
): (error: unknown) => never {
  return (error) => {
    onFailure?.(error);
    throw explain(error);
  };
}

type Listener = () => void;

/**
 * The part of AbortSignal the store uses (aborted, reason, add/removeEventListener of 'abort'),
 * without EventTarget: an AbortController costs microseconds on every operation of the hot path,
 * and nearly every operation ends long before its deadline.
 */
class DeadlineSignal {
  aborted = false;
  reason: unknown = undefined;
  #listeners: Listener[] | undefined;

  addEventListener(_type: 'abort', listener: Listener): void {
    (this.#listeners ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: Listener): void {
    const index = this.#listeners?.indexOf(listener) ?? -1;
    if (index >= 0) this.#listeners!.splice(index, 1);
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.#listeners ?? [];
    this.#listeners = undefined;
    for (const listener of listeners) listener();
  }
}
