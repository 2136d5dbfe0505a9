import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { childrenOf, signalAll } from './processes';

/** Set by the global setup: every server folder lives below it, so the teardown finds them all. */
export const FAULTS_DIR_ENV = 'SSS_FAULTS_DIR';

export function faultsDir(): string {
  const dir = process.env[FAULTS_DIR_ENV];
  if (!dir) throw new Error(`${FAULTS_DIR_ENV} is not set: run the fault tests with npm run test:faults`);
  return dir;
}

/** Makes the folder every server of this run lives in (the global setup calls it). */
export function makeFaultsDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sss-faults-'));
  chmodSync(dir, 0o755); // the servers' OS users must reach their own folders below it
  return dir;
}

/**
 * Ends whatever server still runs below `dir` (a test that crashed before its afterAll), then
 * removes the folder. Each server leaves its pid file until it stops.
 */
export function cleanUpFaultsDir(dir: string): string[] {
  const ended: string[] = [];
  if (!existsSync(dir)) return ended;
  for (const server of readdirSync(dir)) {
    for (const file of [path.join(dir, server, 'mariadbd.pid'), path.join(dir, server, 'data', 'postmaster.pid')]) {
      if (!existsSync(file)) continue;
      const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
      if (!Number.isInteger(pid) || pid <= 0) continue;
      const pids = [pid, ...childrenOf(pid)];
      signalAll(pids, 'SIGCONT');
      signalAll(pids, 'SIGKILL');
      ended.push(`${server} (pid ${pid})`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return ended;
}
