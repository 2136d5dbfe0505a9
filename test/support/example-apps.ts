import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { ROOT } from './built';
import { reportOnSignal, whatKeepsItAlive } from './process-report';

// An example in examples/ runs as a user would run it: `node examples/<file>` from the repository
// root, where the package resolves itself by its public name.

export interface RunningExample {
  child: ChildProcess;
  url: string;
  /** What it printed so far, stdout and stderr. */
  output(): string;
  /** Where its diagnostic report goes (see process-report.ts). */
  reportDir: string;
}

// Every example started and not yet ended: a test that failed or timed out half-way leaves them to
// stopAllExamples, since one left running would keep Jest (which runs in band on two cores) alive.
const running = new Set<ChildProcess>();

/** Starts an example (on a free port unless `env` gives PORT) and waits for its "listening on" line. */
export function startExample(file: string, env: Record<string, string>): Promise<RunningExample> {
  return new Promise((resolve, reject) => {
    const report = reportOnSignal();
    const child = spawn(process.execPath, [file], {
      cwd: ROOT,
      env: { ...process.env, PORT: '0', ...report.env, ...env },
    });
    running.add(child);
    child.once('exit', () => {
      running.delete(child);
      fs.rmSync(report.dir, { recursive: true, force: true });
    });
    let output = '';
    const exitedEarly = (code: number | null): void => {
      clearTimeout(timer);
      reject(new Error(`${file} exited with ${code}:\n${output}`));
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} did not start listening within 15 s; it printed:\n${output}`));
    }, 15_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/localhost:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.off('exit', exitedEarly);
        resolve({ child, url: match[1]!, output: () => output, reportDir: report.dir });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', exitedEarly);
  });
}

/**
 * Sends SIGTERM, as a process manager would, and resolves with the exit code (at once if it has
 * already ended). One still running 20 s later is killed, and the promise rejects with its output
 * and what kept it alive: 20 s, so that a request whose store operation runs into its 10 s
 * `operationTimeout` still ends, answered with the error, before the example is called hung.
 */
export function stopExample(app: RunningExample): Promise<number | null> {
  const { child } = app;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    // Slow but not yet failed: say what it waits on (the browser test's demo once took over 10 s).
    const slow = setTimeout(() => {
      void whatKeepsItAlive(child, app.reportDir).then((why) =>
        console.warn(`an example is still running 5 s after SIGTERM; it printed:\n${app.output()}\n${why}`),
      );
    }, 5_000);
    const timer = setTimeout(() => {
      void whatKeepsItAlive(child, app.reportDir).then((why) => {
        child.kill('SIGKILL');
        reject(new Error(`the example did not exit within 20 s of SIGTERM; it printed:\n${app.output()}\n${why}`));
      });
    }, 20_000);
    child.once('exit', (code) => {
      clearTimeout(slow);
      clearTimeout(timer);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}

/** Kills every example still running (for afterAll). */
export async function stopAllExamples(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
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
