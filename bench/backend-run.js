'use strict';

/** Runs the benchmark on one backend: open the contenders, seed them, run the rounds, clean up. */
const os = require('node:os');
const { createEnvironment } = require('./backends');
const { contendersFor } = require('./contenders');
const { cells: cellsOf, seedLiveSessions } = require('./workloads');
const { runRounds } = require('./rounds');
const { Unsupported } = require('./contenders/unsupported');

async function runBackend({ backend, config, log }) {
  const env = createEnvironment(backend, { storeModule: config.storeModule });
  const opened = [];
  const skipped = [];
  try {
    for (const contender of contendersFor(backend.name, config.contenders)) {
      let handle;
      try {
        handle = await contender.open(env);
        const sessions = await seedLiveSessions(handle.api, { keepsDestroyedRows: contender.kind !== 'peer' });
        opened.push({ ...contender, ...handle, sessions, lastRate: new Map() });
        log(`  opened ${contender.name} (${handle.pool})`);
      } catch (error) {
        if (handle) await handle.close().catch(() => {});
        const unsupported = error instanceof Unsupported;
        skipped.push({
          name: contender.name,
          label: contender.label,
          kind: contender.kind,
          reason: error.message,
          failed: !unsupported,
        });
        log(`  ${unsupported ? 'n/a' : '! FAILED'}: ${contender.name}: ${error.message}`);
      }
    }
    const cells = cellsOf(config.workloads);
    const loadBefore = os.loadavg()[0];
    const raw = await runRounds({ contenders: opened, cells, config, log });
    return {
      loadAverage: [loadBefore, os.loadavg()[0]].map((l) => Math.round(l * 100) / 100),
      cells,
      contenders: opened.map((c) => ({
        name: c.name,
        label: c.label,
        kind: c.kind,
        version: c.kind === 'ours' ? config.storeVersion : c.version?.(),
        pool: c.pool,
      })),
      skipped,
      raw,
    };
  } finally {
    for (const contender of opened) {
      await contender.close().catch((error) => log(`  ! could not close ${contender.name}: ${error.message}`));
    }
    env.cleanup();
  }
}

module.exports = { runBackend };
