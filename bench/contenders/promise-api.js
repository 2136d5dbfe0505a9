'use strict';

/**
 * Calls an express-session store the way express-session does, with a callback, and hands back a
 * promise. Some stores also return a promise that can reject without calling the callback
 * (connect-session-knex's touch): that rejection counts too.
 */
function call(store, method, args) {
  return new Promise((resolve, reject) => {
    const returned = store[method](...args, (error, result) => (error ? reject(error) : resolve(result)));
    if (returned && typeof returned.then === 'function') returned.then(undefined, reject);
  });
}

/** The four hot operations of a callback store as promise-returning functions. */
function promiseApi(store) {
  return {
    get: async (sid) => (await call(store, 'get', [sid])) ?? null,
    set: (sid, session) => call(store, 'set', [sid, session]),
    touch: (sid, session) => call(store, 'touch', [sid, session]),
    destroy: (sid) => call(store, 'destroy', [sid]),
  };
}

module.exports = { promiseApi };
