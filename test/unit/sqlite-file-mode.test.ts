import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sessionData, SequelizeStore } from '../support/stores';

// Issue 18, item 10: the embedded database holds every session; under the usual umask (022) its
// files would be readable by every local user.
test('the embedded SQLite file and its -wal and -shm files are created 0600, whatever the umask', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sss-mode-'));
  const file = path.join(dir, 'sessions.sqlite');
  const umask = process.umask(0o022);
  const store = new SequelizeStore({ sqlitePath: file, checkExpirationInterval: 0 });
  try {
    await store.set('s', sessionData());
    expect((await store.get('s'))?.cookie).toBeDefined();
    for (const name of [file, `${file}-wal`, `${file}-shm`]) {
      expect({ name, mode: (fs.statSync(name).mode & 0o777).toString(8) }).toEqual({ name, mode: '600' });
    }
  } finally {
    process.umask(umask);
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an existing embedded SQLite file keeps the mode its owner gave it', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sss-mode-'));
  const file = path.join(dir, 'sessions.sqlite');
  fs.writeFileSync(file, '', { mode: 0o640 });
  fs.chmodSync(file, 0o640);
  const store = new SequelizeStore({ sqlitePath: file, checkExpirationInterval: 0 });
  try {
    await store.set('s', sessionData());
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('640');
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
