/** An operation that did not finish within `operationTimeout`. */
export class OperationTimeoutError extends Error {
  override readonly name = 'OperationTimeoutError';
  constructor(
    readonly operation: string,
    readonly timeoutMs: number,
  ) {
    super(`sequelize-session-store: ${operation} did not finish within ${timeoutMs} ms (operationTimeout)`);
  }
}

/**
 * Settles with `work`, or rejects with an OperationTimeoutError once `timeoutMs` have passed,
 * whichever comes first: a callback is never left hanging on a pool that hands out no connection
 * or a server that stopped answering. At the deadline the signal aborts, so that the work stops
 * retrying and gives back the connection it holds; what it still does afterwards is ignored.
 */
export function withDeadline<T>(
  operation: string,
  timeoutMs: number,
  work: (signal: AbortSignal | undefined) => Promise<T>,
): Promise<T> {
  if (timeoutMs <= 0) return work(undefined);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new OperationTimeoutError(operation, timeoutMs);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  return Promise.race([work(controller.signal), expired]).finally(() => clearTimeout(timer));
}
