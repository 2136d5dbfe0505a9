import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { ROOT } from './built';

// Child processes run the BUILT package (see build() in ./built), by its public name, as users load
// it: from the repository root, the package resolves itself by name.

export interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from the line "done" on stdout to the exit, if both happened. */
  exitAfterDoneMs: number | undefined;
  killed: boolean;
}

export interface Running {
  child: ChildProcessWithoutNullStreams;
  /** Resolves when stdout has a line matching `line`. */
  saw(line: RegExp): Promise<void>;
  outcome: Promise<Outcome>;
}

/** Starts `node ...args` from the repository root, with `env` added; killed after `timeoutMs`. */
export function startNode(args: string[], timeoutMs = 15_000, env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: 'pipe', env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  let doneAt: number | undefined;
  let killed = false;
  const waiters: { line: RegExp; resolve: () => void }[] = [];
  const timer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (doneAt === undefined && /^done$/m.test(stdout)) doneAt = Date.now();
    for (const waiter of waiters.filter((w) => w.line.test(stdout))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const outcome = new Promise<Outcome>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const exitAfterDoneMs = doneAt === undefined ? undefined : Date.now() - doneAt;
      resolve({ code, signal, stdout, stderr, exitAfterDoneMs, killed });
    });
  });
  const saw = (line: RegExp): Promise<void> =>
    line.test(stdout)
      ? Promise.resolve()
      : Promise.race([
          new Promise<void>((resolve) => waiters.push({ line, resolve })),
          outcome.then((o) => {
            throw new Error(`exited before printing ${line}; stdout: ${o.stdout}\nstderr: ${o.stderr}`);
          }),
        ]);
  return { child, saw, outcome };
}

/** Runs `node [flags] -e script` from the repository root. */
export function runNode(
  script: string,
  flags: string[] = [],
  timeoutMs = 15_000,
  env: Record<string, string> = {},
): Promise<Outcome> {
  const running = startNode([...flags, '-e', script], timeoutMs, env);
  running.child.stdin.end();
  return running.outcome;
}

/** The first stdout line that is a JSON object. */
export function jsonLine(outcome: Outcome): Record<string, unknown> {
  const line = outcome.stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`no JSON on stdout; stdout: ${outcome.stdout}\nstderr: ${outcome.stderr}`);
  return JSON.parse(line) as Record<string, unknown>;
}
