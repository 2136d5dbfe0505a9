'use strict';
// What group commit costs a lone request (npm run bench:group-commit): at concurrency 1, two
// stores on ONE table, groupCommit on and off, take turns in short slices, and each pair of slices
// gives a ratio. In `npm run bench` each contender has a table of its own (topped up to the same
// row count before each cell), and a 350 ms cell moves by more than the 5% this tool resolves.
// Options: --backends sqlite,mariadb,postgres --pairs 24 --slice-ms 200. MARIADB_URL, POSTGRES_URL.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const session = require('express-session');
const { Sequelize } = require('sequelize');
const sequelizeSessionStore = require('sequelize-session-store');
const { BACKENDS } = require('./backends');
const { option } = require('./option');
const { DAY_MS, asExpressSession, sessionData } = require('./payload');

const SequelizeStore = sequelizeSessionStore(session.Store);
const LIVE = 1000;

const NAMES = option('backends', 'sqlite,mariadb,postgres').split(',');
const PAIRS = Number(option('pairs', 24));
const SLICE_MS = Number(option('slice-ms', 200));

/** The main bench's session, as express-session hands it over; its expiry moves 2 s a write, so every touch writes. */
function handedOver(sid, n) {
  const session = asExpressSession(sid, sessionData(n));
  session.cookie.expires = new Date(Date.now() + DAY_MS + n * 2000);
  return session;
}

function connect(backend, sqliteFile) {
  if (backend.name === 'sqlite') return new Sequelize({ dialect: 'sqlite', storage: sqliteFile, logging: false });
  return new Sequelize(backend.url, { logging: false, pool: { max: 5 } });
}

/** Requests per ms of `op` on `store` for `ms`, after a warm-up of its own. */
async function rate(store, op, ms) {
  const until = (end) => performance.now() < end;
  for (const end = performance.now() + ms / 5; until(end);) await op(store);
  let done = 0;
  const started = performance.now();
  for (const end = started + ms; until(end); done += 1) await op(store);
  return done / (performance.now() - started);
}

async function measure(backend) {
  const sqliteFile = path.join(os.tmpdir(), `bench-group-commit-${process.pid}.sqlite`);
  const table = `bench_gc_c1_${process.pid}`;
  const dbs = [connect(backend, sqliteFile), connect(backend, sqliteFile)];
  const common = { tableName: table, modelKey: table, checkExpirationInterval: 0 };
  const on = new SequelizeStore({ db: dbs[0], ...common });
  const off = new SequelizeStore({ db: dbs[1], ...common, groupCommit: false });
  try {
    await on.sync();
    const live = Array.from({ length: LIVE }, (_, i) => `live-${i}`);
    for (const sid of live) await on.set(sid, handedOver(sid, 0));
    let n = 0;
    const next = () => live[(n += 1) % LIVE];
    const ops = {
      'set, new sid': (store) => {
        const sid = `new-${(n += 1)}`;
        return store.set(sid, handedOver(sid, n));
      },
      'set, existing sid': (store) => {
        const sid = next();
        return store.set(sid, handedOver(sid, n));
      },
      touch: (store) => {
        const sid = next();
        return store.touch(sid, handedOver(sid, n));
      },
      'get, hit': (store) => store.get(next()),
      'get, miss': (store) => store.get(`missing-${(n += 1)}`),
      destroy: (store) => store.destroy(`missing-${(n += 1)}`),
    };
    const rows = [];
    for (const [label, op] of Object.entries(ops)) {
      const ratios = [];
      for (let pair = 0; pair < PAIRS; pair += 1) {
        const first = pair % 2 === 0 ? on : off; // each goes first in half the pairs
        const second = first === on ? off : on;
        const rates = new Map([[first, await rate(first, op, SLICE_MS)]]);
        rates.set(second, await rate(second, op, SLICE_MS));
        ratios.push(rates.get(off) / rates.get(on)); // on's cost per request ÷ off's
      }
      ratios.sort((a, b) => a - b);
      const at = (q) => ratios[Math.floor(q * (ratios.length - 1))].toFixed(3);
      rows.push(`| ${backend.label} | ${label} | ${at(0.5)}× | ${at(0.25)}–${at(0.75)} |`);
    }
    return rows;
  } finally {
    await on.sessionModel.drop().catch(() => {});
    for (const store of [on, off]) await store.close();
    for (const db of dbs) await db.close();
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(sqliteFile + suffix, { force: true });
  }
}

async function main() {
  const rows = [];
  for (const name of NAMES) rows.push(...(await measure(BACKENDS[name])));
  console.log(`At concurrency 1, groupCommit on ÷ off, cost per request (median and quartiles of ${PAIRS} pairs):\n`);
  console.log('| backend | operation | on ÷ off | quartiles |\n| --- | --- | ---: | ---: |');
  console.log(rows.join('\n'));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
