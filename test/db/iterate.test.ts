import { Op } from 'sequelize';
import { availableBackends } from '../support/backends';
import { errorsOf, sessionData, tagOf, useBackend, type Store } from '../support/stores';

/** Collects what an async iterable yields. */
async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

const sid = (n: number): string => `s${String(n).padStart(4, '0')}`;

/** `count` live sessions s0000, s0001, …, each with `n`, written in a shuffled order. */
async function fill(store: Store, count: number): Promise<string[]> {
  const sids = Array.from({ length: count }, (_, n) => sid(n));
  const shuffled = [...sids].sort(() => Math.random() - 0.5);
  await store.sessionModel.bulkCreate(
    shuffled.map((s) => ({
      sid: s,
      expires: new Date(Date.now() + 60_000),
      data: JSON.stringify(sessionData(60_000, { n: Number(s.slice(1)) })),
    })),
  );
  return sids;
}

describe.each(availableBackends())('iterate on $name', (backend) => {
  const ctx = useBackend(backend);

  test('yields every live session once, in sid order, with its id, across pages', async () => {
    const store = await ctx.store();
    const sids = await fill(store, 25);
    await store.set('zzz-expired', sessionData(-60_000));
    for (const batchSize of [1, 7, 25, 1000]) {
      const sessions = await collect(store.iterate({ batchSize }));
      expect(sessions.map((s) => s.id)).toEqual(sids);
      expect(sessions.map((s) => s.n)).toEqual(sids.map((_, n) => n));
    }
    expect((await collect(store.iterate())).map((s) => s.id)).toEqual((await store.all()).map((s) => s.id).sort());
  });

  test('reads one page per query, of batchSize rows', async () => {
    const store = await ctx.store();
    await fill(store, 10);
    const spy = jest.spyOn(store.sessionModel, 'findAll');
    try {
      const iterator = store.iterate({ batchSize: 4 });
      await iterator.next();
      const limits = (): unknown[] => spy.mock.calls.map(([options]) => options?.limit);
      expect(limits()).toEqual([4]); // the first page only, until it is used up
      await collect({ [Symbol.asyncIterator]: () => iterator });
      expect(limits()).toEqual([4, 4, 4]);
    } finally {
      spy.mockRestore();
    }
  });

  test("filters with findWhere's conditions", async () => {
    const store = await ctx.store();
    await fill(store, 30);
    const where = { sid: { [Op.like]: 's001%' } };
    const sessions = await collect(store.iterate({ batchSize: 3, where }));
    expect(sessions.map((s) => s.id)).toEqual((await store.findWhere(where)).map((s) => s.id).sort());
    expect(sessions.map((s) => s.id)).toEqual(Array.from({ length: 10 }, (_, n) => sid(10 + n)));
  });

  test('a corrupt row is reported and skipped, as all() does, and paging goes on past it', async () => {
    const store = await ctx.store();
    const errors = errorsOf(store);
    const sids = await fill(store, 9);
    await store.sessionModel.update({ data: 'not json {' }, { where: { sid: sid(2) } }); // the last of page 1
    const sessions = await collect(store.iterate({ batchSize: 3 }));
    expect(sessions.map((s) => s.id)).toEqual(sids.filter((s) => s !== sid(2)));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toContain(tagOf(sid(2))); // a tag, never the session id
  });

  test('sessions added or destroyed while iterating are neither repeated nor make others missed', async () => {
    const store = await ctx.store();
    const sids = await fill(store, 12);
    const seen: string[] = [];
    for await (const session of store.iterate({ batchSize: 4 })) {
      seen.push(session.id);
      if (session.id === sid(5)) {
        await store.destroy(sid(0)); // behind the key: no effect
        await store.set('a-before', sessionData()); // sorts before: not seen
        await store.set('z-after', sessionData()); // sorts after: seen once
      }
    }
    expect(seen).toEqual([...sids, 'z-after']);
  });

  test('rests between pages at least as long as the last page took; rest: false reads on', async () => {
    const store = await ctx.store();
    const sids = await fill(store, 9);
    const findAll = store.sessionModel.findAll.bind(store.sessionModel);
    const queries: { started: number; ended: number }[] = [];
    const spy = jest.spyOn(store.sessionModel, 'findAll').mockImplementation(async (options) => {
      const query = { started: performance.now(), ended: 0 };
      queries.push(query);
      const rows = await findAll(options);
      query.ended = performance.now();
      return rows;
    });
    try {
      expect((await collect(store.iterate({ batchSize: 3 }))).map((s) => s.id)).toEqual(sids);
      expect(queries).toHaveLength(4); // three full pages, then an empty one
      for (const [page, next] of queries.slice(0, -1).map((query, i) => [query, queries[i + 1]!] as const)) {
        expect(next.started - page.ended).toBeGreaterThanOrEqual(page.ended - page.started - 1); // timers: ±1 ms
      }
      expect((await collect(store.iterate({ batchSize: 3, rest: false }))).map((s) => s.id)).toEqual(sids);
    } finally {
      spy.mockRestore();
    }
  });

  test('bad options are a TypeError at the call', async () => {
    const store = await ctx.store();
    expect(() => store.iterate({ batchSize: 0 })).toThrow(/iterate's `batchSize` must be a whole number/);
    expect(() => store.iterate({ batchSize: 2.5 })).toThrow(TypeError);
    expect(() => store.iterate({ where: {} })).toThrow(/iterate needs a condition/);
    expect(() => store.iterate({ rest: 'no' as never })).toThrow(/iterate's `rest` must be true or false/);
  });
});
