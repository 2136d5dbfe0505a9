'use strict';
// A steady request load, as express-session makes it with resave: false: each request is a get
// of a live session followed by a touch. Open loop: requests start on schedule (`rate` per
// second) whether or not earlier ones have finished, so a slow database shows as latency instead
// of quietly lowering the load.

const { liveSid } = require('./fill');

const TICK_MS = 10;

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Latencies (ms) of one window: p50/p99/max and counts. */
function summarize(latencies, lost, errors) {
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1] : NaN,
    lost,
    errors,
  };
}

/**
 * Starts the load on `store`; `window()` closes the current measuring window and returns its
 * summary; `stop()` ends the load once the requests under way are done.
 */
function startTraffic(store, rows, rate) {
  let latencies = [];
  let lost = 0;
  let errors = [];
  let inFlight = 0;
  const pending = new Set();
  let owed = 0;
  const cookie = () => ({ cookie: { originalMaxAge: 86_400_000, expires: new Date(Date.now() + 86_400_000) } });

  const request = async () => {
    const sid = liveSid(rows);
    const started = process.hrtime.bigint();
    try {
      const session = await store.get(sid);
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (session === null) lost += 1;
      else await store.touch(sid, cookie());
    } catch (error) {
      errors.push(error.message);
    }
  };

  const timer = setInterval(() => {
    owed += (rate * TICK_MS) / 1000;
    for (; owed >= 1; owed -= 1) {
      inFlight += 1;
      const p = request().finally(() => {
        inFlight -= 1;
        pending.delete(p);
      });
      pending.add(p);
    }
  }, TICK_MS);

  return {
    window() {
      const summary = summarize(latencies, lost, errors.length);
      const firstErrors = errors.slice(0, 3);
      latencies = [];
      lost = 0;
      errors = [];
      return { ...summary, firstErrors, inFlight };
    },
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
    },
  };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = { startTraffic, sleep };
