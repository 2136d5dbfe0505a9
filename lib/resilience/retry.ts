/** First and largest pause between two attempts, in milliseconds. */
const BASE_DELAY_MS = 100;
const MAX_DELAY_MS = 2_000;

/**
 * The pause before retry number `retry` (0 for the first): exponential, capped, and jittered
 * between half and all of it, so that the requests that failed together do not come back together
 * (a deadlock retried in step deadlocks again) yet never retry at once.
 */
export function backoff(retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** retry);
  return ceiling / 2 + (random() * ceiling) / 2;
}

/** Waits `ms`, or less if the signal aborts first. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export interface RetryPolicy {
  /** Further attempts after the first one. */
  retries: number;
  /** Whether an error is worth another attempt. */
  isTransient(error: unknown): boolean;
}

/**
 * Calls `attempt` until it succeeds, it fails with an error that is not transient, the retries are
 * spent, or `signal` aborts (the caller's deadline passed: its reason is thrown). Only for
 * operations that are safe to repeat; every statement of the store is (an upsert, an expiry
 * update, deletes and reads by key), even when a lost connection hides whether it was applied.
 */
export function retry<T>(attempt: () => Promise<T>, policy: RetryPolicy, signal?: AbortSignal): Promise<T> {
  return attemptOnce(attempt).catch((error: unknown) => retryAfter(error, attempt, policy, signal));
}

/** The first attempt, with no async frame of its own: nearly every call succeeds at once. */
export function attemptOnce<T>(attempt: () => Promise<T>): Promise<T> {
  try {
    return attempt();
  } catch (error) {
    return Promise.reject(error); // eslint-disable-line @typescript-eslint/prefer-promise-reject-errors -- as thrown
  }
}

/** The attempts after a first one that failed with `firstError`, as retry() makes them. */
export async function retryAfter<T>(
  firstError: unknown,
  attempt: () => Promise<T>,
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
): Promise<T> {
  let error = firstError;
  for (let retries = 0; ; retries += 1) {
    if (signal?.aborted) throw signal.reason;
    if (retries >= policy.retries || !policy.isTransient(error)) throw error;
    await pause(backoff(retries), signal);
    if (signal?.aborted) throw signal.reason;
    try {
      return await attempt();
    } catch (next) {
      error = next;
    }
  }
}
