import { Sequelize } from 'sequelize';
import { CleanupTimer } from '../../lib/cleanup/cleanup-timer';
import { sqliteFile } from '../support/backends';
import { SequelizeStore } from '../support/stores';

const INTERVAL = 1000;

/** A sweep the test ends by hand, counting how many run and how many at once. */
function controlledSweeps() {
  const state = { started: 0, active: 0, maxActive: 0, signals: [] as AbortSignal[], finish: [] as (() => void)[] };
  const sweep = (signal: AbortSignal): Promise<void> => {
    state.started += 1;
    state.active += 1;
    state.maxActive = Math.max(state.maxActive, state.active);
    state.signals.push(signal);
    return new Promise((resolve) =>
      state.finish.push(() => {
        state.active -= 1;
        resolve();
      }),
    );
  };
  return { state, sweep };
}

const noReport = (error: Error): never => {
  throw error;
};

describe('the cleanup timer', () => {
  beforeEach(() => {
    // Promise callbacks, nextTick and setImmediate stay real: only the clock is the test's.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  });
  afterEach(() => {
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  test.each([0, 0.5, 1 - 1e-12])('waits the interval ±10%%: with Math.random() = %s, 0.9× to 1.1×', async (random) => {
    jest.spyOn(Math, 'random').mockReturnValue(random);
    const { state, sweep } = controlledSweeps();
    const pruner = new CleanupTimer(sweep, INTERVAL, noReport);
    pruner.start();
    const expected = INTERVAL * (0.9 + 0.2 * random);
    await jest.advanceTimersByTimeAsync(Math.floor(expected) - 1);
    expect(state.started).toBe(0);
    await jest.advanceTimersByTimeAsync(1100 - (Math.floor(expected) - 1));
    expect(state.started).toBe(1);
    pruner.stop();
  });

  test('the longest interval plus its jitter never overflows Node’s timer (which would fire at once)', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(1 - 1e-12);
    const { state, sweep } = controlledSweeps();
    const pruner = new CleanupTimer(sweep, 2 ** 31 - 1, noReport);
    pruner.start();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(state.started).toBe(0);
    pruner.stop();
  });

  test('jitters every delay within ±10% of the interval, and not all alike', async () => {
    const starts: number[] = [];
    const pruner = new CleanupTimer(async () => void starts.push(Date.now()), INTERVAL, noReport);
    const began = Date.now();
    pruner.start();
    await jest.advanceTimersByTimeAsync(40 * INTERVAL);
    pruner.stop();
    const gaps = starts.map((at, i) => at - (i === 0 ? began : starts[i - 1]!));
    expect(gaps.length).toBeGreaterThan(30);
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(900);
      expect(gap).toBeLessThanOrEqual(1100);
    }
    expect(new Set(gaps).size).toBeGreaterThan(1);
  });

  test('never keeps the process alive: its timer is unref’d, before and after a sweep', async () => {
    const { state, sweep } = controlledSweeps();
    const timers: NodeJS.Timeout[] = [];
    const setTimeoutSpy = jest.spyOn(global, 'setTimeout');
    const pruner = new CleanupTimer(sweep, INTERVAL, noReport);
    pruner.start();
    await jest.advanceTimersByTimeAsync(1100);
    state.finish.shift()!();
    await jest.advanceTimersByTimeAsync(0);
    for (const result of setTimeoutSpy.mock.results) timers.push(result.value as NodeJS.Timeout);
    expect(timers).toHaveLength(2);
    expect(timers.map((t) => t.hasRef())).toEqual([false, false]);
    pruner.stop();
  });

  test('arms the next sweep only when the previous one ended: a slow sweep is never overlapped', async () => {
    const { state, sweep } = controlledSweeps();
    const pruner = new CleanupTimer(sweep, INTERVAL, noReport);
    pruner.start();
    await jest.advanceTimersByTimeAsync(1100);
    expect(state.started).toBe(1);
    await jest.advanceTimersByTimeAsync(20 * INTERVAL); // the sweep takes twenty intervals
    expect(state.started).toBe(1);
    expect(jest.getTimerCount()).toBe(0);

    state.finish.shift()!();
    await jest.advanceTimersByTimeAsync(1100);
    expect(state.started).toBe(2);
    expect(state.maxActive).toBe(1);
    pruner.stop();
  });

  test('stop() and start() while a sweep runs never lead to two sweeps at once', async () => {
    const { state, sweep } = controlledSweeps();
    const pruner = new CleanupTimer(sweep, INTERVAL, noReport);
    pruner.start();
    await jest.advanceTimersByTimeAsync(1100);
    expect(state.started).toBe(1);

    pruner.stop();
    expect(state.signals[0]!.aborted).toBe(true); // the sweep is told to end after its batch
    pruner.start();
    pruner.stop();
    pruner.start();
    expect(jest.getTimerCount()).toBe(0); // nothing armed beside the running sweep
    await jest.advanceTimersByTimeAsync(5 * INTERVAL);
    expect(state.started).toBe(1);

    state.finish.shift()!();
    await jest.advanceTimersByTimeAsync(1100);
    expect(state.started).toBe(2);
    expect(state.signals[1]!.aborted).toBe(false);
    expect(state.maxActive).toBe(1);
    pruner.stop();
  });

  test('stop() ends the timer; idle() settles when the running sweep has ended', async () => {
    const { state, sweep } = controlledSweeps();
    const pruner = new CleanupTimer(sweep, INTERVAL, noReport);
    pruner.start();
    await jest.advanceTimersByTimeAsync(1100);
    pruner.stop();
    let idle = false;
    void pruner.idle().then(() => (idle = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(idle).toBe(false);
    state.finish.shift()!();
    await jest.advanceTimersByTimeAsync(0);
    expect(idle).toBe(true);
    await jest.advanceTimersByTimeAsync(10 * INTERVAL);
    expect(state.started).toBe(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  test('a failed sweep is reported (and given to the hook), and the next sweep still runs', async () => {
    const reported: Error[] = [];
    const hooked: Error[] = [];
    let calls = 0;
    const failing = async (): Promise<void> => {
      calls += 1;
      if (calls === 1) throw new Error('table gone');
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- a sweep may fail with anything
      if (calls === 2) throw 'a string';
    };
    const pruner = new CleanupTimer(
      failing,
      INTERVAL,
      (e) => reported.push(e),
      (e) => void hooked.push(e),
    );
    pruner.start();
    await jest.advanceTimersByTimeAsync(3 * 1100);
    pruner.stop();
    expect(calls).toBe(3);
    expect(reported.map((e) => e.message)).toEqual(['table gone', 'a string']);
    expect(reported.every((e) => e instanceof Error)).toBe(true);
    expect(hooked).toEqual(reported);
  });

  test.each([
    [
      'throws',
      (): never => {
        throw new Error('hook broke');
      },
    ],
    ['rejects', (): Promise<never> => Promise.reject(new Error('hook broke'))],
  ])('a hook that %s is reported too, never lost as an unhandled rejection', async (_, hook) => {
    const reported: string[] = [];
    const failing = (): Promise<never> => Promise.reject(new Error('sweep broke'));
    const pruner = new CleanupTimer(failing, INTERVAL, (e) => reported.push(e.message), hook);
    pruner.start();
    await jest.advanceTimersByTimeAsync(1100);
    pruner.stop();
    expect(reported).toEqual(['sweep broke', 'hook broke']);
  });

  test.each([0, -1])('an interval of %s arms no timer', (interval) => {
    const pruner = new CleanupTimer(() => Promise.resolve(), interval, noReport);
    pruner.start();
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('the store’s cleanup timer', () => {
  let db: Sequelize;
  beforeAll(() => {
    db = new Sequelize({ dialect: 'sqlite', storage: sqliteFile(), logging: false });
  });
  afterAll(() => db.close());
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  test.each([0, -1, false] as const)('checkExpirationInterval: %s starts no timer, even when asked to', (interval) => {
    const store = new SequelizeStore({ db, checkExpirationInterval: interval });
    expect(jest.getTimerCount()).toBe(0);
    store.startExpiringSessions();
    expect(jest.getTimerCount()).toBe(0);
  });

  test('starts by itself, stops with stopExpiringSessions(), restarts, and close() stops it for good', async () => {
    const store = new SequelizeStore({ db });
    expect(jest.getTimerCount()).toBe(1);
    store.stopExpiringSessions();
    expect(jest.getTimerCount()).toBe(0);
    store.startExpiringSessions();
    store.startExpiringSessions();
    expect(jest.getTimerCount()).toBe(1);
    await store.close();
    expect(jest.getTimerCount()).toBe(0);
    store.startExpiringSessions();
    expect(jest.getTimerCount()).toBe(0);
  });
});
