import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { Sequelize } from 'sequelize';
import { sqliteFile } from '../support/backends';

// The demo behind `npm start`, driven in a real headless Chromium, across a restart of the server.
const ROOT = path.resolve(__dirname, '../..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) {
  if (process.env.CI === 'true')
    throw new Error(`CI=true and no Chromium at ${CHROMIUM}: the end-to-end test cannot be skipped`);
  console.warn(`\n!!! SKIPPING the browser test: no Chromium at ${CHROMIUM} (apt-get install chromium)\n`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Starts `node examples/demo/server.js` and waits for its "listening" line. */
function startDemo(port: number, sqlitePath: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['examples/demo/server.js'], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), SESSIONS_SQLITE: sqlitePath },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('listening on')) resolve(child);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`the demo exited with ${code} before listening:\n${output}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

(haveChromium ? describe : describe.skip)('the demo in a real browser', () => {
  let browser: Browser;
  let demo: ChildProcess | undefined;
  const sqlitePath = sqliteFile();

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // Chromium's own background traffic is refused by this closed network; keep it quiet.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    if (demo) await stop(demo);
    await browser?.close();
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(sqlitePath + suffix, { force: true });
  });

  test('log in, survive a server restart, log out and the logged-in row is gone', async () => {
    const port = await freePort();
    const url = `http://localhost:${port}/`;
    demo = await startDemo(port, sqlitePath);
    const page = await browser.newPage();

    await page.goto(url);
    await expect(page.textContent('body')).resolves.toContain('Nobody is logged in.');
    await page.fill('input[name=username]', 'ada');
    await Promise.all([page.waitForURL(url), page.click('text=Log in')]);
    await expect(page.textContent('body')).resolves.toContain('Logged in as ada.');

    expect(await stop(demo)).toBe(0);
    demo = await startDemo(port, sqlitePath);

    await page.reload();
    await expect(page.textContent('body')).resolves.toContain('Logged in as ada.');
    const visits = Number(await page.textContent('p strong'));
    expect(visits).toBeGreaterThanOrEqual(3);

    const cookie = (await page.context().cookies()).find((c) => c.name === 'demo.sid');
    // express-session signs the cookie: s:<sid>.<signature>
    const loggedInSid = /^s:([^.]+)\./.exec(decodeURIComponent(cookie!.value))![1];
    await Promise.all([page.waitForURL(url), page.click('text=Log out')]);
    await expect(page.textContent('body')).resolves.toContain('Nobody is logged in.');
    expect(await stop(demo)).toBe(0);
    demo = undefined;

    const db = new Sequelize({ dialect: 'sqlite', storage: sqlitePath, logging: false });
    try {
      // A logout leaves a tombstone (data NULL) that no late save can overwrite: count live sessions.
      const [rows] = await db.query('SELECT sid FROM demo_sessions WHERE data IS NOT NULL');
      // The page after logout counts a visit again, in a new anonymous session: only ours must be gone.
      expect(rows).not.toContainEqual({ sid: loggedInSid });
      expect(rows).toHaveLength(1);
    } finally {
      await db.close();
    }
  });
});
