import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** The repository root, where the package resolves itself by its public name. */
export const ROOT = path.resolve(__dirname, '../..');
const BUILT = path.join(ROOT, 'dist/lib/index.js');
const CLI = path.join(ROOT, 'dist/lib/cli/main.js');

function newestSource(): number {
  let newest = 0;
  for (const dir of ['lib', 'models']) {
    for (const entry of readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' })) {
      if (entry.endsWith('.ts')) newest = Math.max(newest, statSync(path.join(ROOT, dir, entry)).mtimeMs);
    }
  }
  return newest;
}

/** Builds dist/ unless it is newer than every source; a failed build fails the file, loudly. */
export function build(): void {
  if (existsSync(BUILT) && statSync(BUILT).mtimeMs >= newestSource()) return;
  try {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: 'pipe',
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`npx tsc -p tsconfig.build.json failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built command line, `sequelize-session-store <args>`, in a child process. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = process.env, input = ''): Promise<CliOutcome> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      { cwd: ROOT, env, timeout: 30_000 },
      (error, stdout, stderr) => {
        // A non-zero exit is an outcome to check; anything else (a timeout, no node) is a failure.
        if (error && typeof error.code !== 'number') reject(new Error(error.message));
        else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
    child.stdin?.end(input);
  });
}
