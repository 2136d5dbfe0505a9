import { Sequelize } from 'sequelize';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AVAILABLE_ENV, SERVER_BACKENDS, SQLITE_DIR_ENV } from './backends';

async function reachable(url: string): Promise<string | undefined> {
  const db = new Sequelize(url, { logging: false, pool: { max: 1 }, dialectOptions: { connectTimeout: 3000 } });
  try {
    await db.authenticate();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await db.close().catch(() => {});
  }
}

/** Finds which database servers answer. Under CI a missing one fails the run; elsewhere it is skipped, loudly. */
export default async function globalSetup(): Promise<void> {
  process.env[SQLITE_DIR_ENV] = fs.mkdtempSync(path.join(os.tmpdir(), 'sss-test-'));
  // SSS_TEST_ONLY=postgres (a comma-separated list): the backend-parameterised tests run on these
  // backends only, e.g. when CI runs them again on another PostgreSQL server.
  const only = process.env.SSS_TEST_ONLY?.split(',').map((name) => name.trim());
  const wanted = (name: string): boolean => only === undefined || only.includes(name);
  const up = wanted('sqlite') ? ['sqlite'] : [];
  const skipped: string[] = [];
  for (const backend of SERVER_BACKENDS.filter((b) => wanted(b.name))) {
    const problem = await reachable(backend.url);
    if (problem === undefined) up.push(backend.name);
    else skipped.push(`${backend.name} (${backend.url}): ${problem}`);
  }
  if (skipped.length > 0) {
    if (process.env.CI === 'true') {
      throw new Error(`CI=true and these backends are unreachable; CI never skips one:\n  ${skipped.join('\n  ')}`);
    }
    process.env.SSS_TEST_SKIPPED = skipped.join('\n  ');
    console.warn(`\n!!! SKIPPING BACKENDS: the tests will NOT run on:\n  ${skipped.join('\n  ')}\n`);
  }
  process.env[AVAILABLE_ENV] = up.join(',');
  console.log(`\nBackends under test: ${up.join(', ')}`);
}
