// These tests run the BUILT package in child processes, by its public name, as users load it.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from '../support/built';
import { jsonLine, runNode } from '../support/child';

let dir: string;
const sqlitePath = (name: string): string => path.join(dir, `${name}.sqlite`);

beforeAll(() => {
  build();
  dir = mkdtempSync(path.join(os.tmpdir(), 'sss-process-'));
}, 120_000);

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the built package, loaded by its public name', () => {
  test('works from CommonJS: require("sequelize-session-store")(session.Store)', async () => {
    const outcome = await runNode(`
      const session = require('express-session');
      const SequelizeStore = require('sequelize-session-store')(session.Store);
      const store = new SequelizeStore({ sqlitePath: ${JSON.stringify(sqlitePath('cjs'))} });
      (async () => {
        const expires = new Date(Date.now() + 60000);
        await store.set('cjs-sid', { cookie: { expires, originalMaxAge: 60000 }, user: 'ann' });
        const got = await store.get('cjs-sid');
        await store.close();
        console.log(JSON.stringify({ isStore: store instanceof session.Store, user: got && got.user }));
      })();
    `);
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
    expect(jsonLine(outcome)).toEqual({ isStore: true, user: 'ann' });
  });

  test('works from ESM: import factory from "sequelize-session-store"', async () => {
    const outcome = await runNode(
      `
      import session from 'express-session';
      import factory from 'sequelize-session-store';
      const SequelizeStore = factory(session.Store);
      const store = new SequelizeStore({ sqlitePath: ${JSON.stringify(sqlitePath('esm'))} });
      const expires = new Date(Date.now() + 60000);
      await store.set('esm-sid', { cookie: { expires, originalMaxAge: 60000 }, user: 'bob' });
      const got = await store.get('esm-sid');
      await store.close();
      console.log(JSON.stringify({ isStore: store instanceof session.Store, user: got && got.user }));
    `,
      ['--input-type=module'],
    );
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
    expect(jsonLine(outcome)).toEqual({ isStore: true, user: 'bob' });
  });
});

describe('the store in a real process', () => {
  test('does not keep the process alive: with the default cleanup timer and embedded SQLite it exits by itself', async () => {
    // No close(): an app that forgets it, or a script that used the store once, must still end.
    const outcome = await runNode(
      `
      const session = require('express-session');
      const SequelizeStore = require('sequelize-session-store')(session.Store);
      const store = new SequelizeStore({ sqlitePath: ${JSON.stringify(sqlitePath('alive'))} });
      (async () => {
        await store.set('sid', { cookie: { expires: new Date(Date.now() + 60000) }, n: 1 });
        const got = await store.get('sid');
        console.log(JSON.stringify({ n: got && got.n }));
        console.log('done');
        // Diagnostics only; unref'd, so it cannot be what keeps the process alive.
        setTimeout(() => console.error('still alive, held by: ' + process.getActiveResourcesInfo().join(', ')), 2000).unref();
      })();
    `,
      [],
      8_000,
    );
    expect(jsonLine(outcome)).toEqual({ n: 1 });
    expect({ killed: outcome.killed, stderr: outcome.stderr }).toEqual({ killed: false, stderr: '' });
    expect(outcome.code).toBe(0);
    expect(outcome.exitAfterDoneMs).toBeLessThan(3_000);
  });

  // connect-redis calls its callback inside the try, so a callback that throws is called a second
  // time with its own error. Here it must run once and its error must surface once, as thrown.
  test.each([
    ['a result', `'no-such-sid'`],
    ['an error', `''`],
  ])(
    'a callback that throws on %s is called once and its error surfaces once as an uncaught exception',
    async (_, sid) => {
      const outcome = await runNode(`
      const session = require('express-session');
      const SequelizeStore = require('sequelize-session-store')(session.Store);
      const store = new SequelizeStore({ sqlitePath: ${JSON.stringify(sqlitePath(`throw-${sid.length}`))} });
      const seen = { calls: 0, args: [], uncaught: [], rejections: 0 };
      process.on('uncaughtException', (error) => seen.uncaught.push(error.message));
      process.on('unhandledRejection', () => { seen.rejections += 1; });
      store.get(${sid}, (error, result) => {
        seen.calls += 1;
        seen.args.push({ error: error ? error.name : null, result: result === undefined ? 'undefined' : result });
        throw new Error('thrown by the callback');
      });
      setTimeout(() => {
        console.log(JSON.stringify(seen));
        store.close();
      }, 1000);
    `);
      expect(outcome.stderr).toBe('');
      expect(outcome.code).toBe(0);
      const seen = jsonLine(outcome);
      expect(seen).toEqual({
        calls: 1,
        args: [sid === `''` ? { error: 'TypeError', result: 'undefined' } : { error: null, result: null }],
        uncaught: ['thrown by the callback'],
        rejections: 0,
      });
    },
  );
});
