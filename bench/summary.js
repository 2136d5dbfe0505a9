'use strict';

/** Turns the raw rounds of one backend into the numbers the reports show. */
const { median, percentile, sortedCopy, roundRatios } = require('./stats');

const round3 = (value) => (value === null || value === undefined ? null : Math.round(value * 1000) / 1000);

function summariseBackend({ cells, contenders, raw }) {
  const summary = {};
  for (const cell of cells) {
    const floor = raw.get(`${cell.id}|floor`);
    const row = {};
    for (const contender of contenders) {
      const entry = raw.get(`${cell.id}|${contender.name}`);
      if (!entry) continue;
      const sorted = sortedCopy(entry.latencies);
      entry.latencies = []; // done with them: keep the process small for the next backend
      const requests = entry.rounds.reduce((sum, r) => sum + r.requests, 0);
      const statements = entry.rounds.reduce((sum, r) => sum + r.statements, 0);
      const writes = entry.rounds.reduce((sum, r) => sum + (r.writes ?? 0), 0);
      row[contender.name] = {
        opsPerSec: Math.round(median(entry.rounds.map((r) => r.opsPerSec))),
        p50Ms: round3(percentile(sorted, 50)),
        p99Ms: round3(percentile(sorted, 99)),
        costRatio: floor ? round3(median(roundRatios(floor.rounds, entry.rounds))) : null,
        statementsPerRequest: requests > 0 ? round3(statements / requests) : null,
        writesPerRequest: requests > 0 ? round3(writes / requests) : null,
        requests,
        errors: entry.rounds.reduce((sum, r) => sum + r.errors, 0),
        unexpected: entry.rounds.reduce((sum, r) => sum + r.unexpected, 0),
        exhaustedRounds: entry.rounds.filter((r) => r.exhausted).length,
        rounds: entry.rounds,
      };
    }
    summary[cell.id] = row;
  }
  return summary;
}

module.exports = { summariseBackend };
