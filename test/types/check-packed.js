// The packed package, installed into an empty project, compiled as consumers compile it: with
// neither esModuleInterop nor skipLibCheck unless the setting needs it, subpaths included.
// Run by `npm run check:consumers` (after `npm run build`); too slow for jest without skipLibCheck.
const { execFile, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');
const CONSUMERS = path.join(__dirname, 'consumers');
const SETTINGS = [
  ['commonjs.ts', { module: 'commonjs', moduleResolution: 'node10' }],
  ['commonjs.ts', { module: 'node16', moduleResolution: 'node16' }],
  ['esm.mts', { module: 'node16', moduleResolution: 'node16' }],
  ['commonjs.ts', { module: 'nodenext', moduleResolution: 'nodenext' }],
  ['esm.mts', { module: 'nodenext', moduleResolution: 'nodenext' }],
  ['esm.mts', { module: 'esnext', moduleResolution: 'bundler', esModuleInterop: true }],
];

function install() {
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'sss-consumer-'));
  const tarball = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', project], {
    cwd: ROOT,
    encoding: 'utf8',
  }).trim();
  const modules = path.join(project, 'node_modules');
  const installed = path.join(modules, 'sequelize-session-store');
  fs.mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', path.join(project, tarball), '-C', installed, '--strip-components=1']);
  // The app's other dependencies, as npm would install them next to the package.
  for (const name of fs.readdirSync(path.join(ROOT, 'node_modules'))) {
    if (name === 'sequelize-session-store' || name === '.bin') continue;
    fs.symlinkSync(path.join(ROOT, 'node_modules', name), path.join(modules, name), 'dir');
  }
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  for (const file of fs.readdirSync(CONSUMERS)) fs.copyFileSync(path.join(CONSUMERS, file), path.join(project, file));
  return project;
}

function compile(project, [file, options], index) {
  const name = `tsconfig.${index}.json`;
  const compilerOptions = { strict: true, noEmit: true, target: 'ES2022', types: ['node'], ...options };
  fs.writeFileSync(path.join(project, name), JSON.stringify({ compilerOptions, files: [file] }));
  const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
  return new Promise((resolve) => {
    execFile(process.execPath, [tsc, '-p', name], { cwd: project }, (error, stdout) => {
      const label = `${file} with ${JSON.stringify(options)}`;
      console.log(`${error ? 'FAIL' : 'ok  '} ${label}${error ? `\n${stdout}` : ''}`);
      resolve(!error);
    });
  });
}

async function main() {
  const project = install();
  try {
    const results = await Promise.all(SETTINGS.map((setting, i) => compile(project, setting, i)));
    if (results.includes(false)) process.exitCode = 1;
  } finally {
    fs.rmSync(project, { recursive: true, force: true });
  }
}

void main();
