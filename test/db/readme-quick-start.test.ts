import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Sequelize } from 'sequelize';
import { build, ROOT } from '../support/built';

// The README's quick start, taken from the README itself and run as a newcomer runs it: one file
// in an empty folder, the package found by its public name, `node app.js`, a login in a browser.

function quickStart(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = /^## Quick start\n([\s\S]*?)^## /m.exec(readme)?.[1];
  const code = section && /```js\n([\s\S]*?)```/.exec(section)?.[1];
  if (!code) throw new Error('README.md has no ```js block under "## Quick start"');
  return code;
}

/** An empty folder whose node_modules holds what the README's install line installs. */
function emptyApp(code: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sss-readme-'));
  fs.mkdirSync(path.join(dir, 'node_modules'));
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'sequelize-session-store'), 'dir');
  for (const name of ['express-session', 'sequelize', 'express', 'sqlite3']) {
    fs.symlinkSync(path.join(ROOT, 'node_modules', name), path.join(dir, 'node_modules', name), 'dir');
  }
  fs.writeFileSync(path.join(dir, 'app.js'), code);
  return dir;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function start(dir: string, port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port) };
    delete env.SESSION_SECRET;
    const child = spawn(process.execPath, ['app.js'], { cwd: dir, env });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`app.js did not start:\n${output}`)), 15_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(`http://localhost:${port}`)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`app.js exited with ${code}:\n${output}`));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    if (child.exitCode !== null) return resolve();
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function sessionRows(dir: string): Promise<number> {
  const db = new Sequelize({ dialect: 'sqlite', storage: path.join(dir, 'sessions.sqlite'), logging: false });
  try {
    // Live sessions: a destroyed one (the login regenerates) stays as a tombstone, its data NULL.
    const [rows] = (await db.query('SELECT COUNT(*) AS n FROM Sessions WHERE data IS NOT NULL')) as [
      { n: number }[],
      unknown,
    ];
    return Number(rows[0]!.n);
  } finally {
    await db.close();
  }
}

beforeAll(() => build());

test("the README's quick start, run as written, logs alice in, shows her, and logs her out", async () => {
  const dir = emptyApp(quickStart());
  const port = await freePort();
  const child = await start(dir, port);
  try {
    const base = `http://localhost:${port}`;
    let cookie = '';
    const send = async (pathname: string, form?: Record<string, string>): Promise<Response> => {
      const response = await fetch(base + pathname, {
        method: form ? 'POST' : 'GET',
        headers: { cookie, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        body: form ? new URLSearchParams(form).toString() : undefined,
        redirect: 'manual',
      });
      const set = response.headers.get('set-cookie');
      if (set) cookie = set.split(';')[0]!;
      return response;
    };

    expect(await (await send('/')).text()).toContain('action="/login"');
    const login = await send('/login', { user: 'alice' });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/');
    expect(await (await send('/')).text()).toContain('Logged in as alice.');
    expect(await sessionRows(dir)).toBe(1);

    const logout = await send('/logout', {});
    expect(logout.status).toBe(303);
    expect(await (await send('/')).text()).not.toContain('alice');
    expect(await sessionRows(dir)).toBe(0);
  } finally {
    await stop(child);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
