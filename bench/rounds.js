'use strict';

/**
 * The schedule on one backend: every round runs every cell, and within a cell every contender
 * one after the other, in an order rotated each time so no contender is always first after a
 * slow neighbour. A cell's contenders are thus measured seconds apart, and the per-round ratios
 * compare like with like.
 */
const { runCell } = require('./runner');
const { addSpareSessions } = require('./workloads');

function rotate(list, by) {
  const k = by % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

/**
 * How many spare rows "destroy" may need: its last rate, else three times this round's insert
 * rate, with room for a faster round (write rates swing with fsync). Unused rows carry over to
 * the next round. Should it still run out, the cell ends early and its rate stands.
 */
function spareNeeded(contender, cell, config) {
  const seconds = (config.warmupMs + config.cellMs) / 1000;
  const rate = contender.lastRate.get(cell.id) ?? 3 * (contender.lastRate.get(`set-new@${cell.concurrency}`) ?? 1000);
  return Math.ceil(rate * seconds * 2);
}

async function runRounds({ contenders, cells, config, log }) {
  const results = new Map(); // `${cell.id}|${contender.name}` → { rounds: [], latencies: [] }
  for (let round = 1; round <= config.rounds; round += 1) {
    for (const [index, cell] of cells.entries()) {
      for (const contender of rotate(contenders, round + index)) {
        if (config.abort?.aborted) throw new Error('interrupted');
        const { api, sessions } = contender;
        if (cell.workload.id === 'destroy') {
          const missing = spareNeeded(contender, cell, config) - sessions.spare.length;
          if (missing > 0) await addSpareSessions(api, sessions, missing);
        }
        const unexpectedBefore = sessions.unexpected;
        const run = await runCell({
          request: () => cell.workload.request(api, sessions),
          concurrency: cell.concurrency,
          durationMs: cell.workload.id === 'mixed' ? config.mixedMs : config.cellMs,
          warmupMs: config.warmupMs,
        });
        contender.lastRate.set(cell.id, run.opsPerSec);
        const key = `${cell.id}|${contender.name}`;
        if (!results.has(key)) results.set(key, { rounds: [], latencies: [] });
        const entry = results.get(key);
        for (const latency of run.latencies) entry.latencies.push(latency);
        entry.rounds.push({
          round,
          requests: run.requests,
          elapsedMs: Math.round(run.elapsedMs * 10) / 10,
          opsPerSec: Math.round(run.opsPerSec * 10) / 10,
          statements: run.statements,
          errors: run.errors,
          unexpected: sessions.unexpected - unexpectedBefore,
          exhausted: run.exhausted,
        });
        if (run.errors > 0)
          log(`  ! ${contender.name} ${cell.id}: ${run.errors} errors, first: ${run.firstError?.message}`);
        log(
          `  r${round} ${cell.id.padEnd(15)} ${contender.name.padEnd(27)} ${Math.round(run.opsPerSec).toLocaleString('en-US').padStart(8)} req/s`,
          'verbose',
        );
      }
    }
    log(`  round ${round}/${config.rounds} done`);
  }
  return results;
}

module.exports = { runRounds };
