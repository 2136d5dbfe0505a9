import type { SessionData } from 'express-session';
import { koaStore, type KoaAdaptableStore } from '../../lib/adapters/koa';

/** A store in a Map, with the promise API of the real one. */
function mapStore(): KoaAdaptableStore & { rows: Map<string, SessionData> } {
  const rows = new Map<string, SessionData>();
  return {
    rows,
    get: async (sid) => rows.get(sid) ?? null,
    set: async (sid, session) => void rows.set(sid, session),
    destroy: async (sid) => void rows.delete(sid),
  };
}

describe('the Koa adapter', () => {
  test('a numeric maxAge becomes the expiry of the stored cookie; get gives the session back without it', async () => {
    const store = mapStore();
    const koa = koaStore(store);
    const before = Date.now();
    await koa.set('k', { user: 'ada', _expire: before + 5000, _maxAge: 5000 }, 5000, { rolling: false });
    const stored = store.rows.get('k')!;
    expect(stored.cookie.originalMaxAge).toBe(5000);
    expect(stored.cookie.expires!.getTime()).toBeGreaterThanOrEqual(before + 5000);
    expect(await koa.get('k', 5000, { rolling: false })).toEqual({
      user: 'ada',
      _expire: before + 5000,
      _maxAge: 5000,
    });
    await koa.destroy('k', {});
    expect(await koa.get('k')).toBeNull();
  });

  test("maxAge 'session' stores no expiry: the store's expiration applies", async () => {
    const store = mapStore();
    await koaStore(store).set('k', { user: 'ada', _session: true }, 'session');
    expect(store.rows.get('k')!.cookie).toEqual({ originalMaxAge: null });
  });

  test('a Koa session holding its own "cookie" key, or a maxAge that is no number, is refused', async () => {
    const koa = koaStore(mapStore());
    await expect(koa.set('k', { cookie: 'x' }, 1000)).rejects.toThrow(/cannot hold a "cookie" key/);
    await expect(koa.set('k', {}, Number.NaN)).rejects.toThrow(
      /maxAge must be a number of milliseconds or 'session', received NaN/,
    );
  });

  test('koaStore refuses what is not a store', () => {
    expect(() => koaStore(null as unknown as KoaAdaptableStore)).toThrow(TypeError);
  });
});
