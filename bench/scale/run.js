'use strict';
// The scale benchmark (npm run bench:scale): a million sessions, half of them expired, on MariaDB
// and PostgreSQL.
//  1. One app process lists the live ones with store.iterate(), then sweeps them, while it serves a
//     steady get/touch load: heap while listing, sweep duration, rows/s, get p50/p99 before and during.
//  2. Four app processes sweep one such table at once, each under load: errors (deadlocks), lost
//     live sessions, and the total work (DELETE statements, rows) against one process alone.
// Options: --rows 1000000 --rate 200 (requests/s per process) --batch 1000 --before 10 (seconds)
//          --backends mariadb,postgres. MARIADB_URL and POSTGRES_URL as for the tests.

const { fork } = require('node:child_process');
const path = require('node:path');
const session = require('express-session');
const { Sequelize } = require('sequelize');
const sequelizeSessionStore = require('sequelize-session-store');
const { defineSessionModel } = require('sequelize-session-store/model');
const { fill } = require('./fill');
const { startTraffic, sleep } = require('./traffic');
const { option } = require('../option');

const ROWS = Number(option('rows', 1_000_000));
const RATE = Number(option('rate', 200));
const BATCH = Number(option('batch', 1000));
const BEFORE_S = Number(option('before', 10));
const FLEET = 4;
const URLS = {
  mariadb: process.env.MARIADB_URL ?? 'mysql://root@127.0.0.1:3306/test',
  postgres: process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
};
const BACKENDS = option('backends', 'mariadb,postgres').split(',');
const SequelizeStore = sequelizeSessionStore(session.Store);

const log = (line) => process.stderr.write(`${line}\n`);
const ms = (value) => (Number.isFinite(value) ? value.toFixed(2) : '-');

/** A bench_scale_ table of its own with ROWS sessions, half expired. */
async function filledTable(db, suffix) {
  const table = `bench_scale_${process.pid}_${suffix}`;
  const model = defineSessionModel(db, { tableName: table, modelKey: table });
  await model.sync({ force: true });
  const started = Date.now();
  let shown = 0;
  await fill(db, table, ROWS, (done) => {
    if (done - shown >= ROWS / 10) log(`  loaded ${(shown = done)} rows`);
  });
  log(`  ${ROWS} rows loaded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { table, model };
}

async function counts(db, model) {
  const [[row]] = await db.query(
    `SELECT SUM(CASE WHEN expires < :now THEN 1 ELSE 0 END) AS expired, COUNT(*) AS total FROM ${db
      .getQueryInterface()
      .queryGenerator.quoteTable(model.getTableName())}`,
    { replacements: { now: new Date() } },
  );
  return { expired: Number(row.expired), live: Number(row.total) - Number(row.expired) };
}

/**
 * Every live session through store.iterate(), while the load runs: one batch in memory at a time,
 * so the heap stays where it started. It is read after a full GC (--expose-gc) before and after the
 * listing, outside the measured window, and every 50 batches without one (the highest such reading
 * is reported): a forced GC inside the window would stall the requests it measures.
 */
async function listUnderLoad(store, traffic) {
  const settledHeapMB = () => {
    global.gc?.();
    return process.memoryUsage().heapUsed / 2 ** 20;
  };
  const before = settledHeapMB();
  traffic.window();
  const started = process.hrtime.bigint();
  let listed = 0;
  let highest = 0;
  for await (const listedSession of store.iterate({ batchSize: BATCH })) {
    if (listedSession.id) listed += 1;
    if (listed % (BATCH * 50) === 0) highest = Math.max(highest, process.memoryUsage().heapUsed / 2 ** 20);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const during = traffic.window();
  return { listed, seconds, during, heap: { before, highest, after: settledHeapMB() } };
}

/** 1. One process: the listing, then the sweep, under a steady load. */
async function sweepUnderLoad(name, url) {
  let statements = 0;
  const db = new Sequelize(url, {
    logging: (sql) => {
      if (sql.startsWith('Executing (sequelize-session-store): DELETE')) statements += 1;
    },
    pool: { max: 10 },
  });
  const { model } = await filledTable(db, 'one');
  try {
    const before = await counts(db, model);
    const store = new SequelizeStore({ db, table: model, checkExpirationInterval: 0, pruneBatchSize: BATCH });
    const traffic = startTraffic(store, ROWS, RATE);
    await sleep(3000); // warm-up
    traffic.window();
    await sleep(BEFORE_S * 1000);
    const quiet = traffic.window();
    // A second quiet window: how much p99 moves with no sweep at all, on this machine, right now.
    await sleep(BEFORE_S * 1000);
    const control = traffic.window();
    log(`  before: p50 ${ms(quiet.p50)} / ${ms(control.p50)} ms, p99 ${ms(quiet.p99)} / ${ms(control.p99)} ms`);
    const listing = await listUnderLoad(store, traffic);
    const { heap } = listing;
    log(
      `  listed ${listing.listed} live sessions in ${listing.seconds.toFixed(1)} s; during: p99 ${ms(listing.during.p99)} ms; heap ${heap.before.toFixed(1)} -> ${heap.after.toFixed(1)} MB (highest ${heap.highest.toFixed(1)})`,
    );
    const started = process.hrtime.bigint();
    const deleted = await store.prune();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const during = traffic.window();
    await traffic.stop();
    const after = await counts(db, model);
    log(
      `  swept ${deleted} rows in ${seconds.toFixed(1)} s; during: p50 ${ms(during.p50)} ms, p99 ${ms(during.p99)} ms`,
    );
    return { name, before, after, deleted, statements, seconds, quiet, control, during, listing };
  } finally {
    await model.drop();
    await db.close();
  }
}

/** 2. FLEET processes sweeping one table at once, each under load. */
async function fleetSweep(name, url) {
  const db = new Sequelize(url, { logging: false });
  const { table, model } = await filledTable(db, 'fleet');
  const apps = [];
  try {
    const before = await counts(db, model);
    const config = JSON.stringify({ url, table, rows: ROWS, rate: RATE, batch: BATCH });
    for (let i = 0; i < FLEET; i += 1) apps.push(fork(path.join(__dirname, 'app.js'), [config]));
    await Promise.all(apps.map((app) => new Promise((resolve) => app.once('message', resolve))));
    await sleep(3000 + BEFORE_S * 1000); // warm-up, then the window before the sweep
    const started = process.hrtime.bigint();
    const results = apps.map((app) => new Promise((resolve) => app.once('message', resolve)));
    for (const app of apps) app.send({ go: true });
    const each = await Promise.all(results);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const after = await counts(db, model);
    log(`  fleet swept ${each.reduce((s, r) => s + r.deleted, 0)} rows in ${seconds.toFixed(1)} s`);
    return { name, before, after, seconds, each };
  } finally {
    await Promise.all(
      apps.map((app) => new Promise((resolve) => (app.exitCode === null ? app.once('exit', resolve) : resolve()))),
    );
    await model.drop();
    await db.close();
  }
}

function report(one, fleet) {
  const lines = [];
  lines.push(
    `### ${one.name}: ${ROWS.toLocaleString('en')} sessions, ${one.before.expired.toLocaleString('en')} expired`,
  );
  lines.push('');
  lines.push('| one process, sweep under load | |');
  lines.push('| --- | --- |');
  lines.push(`| rows deleted | ${one.deleted.toLocaleString('en')} in ${one.statements} DELETEs of ${BATCH} |`);
  lines.push(
    `| sweep duration | ${one.seconds.toFixed(1)} s (${Math.round(one.deleted / one.seconds).toLocaleString('en')} rows/s) |`,
  );
  lines.push(`| get p50 before / during | ${ms(one.quiet.p50)} ms / ${ms(one.during.p50)} ms |`);
  lines.push(
    `| get p99 before / during | ${ms(one.quiet.p99)} ms / ${ms(one.during.p99)} ms (${(one.during.p99 / one.quiet.p99).toFixed(2)}x) |`,
  );
  lines.push(
    `| get p99 of a second quiet window (noise) | ${ms(one.control.p99)} ms (${(one.control.p99 / one.quiet.p99).toFixed(2)}x) |`,
  );
  const { listing } = one;
  lines.push(
    `| live sessions listed by iterate() | ${listing.listed.toLocaleString('en')} in ${listing.seconds.toFixed(1)} s (batches of ${BATCH}) |`,
  );
  lines.push(
    `| get p99 during the listing | ${ms(listing.during.p99)} ms (${(listing.during.p99 / one.quiet.p99).toFixed(2)}x the quiet window) |`,
  );
  const { heap } = listing;
  lines.push(
    `| heap after a GC before / after the listing (highest reading during it) | ${heap.before.toFixed(1)} / ${heap.after.toFixed(1)} MB (${heap.highest.toFixed(1)} MB) |`,
  );
  lines.push(
    `| load | ${RATE} get+touch/s; ${one.during.requests} gets during the sweep, ${one.during.errors} errors, ${one.during.lost} live sessions not found |`,
  );
  lines.push(
    `| left after | ${one.after.expired} expired, ${one.after.live.toLocaleString('en')} live (of ${one.before.live.toLocaleString('en')}) |`,
  );
  lines.push('');
  const total = (key) => fleet.each.reduce((sum, r) => sum + r[key], 0);
  const errors = fleet.each.filter((r) => r.error).map((r) => r.error);
  const requestErrors = fleet.each.reduce((sum, r) => sum + r.during.errors, 0);
  lines.push(`| ${FLEET} processes sweeping at once, each under load | |`);
  lines.push('| --- | --- |');
  lines.push(
    `| rows deleted per process | ${fleet.each.map((r) => r.deleted.toLocaleString('en')).join(' / ')} (total ${total('deleted').toLocaleString('en')}) |`,
  );
  lines.push(
    `| DELETE statements per process | ${fleet.each.map((r) => r.statements).join(' / ')} (total ${total('statements')}; one process alone: ${one.statements}) |`,
  );
  lines.push(
    `| sweep duration per process | ${fleet.each.map((r) => `${r.seconds.toFixed(1)} s`).join(' / ')} (wall ${fleet.seconds.toFixed(1)} s) |`,
  );
  lines.push(`| get p99 before, per process | ${fleet.each.map((r) => `${ms(r.before.p99)} ms`).join(' / ')} |`);
  lines.push(`| get p99 during, per process | ${fleet.each.map((r) => `${ms(r.during.p99)} ms`).join(' / ')} |`);
  lines.push(`| sweep errors (deadlocks, lock timeouts) | ${errors.length === 0 ? 'none' : errors.join('; ')} |`);
  const lost = fleet.each.reduce((sum, r) => sum + r.during.lost, 0);
  lines.push(`| request errors / live sessions not found | ${requestErrors} / ${lost} |`);
  lines.push(
    `| left after | ${fleet.after.expired} expired, ${fleet.after.live.toLocaleString('en')} live (of ${fleet.before.live.toLocaleString('en')}) |`,
  );
  return lines.join('\n');
}

/** What must hold in any run, however loaded the machine: the numbers above are only numbers. */
function broken(one, fleet) {
  const sum = (key) => fleet.each.reduce((total, r) => total + r[key], 0);
  const problems = [];
  if (one.after.expired !== 0 || one.after.live !== one.before.live) problems.push('one sweep: wrong rows left');
  if (one.during.errors + one.during.lost > 0) problems.push('one sweep: request errors or lost sessions');
  if (one.listing.listed !== one.before.live) problems.push('listing: iterate() did not list every live session once');
  if (one.listing.during.errors + one.listing.during.lost > 0)
    problems.push('listing: request errors or lost sessions');
  if (fleet.each.some((r) => r.error)) problems.push('fleet: a sweep failed');
  if (sum('deleted') !== fleet.before.expired) problems.push('fleet: deleted count is not the expired count');
  if (fleet.after.expired !== 0 || fleet.after.live !== fleet.before.live) problems.push('fleet: wrong rows left');
  if (fleet.each.some((r) => r.during.errors + r.during.lost > 0))
    problems.push('fleet: request errors or lost sessions');
  // Each process ends on one short batch: together at most FLEET - 1 statements more than one alone.
  if (sum('statements') > one.statements + FLEET - 1) problems.push('fleet: more work than one sweep');
  return problems;
}

(async () => {
  const sections = [];
  for (const name of BACKENDS) {
    const url = URLS[name];
    if (!url) throw new Error(`unknown backend ${name}`);
    log(`${name}: one process, sweep under load`);
    const one = await sweepUnderLoad(name, url);
    if (option('phases', 'one,fleet').includes('fleet')) {
      log(`${name}: ${FLEET} processes sweeping at once`);
      const fleet = await fleetSweep(name, url);
      sections.push(report(one, fleet));
      for (const problem of broken(one, fleet)) {
        console.error(`${name}: ${problem}`);
        process.exitCode = 1;
      }
    }
  }
  console.log(sections.join('\n\n'));
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
