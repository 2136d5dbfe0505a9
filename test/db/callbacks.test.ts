import { availableBackends } from '../support/backends';
import { rowsOf, sessionData, useBackend } from '../support/stores';

/** Calls `run` with a callback and resolves, once the callback came, with every call it got. */
function callsOf(
  run: (callback: (...args: unknown[]) => void) => unknown,
): Promise<{ calls: unknown[][]; sync: boolean }> {
  return new Promise((resolve) => {
    const calls: unknown[][] = [];
    let returned = false;
    let sync = false;
    run((...args) => {
      if (!returned) sync = true;
      calls.push(args);
      // Then wait a little for a wrongly doubled call to show up as well. Waiting for the first call
      // instead of a fixed time keeps a slow database (a loaded CI machine) from failing the test.
      if (calls.length === 1) setTimeout(() => resolve({ calls, sync }), 50);
    });
    returned = true;
  });
}

describe.each(availableBackends())('callbacks and promises on $name', (backend) => {
  const ctx = useBackend(backend);

  test('each operation calls its callback once, asynchronously, and also returns a promise', async () => {
    const store = await ctx.store();
    const session = sessionData(60_000, { n: 1 });
    const expected = JSON.parse(JSON.stringify(session));
    const cases: [string, (cb: (...args: unknown[]) => void) => Promise<unknown>, unknown][] = [
      ['set', (cb) => store.set('s', session, cb), expect.any(store.sessionModel)], // the saved row, as connect-session-sequelize
      ['get', (cb) => store.get('s', cb), expected],
      ['touch', (cb) => store.touch('s', session, cb), undefined],
      ['length', (cb) => store.length(cb), 1],
      ['all', (cb) => store.all(cb), [{ ...expected, id: 's' }]],
      ['destroy', (cb) => store.destroy('s', cb), undefined],
      ['prune', (cb) => store.prune(cb), 0],
      ['clear', (cb) => store.clear(cb), undefined],
    ];
    for (const [name, run, result] of cases) {
      let promise: Promise<unknown> | undefined;
      const { calls, sync } = await callsOf((cb) => {
        promise = run(cb);
      });
      expect({ name, sync, calls }).toEqual({ name, sync: false, calls: [[null, result]] });
      await expect(promise).resolves.toEqual(result);
    }
  });

  test('an error reaches the callback once and rejects the promise', async () => {
    const store = await ctx.store();
    let promise: Promise<unknown> | undefined;
    const { calls } = await callsOf((cb) => {
      promise = store.get(42 as never, cb);
    });
    expect(calls).toHaveLength(1);
    expect(calls[0]![0]).toBeInstanceOf(TypeError);
    expect(String(calls[0]![0])).toMatch(/a session id must be a non-empty string, received number/);
    await expect(promise).rejects.toThrow(TypeError);
  });

  test('a failing call without a callback that nobody awaits is no unhandled rejection', async () => {
    const store = await ctx.store();
    void store.set('', sessionData());
    void store.get(undefined as never);
    void store.destroy({} as never);
    void store.touch('s', null as never);
    void store.set('s', [] as never);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // no-unhandled-rejections.ts fails the test if any of these surfaced
  });

  test('a database error reaches the caller', async () => {
    const store = await ctx.store();
    await store.sessionModel.drop();
    await expect(store.get('s')).rejects.toThrow(/exist|no such table/i);
    const { calls } = await callsOf((cb) => void store.set('s', sessionData(), cb));
    expect(calls).toHaveLength(1);
    expect(String(calls[0]![0])).toMatch(/exist|no such table/i);
    await store.sync();
  });

  test('after close, operations fail cleanly and a user db stays open', async () => {
    const store = await ctx.store();
    await store.set('s', sessionData());
    await store.close();
    await expect(store.get('s')).rejects.toThrow(/the store is closed/);
    await expect(store.close()).resolves.toBeUndefined();
    expect(Object.keys(await rowsOf(store))).toEqual(['s']);
  });
});
