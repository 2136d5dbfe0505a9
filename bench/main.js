'use strict';

/**
 * `npm run bench`: our store against the raw-driver floor and the peer stores on SQLite, MariaDB
 * and PostgreSQL, then the heap over a long run. Writes bench/results/results.{json,md} and
 * chart.svg; with --publish also bench/RESULTS.md and bench/chart.svg. Flags: bench/config.js.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, execFileSync } = require('node:child_process');
const { performance } = require('node:perf_hooks');
const { readConfig, UsageError } = require('./config');
const { installStatementCounters } = require('./statements');
const { BACKENDS, probe, withServer } = require('./backends');
const { runBackend } = require('./backend-run');
const { summariseBackend } = require('./summary');
const { cells: cellsOf } = require('./workloads');
const { evaluateTargets } = require('./targets');
const { renderMarkdown } = require('./report/markdown');
const { renderSvg } = require('./report/svg');
const { publish, RESULTS_DIR } = require('./publish');

const started = performance.now();

function logger(config) {
  return (message, level) => {
    if (level === 'verbose' && !config.verbose) return;
    const seconds = ((performance.now() - started) / 1000).toFixed(0).padStart(4);
    process.stderr.write(`[${seconds} s] ${message}\n`);
  };
}

/** Name, version and (when it is a git checkout) commit of the store under test. */
function describeStore(storeModule) {
  let entry;
  try {
    entry = require.resolve(storeModule);
  } catch {
    throw new Error(`cannot load the store (${storeModule}): run \`npm run build\` first`);
  }
  let dir = path.dirname(entry);
  while (!fs.existsSync(path.join(dir, 'package.json')) && dir !== path.dirname(dir)) dir = path.dirname(dir);
  const { name, version } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  let commit;
  try {
    commit = execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty = execFileSync('git', ['-C', dir, 'status', '--porcelain', '--', 'lib', 'models'], {
      encoding: 'utf8',
    }).trim();
    if (dirty) commit += ' (with uncommitted changes)';
  } catch {
    commit = undefined; // not a git checkout
  }
  return { name, version, module: storeModule, commit };
}

/** One heap run in a child process, so nothing else the bench did sits in the heap. */
function runHeap(backend, ops, config) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--expose-gc',
        path.join(__dirname, 'heap.js'),
        '--backend',
        backend,
        '--ops',
        String(ops),
        '--store',
        config.storeModule,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('close', (code) => {
      try {
        if (code !== 0) throw new Error(`exited with code ${code}`);
        resolve(JSON.parse(out.trim().split('\n').at(-1)));
      } catch (error) {
        resolve({ backend, error: error.message });
      }
    });
  });
}

async function main() {
  const config = readConfig();
  const log = logger(config);
  const store = describeStore(config.storeModule);
  config.storeVersion = store.version;
  const counted = installStatementCounters();
  config.abort = { aborted: false };
  process.on('SIGINT', () => {
    if (config.abort.aborted) process.exit(130);
    config.abort.aborted = true;
    log('interrupted: finishing the current measurement, then dropping the tables (Ctrl-C again to quit at once)');
  });

  const cpus = os.cpus();
  const results = {
    meta: {
      startedAt: new Date().toISOString(),
      durationS: null,
      machine: {
        cpu: cpus[0]?.model.trim() ?? 'unknown CPU',
        cores: cpus.length,
        memoryGB: Math.round(os.totalmem() / 2 ** 30),
      },
      node: process.version,
      store,
      drivers: {
        mysql2: counted.mysql2,
        pg: require('pg/package.json').version,
        sqlite3: require('sqlite3/package.json').version,
      },
      config: { ...config, abort: undefined, storeVersion: undefined },
    },
    cells: cellsOf(config.workloads).map((c) => ({ id: c.id, label: c.workload.label, concurrency: c.concurrency })),
    backends: {},
    heap: [],
    targets: [],
  };
  log(
    `benchmarking ${store.name} ${store.version}${store.commit ? ` (${store.commit})` : ''}: ${config.rounds} rounds; cells of ${config.cellMs} ms in ${config.slices} slices, mixed ${config.mixedMs} ms in ${config.mixedSlices} slices after ${config.mixedWarmupMs} ms of warm-up each`,
  );

  const reachable = [];
  for (const name of config.backends) {
    const backend = BACKENDS[name];
    if (!backend) throw new UsageError(`unknown backend ${name}`);
    const { version, reason } = await probe(backend);
    if (reason) {
      results.backends[name] = { label: backend.label, unreachable: reason };
      log(`!!! SKIPPING ${backend.label}: ${reason}`);
      continue;
    }
    reachable.push(name);
    log(`${backend.label} (${version})`);
    let run;
    try {
      run = await withServer(backend, (started) => runBackend({ backend: started, config, log }));
    } catch (error) {
      if (config.abort.aborted) throw error;
      results.backends[name] = { label: backend.label, unreachable: `failed: ${error.message}` };
      log(`!!! ${backend.label} FAILED: ${error.stack}`);
      continue;
    }
    results.backends[name] = {
      label: backend.label,
      version,
      contenders: run.contenders,
      skipped: run.skipped,
      loadAverage: run.loadAverage,
      summary: summariseBackend(run),
    };
  }

  for (const name of config.heapBackends) {
    const ops = name === 'sqlite' ? config.heapOps : config.heapServerOps;
    if (ops <= 0 || config.abort.aborted) continue;
    if (!reachable.includes(name) && (await probe(BACKENDS[name])).reason) continue;
    log(`heap: ${ops.toLocaleString('en-US')} operations on ${BACKENDS[name].label}`);
    results.heap.push(await runHeap(name, ops, config));
  }

  results.targets = evaluateTargets(results.backends, results.heap);
  results.meta.durationS = Math.round((performance.now() - started) / 1000);

  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  fs.writeFileSync(path.join(RESULTS_DIR, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const markdown = renderMarkdown(results);
  fs.writeFileSync(path.join(RESULTS_DIR, 'results.md'), markdown);
  fs.writeFileSync(path.join(RESULTS_DIR, 'chart.svg'), renderSvg(results));
  log(
    `wrote ${path.relative(process.cwd(), RESULTS_DIR)}/results.json, results.md and chart.svg in ${results.meta.durationS} s`,
  );
  if (config.publish) log(`published ${publish().join(' and ')}`);

  // The headline on stdout: targets and the mixed workload.
  const sections = markdown.split('\n## ');
  const notRun = /^\*\*Not run:\*\*.*$/m.exec(sections[0])?.[0];
  process.stdout.write(`${notRun ? `\n${notRun}\n` : ''}`);
  process.stdout.write(`\n## ${sections.filter((s) => /^(Targets|Mixed workload)/.test(s)).join('\n## ')}\n`);
}

main().catch((error) => {
  if (error instanceof UsageError) {
    (error.help ? process.stdout : process.stderr).write(`${error.message}\n`);
    process.exitCode = error.help ? 0 : 2;
    return;
  }
  process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
});
