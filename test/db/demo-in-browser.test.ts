import fs from 'node:fs';
import net from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { Sequelize } from 'sequelize';
import { sqliteFile } from '../support/backends';
import { startExample, stopAllExamples, stopExample, type RunningExample } from '../support/example-apps';

// The demo behind `npm start`, driven in a real headless Chromium, across a restart of the server.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = fs.existsSync(CHROMIUM);
if (!haveChromium) {
  if (process.env.CI === 'true')
    throw new Error(`CI=true and no Chromium at ${CHROMIUM}: the end-to-end test cannot be skipped`);
  console.warn(`\n!!! SKIPPING the browser test: no Chromium at ${CHROMIUM} (apt-get install chromium)\n`);
}

// Each test starts the demo (up to three times) and drives a browser: 90 s, so that a slow step
// fails first with its own message (a start 15 s, a stop 20 s, a page 10 s).
jest.setTimeout(90_000);

const WINDOWS_CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const IPHONE_SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** The demo behind `npm start`, on `port`, its sessions in the SQLite file at `sqlitePath`. */
function startDemo(port: number, sqlitePath: string): Promise<RunningExample> {
  return startExample('examples/demo/server.js', { PORT: String(port), SESSIONS_SQLITE: sqlitePath });
}

/** The session id in the context's demo.sid cookie, which express-session signs: s:<sid>.<signature> */
async function sessionIdOf(context: BrowserContext): Promise<string> {
  const cookie = (await context.cookies()).find((c) => c.name === 'demo.sid');
  return /^s:([^.]+)\./.exec(decodeURIComponent(cookie!.value))![1]!;
}

async function logIn(page: Page, url: string, name: string): Promise<void> {
  await page.goto(url);
  await page.fill('input[name=username]', name);
  await Promise.all([page.waitForURL(url), page.click('text=Log in')]);
  await expect(page.textContent('body')).resolves.toContain(`Logged in as ${name}.`);
}

/** The rows of the "Your sessions" table: device, last seen, "this device" or nothing. */
async function listedSessions(page: Page): Promise<string[][]> {
  const rows = await page.locator('tbody tr').all();
  return Promise.all(rows.map((row) => row.locator('td').allInnerTexts()));
}

(haveChromium ? describe : describe.skip)('the demo in a real browser', () => {
  let browser: Browser;
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
    await stopAllExamples();
    await browser?.close();
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(sqlitePath + suffix, { force: true });
  });

  test('log in, survive a server restart, log out and the logged-in row is gone', async () => {
    const port = await freePort();
    const url = `http://localhost:${port}/`;
    let demo = await startDemo(port, sqlitePath);
    const page = await browser.newPage();
    // A page that has not come within 10 s fails with Playwright's message, naming the step.
    page.setDefaultTimeout(10_000);

    await page.goto(url);
    await expect(page.textContent('body')).resolves.toContain('Nobody is logged in.');
    await logIn(page, url, 'ada');

    expect(await stopExample(demo)).toBe(0);
    demo = await startDemo(port, sqlitePath);

    await page.reload();
    await expect(page.textContent('body')).resolves.toContain('Logged in as ada.');
    const visits = Number(await page.textContent('p strong'));
    expect(visits).toBeGreaterThanOrEqual(3);

    const loggedInSid = await sessionIdOf(page.context());
    await Promise.all([page.waitForURL(url), page.click('text=Log out')]);
    await expect(page.textContent('body')).resolves.toContain('Nobody is logged in.');
    expect(await stopExample(demo)).toBe(0);

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

  test('"Your sessions" lists both devices of a user; "Log out everywhere else" ends the other one only', async () => {
    const port = await freePort();
    const url = `http://localhost:${port}/`;
    const demo = await startDemo(port, sqlitePath);
    const laptop = await browser.newContext({ userAgent: WINDOWS_CHROME });
    const phone = await browser.newContext({ userAgent: IPHONE_SAFARI });
    // A page that has not come within 5 s fails with Playwright's message, before Jest's own timeout.
    for (const context of [laptop, phone]) context.setDefaultTimeout(5_000);
    let laptopSid: string, phoneSid: string;
    try {
      const onLaptop = await laptop.newPage();
      const onPhone = await phone.newPage();
      await logIn(onLaptop, url, 'grace');
      await logIn(onPhone, url, 'grace');
      laptopSid = await sessionIdOf(laptop);
      phoneSid = await sessionIdOf(phone);

      await Promise.all([onLaptop.waitForURL(`${url}sessions`), onLaptop.click('text=Your sessions')]);
      expect(await listedSessions(onLaptop)).toEqual([
        ['Chrome 126 on Windows', 'just now', 'this device'],
        ['Safari 17 on iOS', 'just now', ''],
      ]);

      await Promise.all([
        onLaptop.waitForURL(`${url}sessions?ended=1`),
        onLaptop.click('text=Log out everywhere else'),
      ]);
      await expect(onLaptop.textContent('body')).resolves.toContain('Logged out 1 other session.');
      expect(await listedSessions(onLaptop)).toEqual([['Chrome 126 on Windows', 'just now', 'this device']]);

      // The phone's next request finds its session ended: "Your sessions" sends it to the login.
      await onPhone.goto(`${url}sessions`);
      expect(onPhone.url()).toBe(url);
      await expect(onPhone.textContent('body')).resolves.toContain('Nobody is logged in.');
      await onLaptop.goto(url);
      await expect(onLaptop.textContent('body')).resolves.toContain('Logged in as grace.');
      expect(await sessionIdOf(laptop)).toBe(laptopSid);
    } finally {
      await laptop.close();
      await phone.close();
    }
    expect(await stopExample(demo)).toBe(0);

    const db = new Sequelize({ dialect: 'sqlite', storage: sqlitePath, logging: false });
    try {
      // Grace's rows: the laptop's live, the phone's a tombstone (data NULL) that no late save can revive.
      const [rows] = (await db.query(
        "SELECT sid, data IS NULL AS ended FROM demo_sessions WHERE userName = 'grace'",
      )) as [{ sid: string; ended: number }[], unknown];
      expect(Object.fromEntries(rows.map((row) => [row.sid, row.ended]))).toEqual({ [laptopSid]: 0, [phoneSid]: 1 });
    } finally {
      await db.close();
    }
  });
});
