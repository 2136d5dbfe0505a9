/** A Node-style callback: error first, then the result. */
export type Callback<T = void> = (error: unknown, result?: T) => void;

const ignore = (): void => {};

/**
 * Hands the outcome of `promise` to `callback` exactly once, on a later tick and outside any
 * try/catch, so a callback that throws is neither called twice nor swallowed. The promise is
 * returned already handled: a caller that ignores it (express-session does) never causes an
 * unhandled rejection, while one that awaits it still sees the error.
 */
export function settle<T>(promise: Promise<T>, callback: Callback<T> | undefined): Promise<T> {
  if (typeof callback === 'function') {
    promise.then(
      (result) => process.nextTick(callback, null, result),
      (error: unknown) => process.nextTick(callback, error),
    );
  } else {
    promise.catch(ignore);
  }
  return promise;
}
