'use strict';

/**
 * Drives one cell: `concurrency` closed-loop workers each send their next request as soon as the
 * previous one is answered, until the time is up (or the workload says STOP).
 */
const { performance } = require('node:perf_hooks');
const { statementsSent, writesSent } = require('./statements');

/** Returned by a request when the workload has nothing left to do. */
const STOP = Symbol('stop');

async function drive({ request, concurrency, durationMs, latencies }) {
  let errors = 0;
  let firstError;
  let requests = 0;
  let stopped = false;
  const start = performance.now();
  const deadline = start + durationMs;
  const worker = async () => {
    while (!stopped && performance.now() < deadline) {
      const began = performance.now();
      try {
        if ((await request()) === STOP) {
          stopped = true;
          break;
        }
      } catch (error) {
        errors += 1;
        firstError ??= error;
        continue;
      }
      requests += 1;
      latencies?.push(performance.now() - began);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { requests, elapsedMs: performance.now() - start, errors, firstError, exhausted: stopped };
}

/** Requests per second of `requests` answered in `elapsedMs`. */
function perSecond(requests, elapsedMs) {
  return elapsedMs > 0 ? (requests * 1000) / elapsedMs : 0;
}

/** A short unrecorded warm-up, then the measured run with its statement count. */
async function runCell({ request, concurrency, durationMs, warmupMs }) {
  if (warmupMs > 0) await drive({ request, concurrency, durationMs: warmupMs });
  const latencies = [];
  const before = statementsSent();
  const writesBefore = writesSent();
  const run = await drive({ request, concurrency, durationMs, latencies });
  const statements = statementsSent() - before;
  return { ...run, statements, writes: writesSent() - writesBefore, latencies };
}

module.exports = { STOP, runCell, drive, perSecond };
