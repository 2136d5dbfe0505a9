import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

// What `npm publish` would ship: exactly what users need, nothing else.
const ROOT = path.resolve(__dirname, '../..');

test('the package ships the built code, its types, the SQL files, the README, the CHANGELOG and the LICENSE only', () => {
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
    'CHANGELOG.md',
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
    (f) =>
      !/^(package\.json|README\.md|CHANGELOG\.md|LICENSE|dist\/(lib|models)\/.+\.(js|d\.ts)|sql\/[a-z-]+\.sql)$/.test(
        f,
      ),
  );
  expect(unwanted).toEqual([]);
});

interface Manifest {
  repository: { url: string };
  homepage: string;
  bugs: { url: string };
  exports: Record<string, unknown>;
  peerDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;

test("the package page links back to the repository, so the README's relative links resolve", () => {
  const repository = 'https://github.com/sequelize-session-store/sequelize-session-store';
  expect(manifest.repository.url).toBe(`git+${repository}.git`);
  expect(manifest.homepage).toBe(`${repository}#readme`);
  expect(manifest.bugs.url).toBe(`${repository}/issues`);
});

test('the shipped SQL files can be resolved by their path in the package', () => {
  expect(manifest.exports['./sql/*']).toBe('./sql/*');
  expect(require.resolve('sequelize-session-store/sql/postgres.sql')).toBe(path.join(ROOT, 'sql/postgres.sql'));
});

test('the built code points at no source map, since none is shipped', () => {
  const build = JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8')) as {
    compilerOptions: { sourceMap?: boolean };
  };
  expect(build.compilerOptions.sourceMap).toBe(false);
});

test('the sqlite3 peer range admits the major version the suite runs on, and no untested one', () => {
  expect(manifest.peerDependencies.sqlite3).toBe('>=5.0.0 <6');
  expect(manifest.devDependencies.sqlite3).toMatch(/^5\./);
});
