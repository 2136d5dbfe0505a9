'use strict';

/**
 * Heap of our store over a long run, in a process of its own: `node --expose-gc bench/heap.js
 * --backend sqlite --ops 1000000`. Requests are get then touch of one of 1,000 live sessions
 * (two operations each), at concurrency 32. The heap is read after a full GC at each checkpoint.
 * Prints one line of JSON.
 */
const { performance } = require('node:perf_hooks');
const { BACKENDS, createEnvironment } = require('./backends');
const { ours } = require('./contenders/ours');
const { seedLiveSessions } = require('./workloads');
const { drive, STOP } = require('./runner');
const { asExpressSession } = require('./payload');

function arg(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
}

function fullGc() {
  if (typeof global.gc !== 'function') {
    require('node:v8').setFlagsFromString('--expose-gc');
    global.gc = require('node:vm').runInNewContext('gc');
  }
  global.gc();
  global.gc();
}

const MB = 1024 * 1024;

async function main() {
  const backend = BACKENDS[arg('backend', 'sqlite')];
  const totalOps = Number(arg('ops', 1_000_000));
  const storeModule = arg('store', 'sequelize-session-store');
  const env = createEnvironment(backend, { storeModule });
  const handle = await ours({ name: 'ours-heap', label: 'ours' }).open(env);
  try {
    // Durability does not change what the heap holds; NORMAL (no fsync per commit in WAL mode)
    // lets a million operations fit in the time of a run.
    if (backend.name === 'sqlite') await handle.db.query('PRAGMA synchronous = NORMAL');
    const sessions = await seedLiveSessions(handle.api, { keepsDestroyedRows: true });
    let ops = 0;
    let target = 0;
    const request = async () => {
      if (ops >= target) return STOP;
      ops += 2;
      const sid = sessions.live[Math.floor(Math.random() * sessions.live.length)];
      const stored = await handle.api.get(sid);
      if (stored) await handle.api.touch(sid, asExpressSession(sid, stored));
    };
    const checkpoints = [2_000, 10_000, 100_000, 1_000_000].filter((n) => n < totalOps).concat(totalOps);
    const readings = [];
    const started = performance.now();
    let interrupted = false;
    process.on('SIGINT', () => {
      interrupted = true;
      target = 0; // stop, then drop the table
    });
    for (const checkpoint of checkpoints) {
      if (interrupted) throw new Error('interrupted');
      target = checkpoint;
      const run = await drive({ request, concurrency: 32, durationMs: Infinity });
      if (run.errors > 0) throw run.firstError;
      fullGc();
      const memory = process.memoryUsage();
      readings.push({
        ops,
        heapUsedMB: Math.round((memory.heapUsed / MB) * 100) / 100,
        rssMB: Math.round((memory.rss / MB) * 10) / 10,
        seconds: Math.round((performance.now() - started) / 100) / 10,
      });
      process.stderr.write(
        `  heap ${backend.name}: ${ops.toLocaleString('en-US')} ops, ${readings.at(-1).heapUsedMB} MB\n`,
      );
    }
    process.stdout.write(`${JSON.stringify({ backend: backend.name, readings })}\n`);
  } finally {
    await handle.close();
    env.cleanup();
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
});
