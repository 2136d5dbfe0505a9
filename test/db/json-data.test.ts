import { QueryTypes } from 'sequelize';
import { columnTypes } from '../support/admin';
import { availableBackends } from '../support/backends';
import { sessionData, useBackend } from '../support/stores';

/** A session with the values JSON makes hard: unicode, escapes, numbers, empties, nulls, dates. */
function trickySession() {
  return sessionData(60_000, {
    user: { name: 'Zoë 😀 ü', roles: ['admin', 'ops'] },
    text: 'line\nbreak\t"quoted" \\ back / slash \u2028\u2029 <script>',
    numbers: [0.1 + 0.2, 2 ** 53 - 1, -1e-7, 1e21, 0, -0, 42],
    flags: [true, false, null],
    empty: {},
    none: [],
    nested: { deep: { deeper: [{ x: null }, { y: '' }] } },
    when: new Date(Date.UTC(2024, 1, 29, 12, 30, 45, 678)),
    dropped: undefined,
    order: { b: 1, a: 2, aa: 3, '10': 'ten', '2': 'two' },
  });
}

describe.each(availableBackends())('a JSON data column on $name', (backend) => {
  const ctx = useBackend(backend);

  test('dataType: "json" makes the data column JSON (JSONB on PostgreSQL), which refuses what is not JSON', async () => {
    const store = await ctx.store({ dataType: 'json' });
    const table = store.sessionModel.getTableName() as string;
    const expected = { mariadb: 'longtext binary', postgres: 'jsonb', sqlite: 'json' }; // MariaDB's JSON: a checked LONGTEXT
    expect((await columnTypes(ctx.db, table)).data).toBe(expected[backend.name]);
    if (backend.name !== 'sqlite') {
      const generator = ctx.db.getQueryInterface().queryGenerator as { quoteTable(name: string): string };
      await expect(
        ctx.db.query(`INSERT INTO ${generator.quoteTable(table)} VALUES ('x', NULL, 'not json', ?, ?)`, {
          replacements: [new Date(), new Date()],
          type: QueryTypes.INSERT,
        }),
      ).rejects.toThrow();
    }
  });

  test('sessions read back exactly as from a TEXT column: get, all, findWhere, after updates and touches', async () => {
    const json = await ctx.store({ dataType: 'json' });
    const text = await ctx.store();
    const [first, tricky, touched, other] = [
      sessionData(60_000, { first: true }),
      trickySession(),
      sessionData(120_000),
      sessionData(60_000, { n: 1 }),
    ];
    for (const store of [json, text]) {
      await store.set('s', first);
      await store.set('s', tricky);
      await store.touch('s', touched);
      await store.set('other', other);
    }
    const fromText = await text.get('s');
    expect(fromText).toEqual(JSON.parse(JSON.stringify(tricky)));
    expect(await json.get('s')).toStrictEqual(fromText);
    const sorted = (list: { id: string }[]) => [...list].sort((a, b) => a.id.localeCompare(b.id));
    expect(sorted(await json.all())).toStrictEqual(sorted(await text.all()));
    expect(await json.findWhere({ sid: 's' })).toStrictEqual(await text.findWhere({ sid: 's' }));
    expect(await json.length()).toBe(2);
    await json.destroy('s');
    expect(await json.get('s')).toBeNull();
  });

  if (backend.name === 'postgres') {
    test('JSONB refuses the character \\u0000, which a text column takes: an error, and nothing written', async () => {
      const json = await ctx.store({ dataType: 'json' });
      const text = await ctx.store();
      const session = sessionData(60_000, { note: 'nul\u0000here' });
      await expect(json.set('s', session)).rejects.toThrow(/unsupported Unicode escape sequence/);
      expect(await json.length()).toBe(0);
      await text.set('s', session);
      expect((await text.get('s'))?.note).toBe('nul\u0000here');
    });
  }
});
