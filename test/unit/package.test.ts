import { execFileSync } from 'node:child_process';
import path from 'node:path';

// What `npm publish` would ship: exactly what users need, nothing else.
const ROOT = path.resolve(__dirname, '../..');

test('the package ships the built code, its types, the SQL files, the README and the LICENSE only', () => {
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  ) as [{ files: { path: string }[] }];
  const files = packed.files.map((f) => f.path).sort();

  for (const needed of [
    'package.json',
    'README.md',
    'LICENSE',
    'dist/lib/index.js',
    'dist/lib/index.d.ts',
    'dist/lib/cli/main.js',
    'dist/lib/adapters/koa.js',
    'dist/lib/adapters/koa.d.ts',
    'dist/models/session.js',
    'dist/models/session.d.ts',
  ]) {
    expect(files).toContain(needed);
  }
  expect(files).toContain('sql/postgres.sql');
  const unwanted = files.filter(
    (f) => !/^(package\.json|README\.md|LICENSE|dist\/(lib|models)\/.+\.(js|d\.ts)|sql\/[a-z-]+\.sql)$/.test(f),
  );
  expect(unwanted).toEqual([]);
});
