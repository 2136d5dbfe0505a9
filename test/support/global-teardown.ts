import fs from 'node:fs';
import { SQLITE_DIR_ENV } from './backends';

/** Removes this run's SQLite files, and repeats the skip warning at the end, where nobody can miss it. */
export default async function globalTeardown(): Promise<void> {
  const sqliteDir = process.env[SQLITE_DIR_ENV];
  if (sqliteDir) fs.rmSync(sqliteDir, { recursive: true, force: true });
  const skipped = process.env.SSS_TEST_SKIPPED;
  if (skipped) console.warn(`\n!!! SKIPPED BACKENDS (not tested):\n  ${skipped}\n`);
}
