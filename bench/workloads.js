'use strict';

/**
 * What one request does, per workload. Each request gets the contender's promise API and its
 * sessions: `live` (the 1,000 sessions every read and update workload uses), `spare` (rows
 * made by "set, new sid", which "destroy" consumes so that it deletes real rows) and `rows` (how
 * many rows its table holds, which rounds.js evens out between contenders before every cell).
 */
const { DAY_MS, newSid, sessionData, asExpressSession, changed } = require('./payload');
const { STOP } = require('./runner');

const LIVE_SESSIONS = 1000;

function pick(sids) {
  return sids[Math.floor(Math.random() * sids.length)];
}

/**
 * One request of an app behind express-session (resave: false): load the session, then save it if
 * the request changed it (10%), else touch it; `beforeWrite` may move the cookie's expiry first.
 */
async function expressRequest(api, sessions, beforeWrite) {
  const sid = pick(sessions.live);
  const stored = await api.get(sid);
  if (!stored) {
    sessions.unexpected += 1;
    await api.set(sid, asExpressSession(sid, sessionData()));
    return;
  }
  const session = asExpressSession(sid, stored);
  beforeWrite?.(session);
  if (Math.random() < 0.1) await api.set(sid, changed(session));
  else await api.touch(sid, session);
}

/**
 * "destroy"'s `beforeSlice` (rounds.js runs a workload's before each contender's slice, untimed):
 * tops up the spare rows it deletes to the contender's last rate on this cell, else three times its
 * insert rate, for the slice and its warm-up, with room for a faster slice (write rates swing with
 * fsync). Unused rows carry over. Should they still run out, the slice ends early and its rate
 * stands. Topping up per slice rather than per cell keeps the spare rows, and so the filler every
 * other contender then gets, to a twelfth.
 */
async function topUpSpares(contender, cell, sliceMs) {
  const rate = contender.lastRate.get(cell.id) ?? 3 * (contender.lastRate.get(`set-new@${cell.concurrency}`) ?? 1000);
  const missing = Math.ceil((rate * sliceMs * 2) / 1000) - contender.sessions.spare.length;
  if (missing > 0) await addSpareSessions(contender.api, contender.sessions, missing);
}

const WORKLOADS = [
  {
    id: 'set-new',
    label: 'set, new sid',
    concurrency: [1, 32],
    async request(api, sessions) {
      const sid = newSid();
      await api.set(sid, asExpressSession(sid, sessionData()));
      sessions.spare.push(sid);
      sessions.rows += 1;
    },
  },
  {
    id: 'set-existing',
    label: 'set, existing sid',
    concurrency: [1, 32],
    async request(api, sessions) {
      const sid = pick(sessions.live);
      await api.set(sid, changed(asExpressSession(sid, sessionData())));
    },
  },
  {
    id: 'get-hit',
    label: 'get, hit',
    concurrency: [1, 32],
    async request(api, sessions) {
      if (!(await api.get(pick(sessions.live)))) sessions.unexpected += 1;
    },
  },
  {
    id: 'get-miss',
    label: 'get, miss',
    concurrency: [1, 32],
    async request(api, sessions) {
      if (await api.get(newSid())) sessions.unexpected += 1;
    },
  },
  {
    id: 'touch',
    label: 'touch',
    concurrency: [1, 32],
    async request(api, sessions) {
      const sid = pick(sessions.live);
      await api.touch(sid, asExpressSession(sid, sessionData()));
    },
  },
  {
    id: 'destroy',
    label: 'destroy',
    concurrency: [1, 32],
    beforeSlice: topUpSpares,
    async request(api, sessions) {
      const sid = sessions.spare.pop();
      if (sid === undefined) return STOP;
      await api.destroy(sid);
      if (!sessions.keepsDestroyedRows) sessions.rows -= 1;
    },
  },
  {
    // One request of an app behind express-session (resave: false): load the session, then
    // save it if the request changed it, else touch it.
    id: 'mixed',
    label: 'mixed requests (get + touch 90%, get + set 10%)',
    concurrency: [32],
    request: (api, sessions) => expressRequest(api, sessions),
  },
  {
    // The same requests, but every touch writes, as on a real site whose users' requests are
    // seconds apart: the 1,000 sessions above are each touched about 15 times a second, so most
    // of those touches move the expiry by under a second and write nothing. Here each request's
    // cookie expires 2 s later than the one before it, of whichever session: a session's next
    // touch always moves its stored expiry by 2 s or more.
    id: 'mixed-writing',
    label: 'mixed requests where every touch writes',
    concurrency: [32],
    request: (api, sessions) =>
      expressRequest(api, sessions, (session) => {
        sessions.moves = (sessions.moves ?? 0) + 1;
        session.cookie.expires = new Date(Date.now() + DAY_MS + 2000 * sessions.moves);
      }),
  },
];

/** Workload × concurrency: the cells of the results tables, in the order they run. */
function cells(only) {
  return WORKLOADS.flatMap((workload) =>
    workload.concurrency.map((concurrency) => ({ id: `${workload.id}@${concurrency}`, workload, concurrency })),
  ).filter((cell) => !only || only.includes(cell.workload.id));
}

/** Writes `count` sessions under new sids, 32 at a time (not timed); `each` gets every sid written. */
async function insertSessions(api, sessions, count, each) {
  let left = count;
  const worker = async () => {
    while (left > 0) {
      left -= 1;
      const sid = newSid();
      await api.set(sid, asExpressSession(sid, sessionData()));
      sessions.rows += 1;
      each?.(sid);
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
}

/**
 * Writes the live sessions through the contender itself, so each store reads its own format.
 * `keepsDestroyedRows`: its destroy leaves a row behind (our store's and the floor's logout
 * tombstone) rather than deleting it, so its table does not shrink.
 */
async function seedLiveSessions(api, { keepsDestroyedRows }) {
  const sessions = { live: [], spare: [], unexpected: 0, rows: 0, keepsDestroyedRows };
  await insertSessions(api, sessions, LIVE_SESSIONS, (sid) => sessions.live.push(sid));
  return sessions;
}

/** Adds `count` spare rows for "destroy" to delete (not timed). */
async function addSpareSessions(api, sessions, count) {
  await insertSessions(api, sessions, count, (sid) => sessions.spare.push(sid));
}

/** Adds `count` rows that no workload reads, only there to make the table as large as the others'. */
async function addFillerSessions(api, sessions, count) {
  await insertSessions(api, sessions, count);
}

module.exports = { WORKLOADS, LIVE_SESSIONS, cells, seedLiveSessions, addSpareSessions, addFillerSessions };
