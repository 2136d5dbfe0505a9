import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { Sequelize } from 'sequelize';
import { availableBackends, sqliteFile, uniqueTable } from '../support/backends';
import { ROOT } from '../support/built';
import { browser, startExample, stopAllExamples, stopExample } from '../support/example-apps';

afterAll(stopAllExamples); // any a timed-out test left running

async function countsVisits(file: string, env: Record<string, string>): Promise<void> {
  const app = await startExample(file, env);
  try {
    const get = browser(app.url);
    expect(await get('/')).toBe('views: 1');
    expect(await get('/')).toBe('views: 2');
    expect(await browser(app.url)('/')).toBe('views: 1');
  } finally {
    await stopExample(app);
  }
}

function removeSqlite(file: string): void {
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
}

describe('the examples', () => {
  const sqlite = sqliteFile();
  afterAll(() => removeSqlite(sqlite));

  test.each([
    'examples/express-5.js',
    'examples/express-4.js',
    'examples/connect.js',
    'examples/fastify.js',
    'examples/koa.js',
  ])('%s counts visits', (file) => countsVisits(file, { SESSIONS_SQLITE: sqlite }));

  test('the demo (npm start) stops on SIGTERM even while a connection holds a half-sent request', async () => {
    const demoSqlite = sqliteFile();
    const app = await startExample('examples/demo/server.js', { SESSIONS_SQLITE: demoSqlite });
    const socket = net.connect(Number(new URL(app.url).port), 'localhost');
    try {
      // Headers without their closing blank line: a request that never completes, as a browser can
      // leave one; server.close() alone waits for it for good.
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n', () => resolve());
      });
      expect(await stopExample(app)).toBe(0);
    } finally {
      socket.destroy();
      removeSqlite(demoSqlite);
    }
  });

  test('examples/typescript.ts compiles and counts visits', async () => {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'examples/tsconfig.json'], {
      cwd: ROOT,
    });
    await countsVisits('dist/examples/typescript.js', { SESSIONS_SQLITE: sqlite });
  });

  test('examples/custom-model.js fills userId and logs a user out everywhere', async () => {
    const file = sqliteFile();
    const app = await startExample('examples/custom-model.js', { SESSIONS_SQLITE: file });
    try {
      const laptop = browser(app.url);
      const phone = browser(app.url);
      await laptop('/login', { user: 'ada' });
      await phone('/login', { user: 'ada' });
      await browser(app.url)('/login', { user: 'grace' });
      expect(await laptop('/')).toBe('hello ada');
      expect(await phone('/logout-everywhere', {})).toBe('ended 2 sessions');
      expect(await laptop('/')).toBe('nobody');
    } finally {
      await stopExample(app);
      removeSqlite(file);
    }
  });

  test("examples/migrations.js runs the store's migrations in your own umzug, once", () => {
    const file = sqliteFile();
    const run = (): string =>
      execFileSync(process.execPath, ['examples/migrations.js'], {
        cwd: ROOT,
        env: { ...process.env, SESSIONS_SQLITE: file },
        encoding: 'utf8',
      });
    try {
      expect(run()).toBe(
        'applied Sessions/01-create-table\napplied Sessions/02-widen-columns\napplied app/01-create-users\n',
      );
      expect(run()).toBe('up to date\n');
    } finally {
      removeSqlite(file);
    }
  });

  test('examples/encryption.js counts visits, and its rows hold neither the session nor its id', async () => {
    const file = sqliteFile();
    try {
      await countsVisits('examples/encryption.js', { SESSIONS_SQLITE: file });
      const db = new Sequelize({ dialect: 'sqlite', storage: file, logging: false });
      const [rows] = (await db.query('SELECT sid, data FROM Sessions')) as [{ sid: string; data: string }[], unknown];
      await db.close();
      expect(rows).toHaveLength(2);
      for (const row of rows) {
        expect(row.sid).toMatch(/^[0-9a-f]{64}$/);
        expect(row.data).toMatch(/^sss1\.[0-9a-f]{8}\./);
      }
    } finally {
      removeSqlite(file);
    }
  });

  // Their packages are devDependencies: @opentelemetry/api, @opentelemetry/sdk-trace-base, prom-client.
  test('examples/opentelemetry.js turns each operation into a span', async () => {
    const file = sqliteFile();
    const app = await startExample('examples/opentelemetry.js', { SESSIONS_SQLITE: file });
    let printed = '';
    app.child.stdout!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    try {
      const get = browser(app.url);
      expect(await get('/')).toBe('views: 1');
      expect(await get('/')).toBe('views: 2');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const spans = printed.trim().split('\n');
      expect(spans).toEqual([
        expect.stringMatching(/^span session set [\d.]+ms status=0 rows=1$/),
        expect.stringMatching(/^span session get [\d.]+ms status=0 rows=1$/),
        expect.stringMatching(/^span session set [\d.]+ms status=0 rows=1$/),
      ]);
    } finally {
      await stopExample(app);
      removeSqlite(file);
    }
  });

  test('examples/prom-client.js serves latency, errors and swept sessions at /metrics', async () => {
    const file = sqliteFile();
    const app = await startExample('examples/prom-client.js', { SESSIONS_SQLITE: file });
    try {
      const get = browser(app.url);
      expect(await get('/')).toBe('views: 1');
      expect(await get('/')).toBe('views: 2');
      const metrics = await get('/metrics');
      expect(metrics).toMatch(/^session_store_operation_seconds_count\{operation="set",outcome="ok"\} 2$/m);
      expect(metrics).toMatch(/^session_store_operation_seconds_count\{operation="get",outcome="ok"\} 1$/m);
      expect(metrics).toMatch(/^session_store_operation_seconds_count\{operation="prune",outcome="ok"\} 1$/m);
      expect(metrics).toMatch(/^# TYPE session_store_errors_total counter$/m);
      expect(metrics).toMatch(/^session_store_swept_sessions_total 0$/m);
    } finally {
      await stopExample(app);
      removeSqlite(file);
    }
  });

  const servers = availableBackends().filter((b) => b.name !== 'sqlite');
  test.each(servers.map((b) => [b.name, b] as const))('the %s example counts visits', async (name, backend) => {
    const table = uniqueTable('example');
    try {
      await countsVisits(`examples/${name}.js`, { DATABASE_URL: backend.url, SESSIONS_TABLE: table });
    } finally {
      const db = new Sequelize(backend.url, { logging: false });
      await db.getQueryInterface().dropTable(table);
      await db.close();
    }
  });
});
