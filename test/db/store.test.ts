import { availableBackends } from '../support/backends';
import { liveRowsOf, rowsOf, sessionData, useBackend } from '../support/stores';

describe.each(availableBackends())('the Store API on $name', (backend) => {
  const ctx = useBackend(backend);

  test('set stores one row that get reads back', async () => {
    const store = await ctx.store();
    const session = sessionData(60_000, { user: 'ada', visits: 3 });
    await store.set('sid-1', session);

    const rows = await rowsOf(store);
    expect(Object.keys(rows)).toEqual(['sid-1']);
    expect(JSON.parse(String(rows['sid-1']!.data))).toEqual(JSON.parse(JSON.stringify(session)));
    expect(new Date(rows['sid-1']!.expires as string).getTime()).toBe(session.cookie.expires!.getTime());
    expect(rows['sid-1']!.createdAt).toBeTruthy();
    expect(rows['sid-1']!.updatedAt).toBeTruthy();

    expect(await store.get('sid-1')).toEqual(JSON.parse(JSON.stringify(session)));
  });

  test('get of an unknown sid is null', async () => {
    const store = await ctx.store();
    expect(await store.get('nobody')).toBeNull();
  });

  test('set of an existing sid replaces its data and expiry, keeping createdAt', async () => {
    const store = await ctx.store();
    await store.set('sid-1', sessionData(60_000, { n: 1 }));
    const before = (await rowsOf(store))['sid-1']!;
    const later = sessionData(120_000, { n: 2 });
    await store.set('sid-1', later);

    const rows = await rowsOf(store);
    expect(Object.keys(rows)).toHaveLength(1);
    expect(JSON.parse(String(rows['sid-1']!.data)).n).toBe(2);
    expect(new Date(rows['sid-1']!.expires as string).getTime()).toBe(later.cookie.expires!.getTime());
    expect(new Date(rows['sid-1']!.createdAt as string).getTime()).toBe(new Date(before.createdAt as string).getTime());
    expect((await store.get('sid-1'))?.n).toBe(2);
  });

  test('sids that differ only in case are two sessions', async () => {
    const store = await ctx.store();
    await store.set('abc', sessionData(60_000, { who: 'lower' }));
    await store.set('ABC', sessionData(60_000, { who: 'upper' }));
    expect(Object.keys(await rowsOf(store)).sort()).toEqual(['ABC', 'abc']);
    expect((await store.get('abc'))?.who).toBe('lower');
    expect((await store.get('ABC'))?.who).toBe('upper');
    await store.destroy('ABC');
    expect((await store.get('abc'))?.who).toBe('lower');
  });

  test('destroy ends the session (its row a tombstone), and succeeds when there is none', async () => {
    const store = await ctx.store();
    await store.set('gone', sessionData());
    await store.set('kept', sessionData());
    await store.destroy('gone');
    expect(Object.keys(await liveRowsOf(store))).toEqual(['kept']);
    expect((await rowsOf(store)).gone?.data).toBeNull();
    await expect(store.destroy('gone')).resolves.toBeUndefined();
    await expect(store.destroy('never-was')).resolves.toBeUndefined();
  });

  describe('expiry', () => {
    test('comes from cookie.expires given as a Date', async () => {
      const store = await ctx.store();
      const expires = new Date(Date.now() + 3_600_000);
      await store.set('s', { cookie: { expires } } as never);
      expect(new Date((await rowsOf(store)).s!.expires as string).getTime()).toBe(expires.getTime());
    });

    test('comes from cookie.expires given as an ISO string (a session that went through JSON)', async () => {
      const store = await ctx.store();
      const expires = new Date(Date.now() + 7_200_000);
      await store.set('s', { cookie: { expires: expires.toISOString() } } as never);
      expect(new Date((await rowsOf(store)).s!.expires as string).getTime()).toBe(expires.getTime());
    });

    test('is now + expiration for a cookie without expiry', async () => {
      const store = await ctx.store({ expiration: 5 * 60_000 });
      const before = Date.now();
      await store.set('s', { cookie: { expires: null, originalMaxAge: null } });
      const stored = new Date((await rowsOf(store)).s!.expires as string).getTime();
      expect(stored).toBeGreaterThanOrEqual(before + 5 * 60_000 - 1000);
      expect(stored).toBeLessThanOrEqual(Date.now() + 5 * 60_000 + 1000);
    });

    test('get never returns an expired session, even before any cleanup', async () => {
      const store = await ctx.store();
      await store.set('old', sessionData(-1000, { user: 'ghost' }));
      expect(Object.keys(await rowsOf(store))).toEqual(['old']);
      expect(await store.get('old')).toBeNull();
    });

    test('length and all count only live sessions', async () => {
      const store = await ctx.store();
      await store.set('live-1', sessionData(60_000, { n: 1 }));
      await store.set('live-2', sessionData(60_000, { n: 2 }));
      await store.set('dead', sessionData(-60_000, { n: 3 }));
      expect(await store.length()).toBe(2);
      const all = await store.all();
      expect(all.map((s) => s.id).sort()).toEqual(['live-1', 'live-2']);
      expect(all.find((s) => s.id === 'live-2')).toMatchObject({ id: 'live-2', n: 2, cookie: { path: '/' } });
    });

    test('prune deletes only expired rows and says how many', async () => {
      const store = await ctx.store();
      await store.set('live', sessionData(60_000));
      await store.set('dead-1', sessionData(-60_000));
      await store.set('dead-2', sessionData(-1));
      expect(await store.prune()).toBe(2);
      expect(Object.keys(await rowsOf(store))).toEqual(['live']);
      expect(await store.clearExpiredSessions()).toBe(0);
    });
  });

  describe('touch', () => {
    test('updates only the expiry, never the data', async () => {
      const store = await ctx.store();
      await store.set('s', sessionData(60_000, { cart: ['book'] }));
      const later = sessionData(600_000, { cart: ['something else'] });
      await store.touch('s', later);
      const row = (await rowsOf(store)).s!;
      expect(new Date(row.expires as string).getTime()).toBe(later.cookie.expires!.getTime());
      expect(JSON.parse(String(row.data)).cart).toEqual(['book']);
    });

    test('of a missing sid is no error and creates no row', async () => {
      const store = await ctx.store();
      await expect(store.touch('nobody', sessionData())).resolves.toBeUndefined();
      expect(await rowsOf(store)).toEqual({});
    });

    test('does not bring an expired session back', async () => {
      const store = await ctx.store();
      await store.set('s', sessionData(-1000));
      await store.touch('s', sessionData(60_000));
      expect(await store.get('s')).toBeNull();
      expect(new Date((await rowsOf(store)).s!.expires as string).getTime()).toBeLessThan(Date.now());
    });

    test('is a no-op with disableTouch', async () => {
      const store = await ctx.store({ disableTouch: true });
      const first = sessionData(60_000);
      await store.set('s', first);
      await store.touch('s', sessionData(600_000));
      expect(new Date((await rowsOf(store)).s!.expires as string).getTime()).toBe(first.cookie.expires!.getTime());
    });
  });

  test('clear empties this store’s table and no other', async () => {
    const mine = await ctx.store();
    const other = await ctx.store();
    await mine.set('a', sessionData());
    await mine.set('b', sessionData());
    await other.set('c', sessionData());
    await mine.clear();
    expect(await rowsOf(mine)).toEqual({});
    expect(Object.keys(await rowsOf(other))).toEqual(['c']);
  });

  test('fifty concurrent first saves of one new sid all succeed and leave one row', async () => {
    const store = await ctx.store();
    const saves = Array.from({ length: 50 }, (_, i) => store.set('race', sessionData(60_000, { writer: i })));
    const outcomes = await Promise.allSettled(saves);
    expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
    const rows = await rowsOf(store);
    expect(Object.keys(rows)).toEqual(['race']);
    const writer = (await store.get('race'))?.writer;
    expect(typeof writer).toBe('number');
  });
});
