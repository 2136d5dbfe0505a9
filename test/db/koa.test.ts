import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { createSession } from 'koa-session';
import { koaStore } from '../../lib/adapters/koa';
import { availableBackends, type Backend } from '../support/backends';
import { liveRowsOf, rowsOf, useBackend, type Store } from '../support/stores';

const DAY = 24 * 60 * 60 * 1000;
const COOKIE = 'koa.sess';

/** What the test uses of koa-session's `ctx.session` (Koa's types leave it `any`). */
interface KoaSessionObject {
  [key: string]: unknown;
  maxAge: number;
  toJSON(): Record<string, unknown>;
}

/** POST /login (?remember for 30 days) puts the user in the session, GET /me reads it, POST /logout ends it. */
function loginApp(store: Store, maxAge: number | 'session'): Koa {
  const app = new Koa();
  app.keys = ['test secret'];
  app.use(createSession({ key: COOKIE, store: koaStore(store), maxAge }, app));
  app.use((ctx) => {
    const session = ctx.session as KoaSessionObject;
    if (ctx.method === 'POST' && ctx.path === '/login') {
      session.user = 'ada';
      if (ctx.query.remember !== undefined) session.maxAge = 30 * DAY;
      ctx.body = { ok: true };
    } else if (ctx.method === 'POST' && ctx.path === '/logout') {
      ctx.session = null;
      ctx.body = { loggedOut: true };
    } else if (ctx.path === '/visit') {
      session.views = Number(session.views ?? 0) + 1;
      ctx.body = { views: session.views };
    } else {
      ctx.body = { user: session.user ?? null, keys: Object.keys(session.toJSON()) };
    }
  });
  return app;
}

/** A listening app and a cookie-keeping client for it (koa-session signs its cookie with a second one). */
async function serve(app: Koa): Promise<{ server: http.Server; browser: () => Browser }> {
  const handle = app.callback();
  const server = http.createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const browser = (): Browser => {
    const jar = new Map<string, string>();
    return {
      jar,
      async call(method, url) {
        const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
        const response = await fetch(`http://127.0.0.1:${port}${url}`, { method, headers: { cookie } });
        for (const set of response.headers.getSetCookie()) {
          const pair = set.split(';')[0]!;
          const value = pair.slice(pair.indexOf('=') + 1);
          const name = pair.slice(0, pair.indexOf('='));
          if (value) jar.set(name, value);
          else jar.delete(name);
        }
        return response.json();
      },
    };
  };
  return { server, browser };
}

interface Browser {
  jar: Map<string, string>;
  call(method: 'GET' | 'POST', url: string): Promise<unknown>;
}

function expiresOf(row: Record<string, unknown> | undefined): number {
  if (!row) throw new Error('no such row');
  return new Date(row.expires as Date).getTime();
}

describe.each(availableBackends())('koa-session with the Koa adapter on $name', (backend: Backend) => {
  const ctx = useBackend(backend);
  const servers: http.Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  });

  async function setup(maxAge: number | 'session', expiration?: number) {
    const store = await ctx.store(expiration === undefined ? {} : { expiration });
    const { server, browser } = await serve(loginApp(store, maxAge));
    servers.push(server);
    return { store, browser };
  }

  test('login stores the session for maxAge, the next request sees it, logout ends it (its row a tombstone)', async () => {
    const { store, browser } = await setup(DAY);
    const ada = browser();
    await ada.call('POST', '/login');
    const key = ada.jar.get(COOKIE)!;
    const rows = await rowsOf(store);
    expect(Object.keys(rows)).toEqual([key]);
    // koa-session asks its store to keep the row 10 seconds longer than the cookie.
    expect(Math.abs(expiresOf(rows[key]) - (Date.now() + DAY + 10_000))).toBeLessThan(30_000);

    // The expiry field the adapter stores is not part of the Koa session.
    expect(await ada.call('GET', '/me')).toEqual({ user: 'ada', keys: ['user'] });

    expect(await ada.call('POST', '/logout')).toEqual({ loggedOut: true });
    expect(await liveRowsOf(store)).toEqual({});
    expect((await rowsOf(store))[key]?.data).toBeNull();
    expect(await browser().call('GET', '/me')).toEqual({ user: null, keys: [] });
  });

  test('"remember me" for 30 days keeps the row 30 days, and so do later saves of that session', async () => {
    const { store, browser } = await setup(DAY);
    const ada = browser();
    await ada.call('POST', '/login?remember');
    const key = ada.jar.get(COOKIE)!;
    const thirtyDays = Date.now() + 30 * DAY;
    expect(Math.abs(expiresOf((await rowsOf(store))[key]) - thirtyDays)).toBeLessThan(30_000);

    expect(await ada.call('GET', '/visit')).toEqual({ views: 1 });
    expect(Math.abs(expiresOf((await rowsOf(store))[key]) - thirtyDays)).toBeLessThan(30_000);
    expect(await ada.call('GET', '/me')).toEqual({ user: 'ada', keys: ['user', 'views'] });
  });

  test("maxAge 'session' (a browser-session cookie) keeps the row for the store's expiration", async () => {
    const { store, browser } = await setup('session', 2 * 60 * 60 * 1000);
    const ada = browser();
    await ada.call('POST', '/login');
    const key = ada.jar.get(COOKIE)!;
    expect(Math.abs(expiresOf((await rowsOf(store))[key]) - (Date.now() + 2 * 60 * 60 * 1000))).toBeLessThan(30_000);
    expect(await ada.call('GET', '/me')).toEqual({ user: 'ada', keys: ['user'] });
  });
});
