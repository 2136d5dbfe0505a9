'use strict';

/**
 * The targets of issue 3, checked on one run. Every ratio is a median over rounds of a ratio
 * taken within a round, so a slow minute on the machine moves both sides of it.
 */
const { median, roundRatios } = require('./stats');

const MIXED = 'mixed@32';
const MIXED_WRITING = 'mixed-writing@32';
const SINGLE_C1 = ['set-new@1', 'set-existing@1', 'get-hit@1', 'get-miss@1', 'touch@1', 'destroy@1'];
const HEAP_GROWTH_LIMIT_MB = 1;

const fmt = (value, digits = 2) => (value === null || value === undefined ? 'n/a' : value.toFixed(digits));

function verdict(pass, value, detail) {
  return { pass, value, detail };
}

const NA = (why) => verdict(null, 'n/a', why);

/** Median over rounds of a's throughput ÷ b's, in one cell. */
function speedup(cell, a, b) {
  if (!cell?.[a] || !cell?.[b]) return null;
  return median(roundRatios(cell[a].rounds, cell[b].rounds));
}

/** Where the targets of issue 3 are judged; the pooler rows have a target of their own. */
const DIRECT = ['sqlite', 'mariadb', 'postgres'];

const TARGETS = [
  {
    id: 'mixed-vs-floor',
    text: 'Mixed workload, default options: ≤ 1.10× the floor',
    check(s) {
      const ratio = s[MIXED]?.ours?.costRatio;
      return ratio == null ? NA('not measured') : verdict(ratio <= 1.1, `${fmt(ratio)}×`);
    },
  },
  {
    id: 'pooler-vs-floor',
    text: 'Behind PgBouncer (transaction mode), mixed workload: ≤ 1.15× the floor (unnamed statements)',
    backends: ['pgbouncer'],
    check(s) {
      const ratio = s[MIXED]?.ours?.costRatio;
      return ratio == null ? NA('not measured') : verdict(ratio <= 1.15, `${fmt(ratio)}×`);
    },
  },
  {
    id: 'mixed-vs-peers',
    text: 'Mixed workload, default options: ahead of every peer',
    check(s, peers) {
      if (!s[MIXED]?.ours) return NA('not measured');
      const ran = peers.filter((p) => s[MIXED][p.name]);
      if (ran.length === 0) return NA('no peer ran');
      const closest = ran.map((p) => ({ p, x: speedup(s[MIXED], 'ours', p.name) })).sort((a, b) => a.x - b.x)[0];
      return verdict(closest.x > 1, `${fmt(closest.x)}× the closest`, closest.p.name);
    },
  },
  {
    id: 'writing-vs-floor',
    text: "Writing mixed workload, default options: ≥ 1.5× the floor's req/s (MariaDB, PostgreSQL), ≥ 1× (SQLite)",
    check(s, _peers, _skipped, backend) {
      const x = speedup(s[MIXED_WRITING], 'ours', 'floor');
      if (x == null) return NA('not measured');
      return verdict(x >= (backend === 'sqlite' ? 1 : 1.5), `${fmt(x)}× the floor's req/s`);
    },
  },
  {
    id: 'single-c1-vs-floor',
    text: 'Every single operation at concurrency 1: ≤ 1.3× the floor',
    check(s) {
      const ratios = SINGLE_C1.filter((id) => s[id]?.ours?.costRatio != null).map((id) => ({
        id,
        r: s[id].ours.costRatio,
      }));
      if (ratios.length === 0) return NA('not measured');
      const worst = ratios.sort((a, b) => b.r - a.r)[0];
      return verdict(worst.r <= 1.3, `worst ${fmt(worst.r)}×`, worst.id.replace('@1', ''));
    },
  },
  {
    id: 'group-commit-c1',
    text: 'Group commit at concurrency 1: every single operation ≤ 1.05× the cost with `groupCommit: false`',
    check(s, _peers, skipped) {
      const ratios = SINGLE_C1.map((id) => ({ id, r: speedup(s[id], 'ours-no-groupcommit', 'ours') })).filter(
        (x) => x.r != null,
      );
      if (ratios.length === 0)
        return NA(skipped.find((c) => c.name === 'ours-no-groupcommit')?.reason ?? 'not measured');
      const worst = ratios.sort((a, b) => b.r - a.r)[0];
      return verdict(worst.r <= 1.05, `worst ${fmt(worst.r)}×`, worst.id.replace('@1', ''));
    },
  },
  {
    id: 'touchafter-statements',
    text: 'touchAfter 300 s: statements per request in the mixed workload ≤ 1.2',
    check(s, peers, skipped) {
      const value = s[MIXED]?.['ours-touchafter']?.statementsPerRequest;
      if (value == null) return NA(skipped.find((c) => c.name === 'ours-touchafter')?.reason ?? 'not measured');
      return verdict(value <= 1.2, fmt(value));
    },
  },
  {
    id: 'touchafter-vs-floor',
    text: 'touchAfter 300 s: mixed throughput above the floor',
    check(s, peers, skipped) {
      const x = speedup(s[MIXED], 'ours-touchafter', 'floor');
      if (x == null) return NA(skipped.find((c) => c.name === 'ours-touchafter')?.reason ?? 'not measured');
      return verdict(x > 1, `${fmt(x)}× the floor's req/s`);
    },
  },
  {
    id: 'vs-connect-session-sequelize',
    text: 'Mixed workload, default options: ≥ 3× the throughput of connect-session-sequelize',
    check(s) {
      // Judged with default options; the touchAfter variant is shown beside it.
      const x = speedup(s[MIXED], 'ours', 'connect-session-sequelize');
      const throttled = speedup(s[MIXED], 'ours-touchafter', 'connect-session-sequelize');
      if (x == null) return NA('not measured');
      return verdict(x >= 3, `${fmt(x)}×`, throttled == null ? undefined : `touchAfter 300 s: ${fmt(throttled)}×`);
    },
  },
];

/** Checks each target on each backend that ran; `heap` adds the heap target. */
function evaluateTargets(backends, heap) {
  const results = [];
  for (const target of TARGETS) {
    const row = { id: target.id, text: target.text, backends: {} };
    for (const [name, b] of Object.entries(backends)) {
      if (!b.summary || !(target.backends ?? DIRECT).includes(name)) continue;
      const peers = b.contenders.filter((c) => c.kind === 'peer');
      row.backends[name] = target.check(b.summary, peers, b.skipped, name);
    }
    results.push(row);
  }
  const heapRow = {
    id: 'heap-flat',
    text: `Heap does not grow with the number of operations (≤ ${HEAP_GROWTH_LIMIT_MB} MB from 10k operations to the end)`,
    backends: {},
  };
  for (const run of heap) {
    if (!run.readings) {
      heapRow.backends[run.backend] = NA(run.error ?? 'not run');
      continue;
    }
    const base = run.readings.find((r) => r.ops === 10_000) ?? run.readings[0];
    const last = run.readings.at(-1);
    const growth = last.heapUsedMB - base.heapUsedMB;
    heapRow.backends[run.backend] = verdict(
      growth <= HEAP_GROWTH_LIMIT_MB,
      `${growth >= 0 ? '+' : ''}${fmt(growth)} MB`,
      `${last.ops.toLocaleString('en-US')} ops`,
    );
  }
  results.push(heapRow);
  return results;
}

module.exports = { evaluateTargets, TARGETS, MIXED, MIXED_WRITING };
