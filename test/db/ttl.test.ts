import { availableBackends } from '../support/backends';
import { errorsOf, rowsOf, sessionData, useBackend } from '../support/stores';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** The stored expiry of a sid, in ms since the epoch. */
async function storedExpiry(rows: Record<string, Record<string, unknown>>, sid: string): Promise<number> {
  return new Date(rows[sid]!.expires as string).getTime();
}

describe.each(availableBackends())('the ttl option on $name', (backend) => {
  const ctx = useBackend(backend);

  test('without ttl, the row expires with the cookie, as before', async () => {
    const store = await ctx.store();
    const session = sessionData(30 * DAY);
    await store.set('s', session);
    expect(await storedExpiry(await rowsOf(store), 's')).toBe(session.cookie.expires!.getTime());
  });

  test('a number of ms: set stores now + ttl, whatever the cookie says (shorter or longer)', async () => {
    const store = await ctx.store({ ttl: 30 * MINUTE });
    const before = Date.now();
    await store.set('remember-me', sessionData(30 * DAY));
    await store.set('browser-session', { cookie: { path: '/', httpOnly: true, originalMaxAge: null } });
    const after = Date.now();
    const rows = await rowsOf(store);
    for (const sid of ['remember-me', 'browser-session']) {
      const at = await storedExpiry(rows, sid);
      expect(at).toBeGreaterThanOrEqual(before + 30 * MINUTE - 1000); // MySQL DATETIME may round to the second
      expect(at).toBeLessThanOrEqual(after + 30 * MINUTE + 1000);
    }
    expect(await store.get('remember-me')).not.toBeNull();
  });

  test('a function gets the session and returns its lifetime', async () => {
    const seen: unknown[] = [];
    const store = await ctx.store({
      ttl: (session) => {
        seen.push(session.rememberMe);
        return session.rememberMe ? 7 * DAY : 10 * MINUTE;
      },
    });
    const before = Date.now();
    await store.set('long', sessionData(DAY, { rememberMe: true }));
    await store.set('short', sessionData(DAY, { rememberMe: false }));
    const rows = await rowsOf(store);
    expect(seen).toEqual([true, false]);
    expect(Math.abs((await storedExpiry(rows, 'long')) - (before + 7 * DAY))).toBeLessThan(5000);
    expect(Math.abs((await storedExpiry(rows, 'short')) - (before + 10 * MINUTE))).toBeLessThan(5000);
  });

  test('a row whose ttl has passed is gone for get, though its cookie still runs', async () => {
    const store = await ctx.store({ ttl: (session) => (session.idle ? 0 : DAY) });
    await store.set('idle', sessionData(DAY, { idle: true }));
    await store.set('busy', sessionData(DAY, { idle: false }));
    await new Promise((resolve) => setTimeout(resolve, 1100)); // DATETIME columns keep whole seconds
    expect(await store.get('idle')).toBeNull();
    expect(await store.get('busy')).not.toBeNull();
    expect(await store.length()).toBe(1);
  });

  test('touch moves the stored expiry to now + ttl', async () => {
    const store = await ctx.store({ ttl: 10 * MINUTE });
    const session = sessionData(DAY);
    await store.set('s', session);
    await store.sessionModel.update({ expires: new Date(Date.now() + MINUTE) }, { where: { sid: 's' } });
    const before = Date.now();
    await store.touch('s', session);
    const at = await storedExpiry(await rowsOf(store), 's');
    expect(Math.abs(at - (before + 10 * MINUTE))).toBeLessThan(5000);
  });

  test('touchAfter skips a touch that would move the ttl expiry by less than touchAfter', async () => {
    const store = await ctx.store({ ttl: 10 * MINUTE, touchAfter: 60 });
    const session = sessionData(DAY);
    await store.set('s', session);
    const written = await storedExpiry(await rowsOf(store), 's');
    await store.get('s');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await store.touch('s', session); // 1 s later: within touchAfter, nothing written
    expect(await storedExpiry(await rowsOf(store), 's')).toBe(written);

    // The stored expiry was refreshed long ago: the touch writes.
    await store.sessionModel.update({ expires: new Date(Date.now() + 5 * MINUTE) }, { where: { sid: 's' } });
    await store.get('s');
    const before = Date.now();
    await store.touch('s', session);
    expect(Math.abs((await storedExpiry(await rowsOf(store), 's')) - (before + 10 * MINUTE))).toBeLessThan(5000);
  });

  test('a ttl function that returns no number fails that set with a TypeError and writes nothing', async () => {
    const store = await ctx.store({ ttl: () => Number.NaN });
    errorsOf(store);
    await expect(store.set('s', sessionData())).rejects.toThrow(/the `ttl` function must return a number/);
    expect(await rowsOf(store)).toEqual({});
  });
});
