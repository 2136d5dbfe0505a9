import { FAULTS_DIR_ENV, cleanUpFaultsDir } from './faults-dir';

/** Ends any server a crashed test left running and removes every server folder. */
export default function globalTeardown(): void {
  const dir = process.env[FAULTS_DIR_ENV];
  if (!dir) return;
  const ended = cleanUpFaultsDir(dir);
  if (ended.length > 0) console.warn(`\nfault tests left servers running; killed: ${ended.join(', ')}`);
}
