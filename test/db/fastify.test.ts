import type { AddressInfo } from 'node:net';
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import Fastify, { type FastifyInstance } from 'fastify';
import sequelizeSessionStore = require('../../lib');
import { availableBackends, uniqueTable, type Backend } from '../support/backends';
import { liveRowsOf, useBackend, type Store } from '../support/stores';

declare module 'fastify' {
  interface Session {
    user?: string;
  }
}

// Built on @fastify/session's own Store class, as the docs tell Fastify users to do.
const FastifySequelizeStore = sequelizeSessionStore(fastifySession.Store);
const COOKIE = 'sessionId';
const SECRET = 'a test secret of at least thirty-two characters';

/** POST /login puts the user in the session, GET /me reads it, POST /logout destroys the session. */
async function loginApp(store: Store, rolling = true): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret: SECRET,
    store,
    rolling,
    saveUninitialized: false,
    cookie: { secure: false, maxAge: 60 * 60 * 1000 },
  });
  app.post<{ Body: { user: string } }>('/login', async (request) => {
    await request.session.regenerate();
    request.session.user = request.body.user;
    return { sid: request.session.sessionId };
  });
  app.get('/me', async (request) => ({ user: request.session.user ?? null }));
  app.post('/logout', async (request) => {
    await request.session.destroy();
    return { loggedOut: true };
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app;
}

interface Reply {
  status: number;
  body: unknown;
  /** The `name=value` pair of the session cookie the response set, if any. */
  cookie: string | undefined;
}

/** One real HTTP request to the listening app, with the session cookie if given. */
async function call(
  app: FastifyInstance,
  method: 'GET' | 'POST',
  url: string,
  cookie?: string,
  body?: object,
): Promise<Reply> {
  const { port } = app.server.address() as AddressInfo;
  const response = await fetch(`http://127.0.0.1:${port}${url}`, {
    method,
    headers: { ...(cookie ? { cookie } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const set = response.headers.getSetCookie().find((c) => c.startsWith(`${COOKIE}=`));
  return { status: response.status, body: await response.json(), cookie: set?.split(';')[0] };
}

async function login(app: FastifyInstance, user: string): Promise<{ sid: string; cookie: string }> {
  const reply = await call(app, 'POST', '/login', undefined, { user });
  if (!reply.cookie) throw new Error('login set no session cookie');
  return { sid: (reply.body as { sid: string }).sid, cookie: reply.cookie };
}

function dataOf(row: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!row) throw new Error('no such row');
  const data = Buffer.isBuffer(row.data) ? row.data.toString('utf8') : row.data;
  return JSON.parse(String(data)) as Record<string, unknown>;
}

describe.each(availableBackends())('@fastify/session with the store on $name', (backend: Backend) => {
  const ctx = useBackend(backend);
  const apps: FastifyInstance[] = [];
  afterEach(async () => {
    for (const app of apps.splice(0)) await app.close();
  });

  async function setup(rolling = true): Promise<{ store: Store; app: FastifyInstance }> {
    const table = uniqueTable('fastify');
    const store = new FastifySequelizeStore({
      db: ctx.db,
      tableName: table,
      modelKey: table,
      checkExpirationInterval: 0,
    });
    ctx.dropLater(store.sessionModel);
    await store.sync();
    const app = await loginApp(store, rolling);
    apps.push(app);
    return { store, app };
  }

  test('login stores the session, the next request sees it, logout ends it (its row a tombstone)', async () => {
    const { store, app } = await setup();
    const { sid, cookie } = await login(app, 'ada');

    const rows = await liveRowsOf(store); // the session before the login is a tombstone
    expect(Object.keys(rows)).toEqual([sid]);
    expect(dataOf(rows[sid])).toMatchObject({ user: 'ada' });
    // The row expires with the cookie (maxAge one hour).
    const expires = new Date(rows[sid]?.expires as Date).getTime();
    expect(Math.abs(expires - (Date.now() + 60 * 60 * 1000))).toBeLessThan(10_000);

    expect((await call(app, 'GET', '/me', cookie)).body).toEqual({ user: 'ada' });

    expect((await call(app, 'POST', '/logout', cookie)).body).toEqual({ loggedOut: true });
    expect(await liveRowsOf(store)).toEqual({});
    expect((await call(app, 'GET', '/me', cookie)).body).toEqual({ user: null });
    expect(await liveRowsOf(store)).toEqual({});
  });

  test('it never calls touch: with rolling (its default) every request saves the whole session', async () => {
    const { store, app } = await setup();
    const { cookie } = await login(app, 'ada');
    const set = jest.spyOn(store, 'set');
    const touch = jest.spyOn(store, 'touch');

    await call(app, 'GET', '/me', cookie);
    await call(app, 'GET', '/me', cookie);
    expect(set).toHaveBeenCalledTimes(2);
    expect(touch).not.toHaveBeenCalled();
  });

  test('with rolling: false a request that changes nothing writes nothing', async () => {
    const { store, app } = await setup(false);
    const { cookie } = await login(app, 'ada');
    const set = jest.spyOn(store, 'set');
    const touch = jest.spyOn(store, 'touch');

    expect((await call(app, 'GET', '/me', cookie)).body).toEqual({ user: 'ada' });
    expect(set).not.toHaveBeenCalled();
    expect(touch).not.toHaveBeenCalled();
  });
});
