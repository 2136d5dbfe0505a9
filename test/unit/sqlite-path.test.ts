import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sessionData, SequelizeStore } from '../support/stores';

// Issue 18, item 14: a process that changes directory after building the store keeps its sessions
// where the store was configured, not wherever the file happens to be opened first.
test('a relative sqlitePath is resolved when the store is built, not when the file is first opened', async () => {
  const home = process.cwd();
  const built = fs.mkdtempSync(path.join(os.tmpdir(), 'sss-built-'));
  const later = fs.mkdtempSync(path.join(os.tmpdir(), 'sss-later-'));
  process.chdir(built);
  const store = new SequelizeStore({ sqlitePath: './sessions.sqlite', checkExpirationInterval: 0, createTable: true });
  try {
    process.chdir(later);
    await store.set('s', sessionData());
    expect(fs.existsSync(path.join(built, 'sessions.sqlite'))).toBe(true);
    expect(fs.existsSync(path.join(later, 'sessions.sqlite'))).toBe(false);
  } finally {
    process.chdir(home);
    await store.close();
    fs.rmSync(built, { recursive: true, force: true });
    fs.rmSync(later, { recursive: true, force: true });
  }
});
