'use strict';

/**
 * The schedule on one backend: every round runs every cell, and a cell's time is cut into slices
 * in which every contender runs in turn, in an order rotated every slice, cell and round. A
 * cell's contenders are thus measured in alternation a fraction of a second apart, so a swing of
 * the machine's speed (a neighbour on the host, the server flushing) falls on all of them alike
 * and the per-round ratios compare like with like.
 */
const { runCell, perSecond } = require('./runner');
const { addFillerSessions } = require('./workloads');

function rotate(list, by) {
  const k = by % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

/**
 * Before a cell starts, gives every contender's table as many rows as the largest one. A
 * contender that writes faster fills its table faster ("set, new sid"; its spare rows), and every
 * later cell would charge it for the larger table: on SQLite, 80,000 more rows cost the raw
 * driver 7-10% of its mixed-workload throughput.
 */
async function evenOutTables(cell, contenders, log) {
  const most = Math.max(...contenders.map((contender) => contender.sessions.rows));
  for (const contender of contenders) {
    const missing = most - contender.sessions.rows;
    if (missing <= 0) continue;
    const started = Date.now();
    await addFillerSessions(contender.api, contender.sessions, missing);
    log(`  ${cell.id}: ${contender.name} +${missing} rows to ${most} in ${Date.now() - started} ms`, 'verbose');
  }
}

/**
 * How a contender's time in a cell is cut: a single operation's warm-up and measured time are
 * spread over its slices; the mixed workload's slices each get a full warm-up (see config.js).
 */
function sliceSchedule(cell, config) {
  if (!cell.workload.id.startsWith('mixed')) {
    const { slices } = config;
    return { slices, durationMs: config.cellMs / slices, warmupMs: config.warmupMs / slices };
  }
  const slices = config.mixedSlices;
  return { slices, durationMs: config.mixedMs / slices, warmupMs: config.mixedWarmupMs };
}

/** One cell in one round: its slices, every contender in turn in each; per contender, the sums and latencies. */
async function measureCell({ cell, contenders, turn, config, log }) {
  const { slices, durationMs, warmupMs } = sliceSchedule(cell, config);
  const measured = new Map(); // contender → its sums over the slices
  for (const contender of contenders) {
    measured.set(contender, {
      requests: 0,
      elapsedMs: 0,
      statements: 0,
      writes: 0,
      errors: 0,
      unexpected: 0,
      exhausted: false,
      latencies: [],
    });
  }
  for (let slice = 0; slice < slices; slice += 1) {
    for (const contender of rotate(contenders, turn + slice)) {
      if (config.abort?.aborted) throw new Error('interrupted');
      const { api, sessions } = contender;
      const entry = measured.get(contender);
      if (entry.exhausted) continue; // the workload has nothing left to do for it this round
      await cell.workload.beforeSlice?.(contender, cell, durationMs + warmupMs);
      const unexpectedBefore = sessions.unexpected;
      const run = await runCell({
        request: () => cell.workload.request(api, sessions),
        concurrency: cell.concurrency,
        durationMs,
        warmupMs,
      });
      for (const latency of run.latencies) entry.latencies.push(latency);
      entry.requests += run.requests;
      entry.elapsedMs += run.elapsedMs;
      entry.statements += run.statements;
      entry.writes += run.writes;
      entry.errors += run.errors;
      entry.unexpected += sessions.unexpected - unexpectedBefore;
      entry.exhausted = run.exhausted;
      if (run.errors > 0)
        log(`  ! ${contender.name} ${cell.id}: ${run.errors} errors, first: ${run.firstError?.message}`);
    }
  }
  return measured;
}

async function runRounds({ contenders, cells, config, log }) {
  const results = new Map(); // `${cell.id}|${contender.name}` → { rounds: [], latencies: [] }
  for (let round = 1; round <= config.rounds; round += 1) {
    for (const [index, cell] of cells.entries()) {
      await evenOutTables(cell, contenders, log);
      const measured = await measureCell({ cell, contenders, turn: round + index, config, log });
      for (const [contender, { latencies, ...sums }] of measured) {
        const opsPerSec = perSecond(sums.requests, sums.elapsedMs);
        contender.lastRate.set(cell.id, opsPerSec);
        const key = `${cell.id}|${contender.name}`;
        if (!results.has(key)) results.set(key, { rounds: [], latencies: [] });
        const result = results.get(key);
        for (const latency of latencies) result.latencies.push(latency);
        result.rounds.push({
          ...sums,
          round,
          elapsedMs: Math.round(sums.elapsedMs * 10) / 10,
          opsPerSec: Math.round(opsPerSec * 10) / 10,
        });
        log(
          `  r${round} ${cell.id.padEnd(15)} ${contender.name.padEnd(27)} ${Math.round(opsPerSec).toLocaleString('en-US').padStart(8)} req/s`,
          'verbose',
        );
      }
    }
    log(`  round ${round}/${config.rounds} done`);
  }
  return results;
}

module.exports = { runRounds };
