import { backoff, retry, type RetryPolicy } from '../../lib/resilience/retry';

class Transient extends Error {}
const policy = (retries: number): RetryPolicy => ({ retries, isTransient: (error) => error instanceof Transient });

/** An attempt that fails with the given errors in turn, then succeeds; counts its calls. */
function scripted(...failures: Error[]): { attempt: () => Promise<string>; calls: () => number } {
  let calls = 0;
  return {
    attempt: async () => {
      const failure = failures[calls];
      calls += 1;
      if (failure) throw failure;
      return 'done';
    },
    calls: () => calls,
  };
}

describe('the pause between attempts', () => {
  test('doubles from 100 ms up to 2 s, jittered between half and all of it', () => {
    const lowest = [0, 1, 2, 3, 4, 5, 8].map((n) => backoff(n, () => 0));
    const highest = [0, 1, 2, 3, 4, 5, 8].map((n) => backoff(n, () => 1));
    expect(highest).toEqual([100, 200, 400, 800, 1600, 2000, 2000]);
    expect(lowest).toEqual([50, 100, 200, 400, 800, 1000, 1000]);
  });
});

describe('retry', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('tries a transient failure again until it succeeds', async () => {
    const { attempt, calls } = scripted(new Transient('deadlock'), new Transient('deadlock'));
    const result = retry(attempt, policy(3));
    await jest.runAllTimersAsync();
    await expect(result).resolves.toBe('done');
    expect(calls()).toBe(3);
  });

  test('gives up after `retries` more attempts, with the last error', async () => {
    const { attempt, calls } = scripted(new Transient('1'), new Transient('2'), new Transient('3'), new Transient('4'));
    const result = retry(attempt, policy(2));
    result.catch(() => {});
    await jest.runAllTimersAsync();
    await expect(result).rejects.toThrow('3');
    expect(calls()).toBe(3);
  });

  test('fails at once on an error that is not transient', async () => {
    const { attempt, calls } = scripted(new Error('syntax error'));
    await expect(retry(attempt, policy(3))).rejects.toThrow('syntax error');
    expect(calls()).toBe(1);
  });

  test('stops waiting and trying when the signal aborts, with its reason', async () => {
    const { attempt, calls } = scripted(new Transient('1'), new Transient('2'));
    const controller = new AbortController();
    const result = retry(attempt, policy(5), controller.signal);
    result.catch(() => {});
    await jest.advanceTimersByTimeAsync(1); // the first attempt failed; the pause has begun
    controller.abort(new Error('deadline'));
    await expect(result).rejects.toThrow('deadline');
    await jest.runAllTimersAsync();
    expect(calls()).toBe(1);
  });
});
