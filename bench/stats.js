'use strict';

function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Nearest-rank percentile of an already sorted array. */
function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

function sortedCopy(values) {
  return Float64Array.from(values).sort();
}

/** Per-round a ÷ b, for the rounds where both ran. */
function roundRatios(a, b) {
  const byRound = new Map(b.map((r) => [r.round, r.opsPerSec]));
  return a
    .filter((r) => byRound.has(r.round) && r.opsPerSec > 0 && byRound.get(r.round) > 0)
    .map((r) => r.opsPerSec / byRound.get(r.round));
}

module.exports = { median, percentile, sortedCopy, roundRatios };
