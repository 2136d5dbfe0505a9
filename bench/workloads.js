'use strict';

/**
 * What one request does, per workload. Each request gets the contender's promise API and its
 * sessions: `live` (the 1,000 sessions every read and update workload uses) and `spare` (rows
 * made by "set, new sid", which "destroy" consumes so that it deletes real rows).
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

const WORKLOADS = [
  {
    id: 'set-new',
    label: 'set, new sid',
    concurrency: [1, 32],
    async request(api, sessions) {
      const sid = newSid();
      await api.set(sid, asExpressSession(sid, sessionData()));
      sessions.spare.push(sid);
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
    async request(api, sessions) {
      const sid = sessions.spare.pop();
      if (sid === undefined) return STOP;
      await api.destroy(sid);
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

/** Writes the live sessions through the contender itself, so each store reads its own format. */
async function seedLiveSessions(api, count = LIVE_SESSIONS) {
  const live = Array.from({ length: count }, newSid);
  let next = 0;
  const worker = async () => {
    while (next < live.length) {
      const sid = live[next++];
      await api.set(sid, asExpressSession(sid, sessionData()));
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  return { live, spare: [], unexpected: 0 };
}

/** Adds `count` spare rows for "destroy" to delete (not timed). */
async function addSpareSessions(api, sessions, count) {
  let left = count;
  const worker = async () => {
    while (left > 0) {
      left -= 1;
      const sid = newSid();
      await api.set(sid, asExpressSession(sid, sessionData()));
      sessions.spare.push(sid);
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
}

module.exports = { WORKLOADS, LIVE_SESSIONS, cells, seedLiveSessions, addSpareSessions };
