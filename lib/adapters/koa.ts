import type { Cookie } from 'express-session';
import { PREFIX } from '../messages';
import type { SequelizeStore } from '../types';

/** A Koa session as koa-session hands it to its store (its own `_expire`, `_maxAge`, `_session` included). */
export type KoaSession = Record<string, unknown>;

/** What the adapter uses of a store: the promise-returning `get`, `set` and `destroy` of `SequelizeStore`. */
export interface KoaAdaptableStore extends Pick<SequelizeStore, 'get' | 'destroy'> {
  /** Saves a session; what it resolves to (the store's saved row) is not used. */
  set(sid: string, session: Parameters<SequelizeStore['set']>[1]): Promise<unknown>;
}

/**
 * The lifetime koa-session gives a session: milliseconds, or `'session'` for a browser-session
 * cookie (the row then lives the store's `expiration`).
 */
export type KoaMaxAge = number | 'session';

/** koa-session's external store (its `store` option). */
export interface KoaSessionStore {
  /** The live session stored under `key`, or null. */
  get(key: string, maxAge?: KoaMaxAge, options?: object): Promise<KoaSession | null>;
  /** Saves the session; its row expires `maxAge` milliseconds from now. */
  set(key: string, session: KoaSession, maxAge?: KoaMaxAge, options?: object): Promise<void>;
  /** Deletes the session; succeeds when there is none. */
  destroy(key: string, options?: object): Promise<void>;
}

/**
 * koa-session's `store` option, on a store of this package: it honours the `maxAge` koa-session
 * passes (the app's, or `ctx.session.maxAge` for one session), where the store alone would keep
 * every Koa session for `expiration`. The expiry travels as express-session's does, in a `cookie`
 * field of the stored session, removed again on the way back: a Koa session cannot hold its own
 * `cookie` key.
 * @example
 * const session = require('express-session');
 * const { koaStore } = require('sequelize-session-store/koa');
 * const SequelizeStore = require('sequelize-session-store')(session.Store);
 * app.use(createSession({ store: koaStore(new SequelizeStore({ db: sequelize })), maxAge: 86_400_000 }, app));
 */
export function koaStore(store: KoaAdaptableStore): KoaSessionStore {
  if (typeof store?.get !== 'function' || typeof store.set !== 'function' || typeof store.destroy !== 'function') {
    throw new TypeError(`${PREFIX} koaStore(store) takes a store of sequelize-session-store, received ${typeof store}`);
  }
  return {
    async get(key) {
      const stored = await store.get(key);
      if (!stored) return null;
      const session: KoaSession = { ...stored };
      delete session.cookie;
      return session;
    },
    async set(key, session, maxAge) {
      if (Object.hasOwn(session, 'cookie')) {
        throw new TypeError(`${PREFIX} a Koa session cannot hold a "cookie" key: the store keeps its expiry there`);
      }
      await store.set(key, { ...session, cookie: cookieFor(maxAge) });
    },
    async destroy(key) {
      await store.destroy(key);
    },
  };
}

/** The `cookie` field the store reads the expiry from; none for a browser-session cookie. */
function cookieFor(maxAge: KoaMaxAge | undefined): Cookie {
  if (maxAge === 'session' || maxAge === undefined) return { originalMaxAge: null };
  if (typeof maxAge !== 'number' || !Number.isFinite(maxAge)) {
    throw new TypeError(`${PREFIX} maxAge must be a number of milliseconds or 'session', received ${String(maxAge)}`);
  }
  return { originalMaxAge: maxAge, expires: new Date(Date.now() + maxAge) };
}
