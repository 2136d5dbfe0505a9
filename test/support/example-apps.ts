import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT } from './built';

// An example in examples/ runs as a user would run it: `node examples/<file>` from the repository
// root, where the package resolves itself by its public name.

export interface RunningExample {
  child: ChildProcess;
  url: string;
}

/** Starts an example on a free port and waits for its "listening on" line. */
export function startExample(file: string, env: Record<string, string>): Promise<RunningExample> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], { cwd: ROOT, env: { ...process.env, PORT: '0', ...env } });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`${file} did not start:\n${output}`)), 15_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/localhost:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]! });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${file} exited with ${code}:\n${output}`));
    });
  });
}

/** Sends SIGTERM, as a process manager would, and waits for the exit. */
export function stopExample({ child }: RunningExample): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/**
 * A tiny cookie-keeping HTTP client: a GET, or a POST of `form`. Its cookies are in `jar`, by name
 * (koa-session signs its cookie with a second one).
 */
export function browser(base: string, jar = new Map<string, string>()) {
  return async (pathname: string, form?: Record<string, string>): Promise<string> => {
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(base + pathname, {
      method: form ? 'POST' : 'GET',
      headers: { cookie, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body: form ? new URLSearchParams(form).toString() : undefined,
      redirect: 'manual',
    });
    for (const set of response.headers.getSetCookie()) {
      const pair = set.split(';')[0]!;
      jar.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
    }
    return response.text();
  };
}
