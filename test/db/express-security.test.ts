import crypto from 'node:crypto';
import type express from 'express';
import type session from 'express-session';
import request from 'supertest';
import { availableBackends } from '../support/backends';
import { errorsOf, liveRowsOf, rowsOf, useBackend } from '../support/stores';

// The demo is plain JavaScript; its one export is typed here.
const { createApp } = require('../../examples/demo/app') as {
  createApp(options: { store: session.Store; secret?: string }): express.Express;
};

const SID_SECRET = 'express sid secret';

describe.each(availableBackends())('express-session with encryption and hashed ids on $name', (backend) => {
  const ctx = useBackend(backend);

  test('a login survives requests, the table holds neither the cookie’s id nor the user, and a tampered row is a fresh session', async () => {
    const store = await ctx.store({ secret: 'express data secret', sidSecret: SID_SECRET });
    const errors = errorsOf(store);
    const app = createApp({ store, secret: 'cookie signing secret' });

    const login = await request(app).post('/login').type('form').send({ username: 'ada-lovelace' }).expect(303);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const sid = /^demo\.sid=s%3A([^.]+)\./.exec(cookie)?.[1];
    expect(sid).toBeDefined();
    expect((await request(app).get('/').set('Cookie', cookie).expect(200)).text).toContain(
      'Logged in as <strong>ada-lovelace',
    );

    const rows = await liveRowsOf(store); // the session before the login is a tombstone
    const key = crypto.createHmac('sha256', SID_SECRET).update(sid!).digest('hex');
    expect(Object.keys(rows)).toEqual([key]);
    expect(JSON.stringify(await rowsOf(store))).not.toContain(sid!);
    expect(String(rows[key]!.data)).toMatch(/^sss1\.[0-9a-f]{8}\./);
    expect(JSON.stringify(rows)).not.toContain('ada-lovelace');

    const data = String(rows[key]!.data);
    const middle = Math.floor(data.length / 2);
    const tampered = `${data.slice(0, middle)}${data[middle] === 'A' ? 'B' : 'A'}${data.slice(middle + 1)}`;
    await store.sessionModel.update({ data: tampered }, { where: { sid: key } });
    const after = await request(app).get('/').set('Cookie', cookie).expect(200);
    expect(after.text).toContain('Nobody is logged in');
    expect(errors.map((e) => e.name)).toEqual(['CorruptSessionError']);
  });
});
