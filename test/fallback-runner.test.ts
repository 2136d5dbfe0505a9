import { ordering } from '../lib/driver/runner';
import { sequelizeRunner } from '../lib/driver/sequelize-runner';
import { prepareStatements } from '../lib/sql/hot-statements';
import { availableBackends } from './support/backends';
import { rowsOf, useBackend } from './support/stores';

// The runner for dialects and drivers without a driver-level path (the mariadb connector, pg-native,
// mssql): the very same statements through sequelize.query.
describe.each(availableBackends())('the Sequelize fallback runner on $name', (backend) => {
  const ctx = useBackend(backend);

  test('runs the hot statements with their parameters in the right places', async () => {
    const store = await ctx.store();
    const { statements } = prepareStatements(store.sessionModel);
    const runner = ordering(sequelizeRunner(ctx.db));
    const date = (ms: number) => new Date(Date.now() + ms).toISOString().replace('T', ' ').replace('Z', ' +00:00');
    const now = date(0);
    const stamp = backend.name === 'mariadb' ? now.slice(0, 23) : now;

    const upsert = statements.upsert(['data', 'expires'])!;
    await runner.run(upsert, [
      'fb',
      JSON.stringify({ n: 1 }),
      backend.name === 'mariadb' ? date(60_000).slice(0, 23) : date(60_000),
      stamp,
      stamp,
    ]);
    const row = await runner.first(statements.get, ['fb', stamp]);
    expect(JSON.parse(String(row?.data))).toEqual({ n: 1 });
    expect(await runner.first(statements.get, ['other', stamp])).toBeUndefined();

    expect(await store.get('fb')).toEqual({ n: 1 });
    expect(await runner.run(statements.destroy, ['fb'])).toBe(1);
    expect(await rowsOf(store)).toEqual({});
  });
});
