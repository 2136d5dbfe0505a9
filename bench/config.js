'use strict';

/**
 * Settings of a run, from flags (`npm run bench -- --rounds 3`) or environment variables
 * (BENCH_ROUNDS=3). Flags win.
 */
const DEFAULTS = {
  rounds: 7,
  // Per cell and round of a single operation, the contenders alternate this many times (the mixed
  // workload has its own, below). On MariaDB the per-round ratios spread half as much with 12 as with 4.
  slices: 12,
  warmupMs: 100,
  cellMs: 350,
  mixedMs: 1200,
  // The mixed workload, whose ratios the targets judge, in fewer and longer slices, each after a
  // warm-up of its own: a contender that has just taken over from another one is slower for about
  // 300 ms (MariaDB: the floor's first 25 ms at 12,000 req/s, 16,000 by 325 ms), which squeezed
  // every ratio towards 1 when each 100 ms slice fell in that ramp.
  mixedSlices: 4,
  mixedWarmupMs: 300, // before each slice
  heapOps: 1_000_000, // on SQLite
  heapServerOps: 100_000, // on MariaDB and PostgreSQL
  backends: ['sqlite', 'mariadb', 'postgres', 'pgbouncer'],
  heapBackends: ['sqlite', 'mariadb', 'postgres'],
  contenders: undefined, // all
  workloads: undefined, // all
  storeModule: 'sequelize-session-store',
  publish: false,
  verbose: false,
};

const QUICK = {
  rounds: 2,
  slices: 4,
  warmupMs: 50,
  cellMs: 150,
  mixedMs: 400,
  mixedSlices: 2,
  mixedWarmupMs: 100,
  heapOps: 100_000,
  heapServerOps: 20_000,
};

const FLAGS = {
  rounds: 'number',
  slices: 'number',
  'warmup-ms': 'number',
  'cell-ms': 'number',
  'mixed-ms': 'number',
  'mixed-slices': 'number',
  'mixed-warmup-ms': 'number',
  'heap-ops': 'number',
  'heap-server-ops': 'number',
  backends: 'list',
  'heap-backends': 'list',
  contenders: 'list',
  workloads: 'list',
  store: 'string',
  publish: 'boolean',
  quick: 'boolean',
  verbose: 'boolean',
};

const KEYS = {
  'warmup-ms': 'warmupMs',
  'cell-ms': 'cellMs',
  'mixed-ms': 'mixedMs',
  'mixed-slices': 'mixedSlices',
  'mixed-warmup-ms': 'mixedWarmupMs',
  'heap-ops': 'heapOps',
  'heap-server-ops': 'heapServerOps',
  'heap-backends': 'heapBackends',
  store: 'storeModule',
};

const USAGE = `npm run bench -- [flags]      (or: node --expose-gc bench/main.js [flags])

  --quick                 a short smoke run (2 rounds, 150 ms cells, smaller heap runs)
  --rounds N              rounds per backend (default ${DEFAULTS.rounds})
  --slices N              per cell and round, the contenders take turns N times, single operations (default ${DEFAULTS.slices})
  --cell-ms N             measured time per cell and round, single operations (default ${DEFAULTS.cellMs})
  --warmup-ms N           unrecorded warm-up per cell and round, spread over the slices (default ${DEFAULTS.warmupMs})
  --mixed-ms N            measured time of the mixed workload per round (default ${DEFAULTS.mixedMs})
  --mixed-slices N        the slices of the mixed workload (default ${DEFAULTS.mixedSlices})
  --mixed-warmup-ms N     unrecorded warm-up before each slice of the mixed workload (default ${DEFAULTS.mixedWarmupMs})
  --heap-ops N            operations of the heap run on SQLite; 0 skips it (default ${DEFAULTS.heapOps})
  --heap-server-ops N     the same on MariaDB and PostgreSQL (default ${DEFAULTS.heapServerOps})
  --backends a,b          sqlite, mariadb, postgres, pgbouncer (default: all four; pgbouncer is
                          PostgreSQL behind a PgBouncer the bench starts, skipped when not installed)
  --heap-backends a,b     where the heap runs (default: all three)
  --contenders a,b        e.g. ours,connect-session-knex (the floor always runs)
  --workloads a,b         set-new, set-existing, get-hit, get-miss, touch, destroy, mixed, mixed-writing
  --store PATH            benchmark another build of the store (default: this package)
  --publish               copy the report and chart to bench/RESULTS.md and bench/chart.svg
  --verbose               print every measurement

Every flag also reads from the environment: BENCH_ROUNDS, BENCH_CELL_MS, BENCH_QUICK=1, ...
Servers: MARIADB_URL (default mysql://root@127.0.0.1:3306/test),
         POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test),
         PGBOUNCER_PATH (default /usr/sbin/pgbouncer).`;

function convert(flag, type, raw) {
  if (type === 'boolean') return raw === undefined || raw === true || !/^(0|false|no)$/i.test(String(raw));
  if (type === 'number') {
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0)
      throw new TypeError(`--${flag} must be a number, received ${JSON.stringify(raw)}`);
    return value;
  }
  if (type === 'list')
    return String(raw)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return String(raw);
}

function fromEnvironment(env) {
  const found = {};
  for (const [flag, type] of Object.entries(FLAGS)) {
    const raw = env[`BENCH_${flag.toUpperCase().replace(/-/g, '_')}`];
    if (raw !== undefined && raw !== '') found[flag] = convert(flag, type, raw);
  }
  return found;
}

function fromArguments(argv) {
  const found = {};
  for (let i = 0; i < argv.length; i += 1) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (match?.[1] === 'help') throw new UsageError(undefined, true);
    if (!match) throw new UsageError(`cannot read ${JSON.stringify(argv[i])}`);
    const [, flag, inline] = match;
    const type = FLAGS[flag];
    if (!type) throw new UsageError(`unknown flag --${flag}`);
    if (type === 'boolean') found[flag] = convert(flag, type, inline ?? true);
    else found[flag] = convert(flag, type, inline ?? argv[++i]);
  }
  return found;
}

class UsageError extends Error {
  constructor(message, help = false) {
    super(message ? `${message}\n\n${USAGE}` : USAGE);
    this.name = 'UsageError';
    this.help = help;
  }
}

function readConfig(argv = process.argv.slice(2), env = process.env) {
  const given = { ...fromEnvironment(env), ...fromArguments(argv) };
  const config = { ...DEFAULTS, ...(given.quick ? QUICK : {}) };
  for (const [flag, value] of Object.entries(given)) {
    if (flag !== 'quick') config[KEYS[flag] ?? flag] = value;
  }
  config.quick = Boolean(given.quick);
  if (/^[./]/.test(config.storeModule)) config.storeModule = require('node:path').resolve(config.storeModule);
  if (config.rounds < 1) throw new UsageError('--rounds must be at least 1');
  for (const [flag, value] of [
    ['slices', config.slices],
    ['mixed-slices', config.mixedSlices],
  ]) {
    if (value < 1 || !Number.isInteger(value)) throw new UsageError(`--${flag} must be a whole number, at least 1`);
  }
  return config;
}

module.exports = { readConfig, UsageError, DEFAULTS };
