import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Sequelize } from 'sequelize';

// Database servers of the fault tests' own: on loopback, on free ports, in temporary folders, started
// and stopped by the tests. The shared servers on 3306 and 5432 are never touched.

const run = promisify(execFile);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const AS_ROOT = os.userInfo().uid === 0;

/** Set by the global setup: every server folder lives below it, so the teardown finds them all. */
export const FAULTS_DIR_ENV = 'SSS_FAULTS_DIR';

function faultsDir(): string {
  const dir = process.env[FAULTS_DIR_ENV];
  if (!dir) throw new Error(`${FAULTS_DIR_ENV} is not set: run the fault tests with npm run test:faults`);
  return dir;
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The last lines of a log file, for an error message. */
function tail(file: string, lines = 40): string {
  if (!existsSync(file)) return `(no ${file})`;
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/** Whether a SQL connection to the URL works. */
async function answers(url: string): Promise<boolean> {
  const db = new Sequelize(url, { logging: false, pool: { max: 1 }, dialectOptions: { connectTimeout: 2000 } });
  try {
    await db.authenticate();
    return true;
  } catch {
    return false;
  } finally {
    await db.close().catch(() => {});
  }
}

function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone already
    }
  }
}

/** The children of a process, from /proc (PostgreSQL runs one process per connection). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return children;
}

/** An OS user the server packages create (mysql, postgres). */
function osUser(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`no ${name} OS user: is the database server package installed?`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

const HAS_SETPRIV = spawnSync('setpriv', ['--version']).status === 0;

/**
 * The command line that runs `command` as `user` when we are root (database servers refuse root,
 * or misbehave as root), and that kills it should the test process die without its cleanup.
 */
function asServer(user: string, command: string, args: string[]): [string, string[]] {
  if (!HAS_SETPRIV) return AS_ROOT ? ['runuser', ['-u', user, '--', command, ...args]] : [command, args];
  const switchUser = AS_ROOT ? ['--reuid', user, '--regid', user, '--init-groups'] : [];
  return ['setpriv', [...switchUser, '--pdeathsig', 'KILL', '--', command, ...args]];
}

/** A one-off command (installing a data folder) as the server's OS user. */
async function runAs(user: string, command: string, args: string[], what: string): Promise<void> {
  const [file, argv] = AS_ROOT ? ['runuser', ['-u', user, '--', command, ...args]] : [command, args];
  try {
    await run(file, argv);
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${what} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

export interface TestServer {
  readonly name: string;
  readonly port: number;
  /** A Sequelize connection URL for database `test`. */
  readonly url: string;
  start(): Promise<void>;
  /** A clean shutdown: the server closes its connections. */
  stop(): Promise<void>;
  /** The server stops answering: its processes are stopped, every socket stays open. */
  freeze(): void;
  thaw(): void;
  /** Stops it and removes its folder. */
  remove(): Promise<void>;
  log(): string;
}

/** A database server process of the tests: started as a child, stopped by a signal, waited for. */
abstract class ServerProcess implements TestServer {
  readonly dir: string;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();

  protected constructor(
    readonly name: string,
    readonly port: number,
    private readonly user: string,
  ) {
    this.dir = mkdtempSync(path.join(faultsDir(), `${name}-`));
    if (AS_ROOT) {
      const { uid, gid } = osUser(user);
      chownSync(this.dir, uid, gid);
    }
  }

  /** The server's data directory, inside its own. */
  get data(): string {
    return path.join(this.dir, 'data');
  }

  abstract readonly url: string;
  abstract readonly logFile: string;
  protected abstract command(extra: string[]): [string, string[]];
  protected abstract readonly stopSignal: NodeJS.Signals;
  /** The URL that answers once the server is up (before database `test` exists). */
  protected abstract readonly readyUrl: string;

  async start(extra: string[] = []): Promise<void> {
    const [command, args] = this.command(extra);
    const [file, argv] = asServer(this.user, command, args);
    const output = openSync(path.join(this.dir, 'output.log'), 'a');
    const child = spawn(file, argv, { stdio: ['ignore', output, output] });
    closeSync(output);
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const until = Date.now() + 120_000;
    while (!(await answers(this.readyUrl))) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${this.name} exited while starting; its log, ${this.logFile}:\n${this.log()}`);
      }
      if (Date.now() > until)
        throw new Error(`${this.name} did not answer on port ${this.port} in 120 s:\n${this.log()}`);
      await sleep(200);
    }
  }

  async stop(signal: NodeJS.Signals = this.stopSignal): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.thaw();
    child.kill(signal);
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    await this.#exited;
    clearTimeout(killer);
    this.#child = undefined;
  }

  /** The server's processes: one, or a postmaster with a child per connection. */
  #pids(): number[] {
    const pid = this.#child?.pid;
    return pid === undefined ? [] : [pid, ...childrenOf(pid)];
  }

  freeze(): void {
    signalAll(this.#pids(), 'SIGSTOP');
  }

  thaw(): void {
    signalAll(this.#pids(), 'SIGCONT');
  }

  async remove(): Promise<void> {
    const pids = this.#pids();
    await this.stop('SIGKILL');
    signalAll(pids, 'SIGKILL'); // PostgreSQL's backends, should any outlive their postmaster
    rmSync(this.dir, { recursive: true, force: true });
  }

  log(): string {
    return tail(this.logFile);
  }
}

/** A MariaDB server of its own: mariadb-install-db in a temporary folder, then mariadbd on a free port. */
export class MariaDbServer extends ServerProcess {
  protected readonly stopSignal = 'SIGTERM';

  private constructor(
    name: string,
    port: number,
    private readonly args: string[],
  ) {
    super(name, port, 'mysql');
  }

  /**
   * Creates and starts one. `args` are extra mariadbd options (replication, Galera); `firstStart`
   * are for the first start only (bootstrapping a cluster).
   */
  static async create(
    name: string,
    options: { port?: number; args?: string[]; firstStart?: string[] } = {},
  ): Promise<MariaDbServer> {
    const server = new MariaDbServer(name, options.port ?? (await freePort()), options.args ?? []);
    const install = [
      '--no-defaults',
      `--datadir=${server.data}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
    ];
    await runAs('mysql', 'mariadb-install-db', install, `mariadb-install-db for ${name}`);
    await server.start(options.firstStart);
    await server.sql('CREATE DATABASE IF NOT EXISTS test');
    return server;
  }

  get url(): string {
    return `mysql://root@127.0.0.1:${this.port}/test`;
  }

  protected get readyUrl(): string {
    return `mysql://root@127.0.0.1:${this.port}/mysql`;
  }

  get logFile(): string {
    return path.join(this.dir, 'error.log');
  }

  protected command(extra: string[]): [string, string[]] {
    return [
      '/usr/sbin/mariadbd',
      [
        '--no-defaults',
        `--datadir=${this.data}`,
        `--port=${this.port}`,
        '--bind-address=127.0.0.1',
        `--socket=${path.join(this.dir, 'mysqld.sock')}`,
        `--pid-file=${path.join(this.dir, 'mariadbd.pid')}`,
        `--log-error=${this.logFile}`,
        '--innodb-buffer-pool-size=32M',
        '--max-connections=300',
        ...this.args,
        ...extra,
      ],
    ];
  }

  /** Runs SQL through the mariadb client as root; tab-separated rows without headers. */
  async sql(text: string): Promise<string> {
    const { stdout } = await run('mariadb', ['-uroot', '-h127.0.0.1', `-P${this.port}`, '-N', '-B', '-e', text]);
    return stdout.trim();
  }

  /** The first row of a statement's result, by column name (e.g. SHOW SLAVE STATUS). */
  async row(text: string): Promise<Record<string, string>> {
    const { stdout } = await run('mariadb', ['-uroot', '-h127.0.0.1', `-P${this.port}`, '-B', '-e', text]);
    const [names = '', values = ''] = stdout.split('\n');
    const cells = values.split('\t');
    return Object.fromEntries(names.split('\t').map((name, i) => [name, cells[i] ?? '']));
  }
}

const PG_BIN = (() => {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  return versions[0] ? path.join(root, versions[0], 'bin') : '';
})();

/** A PostgreSQL server of its own: initdb in a temporary folder, then postgres on a free port. */
export class PostgresServer extends ServerProcess {
  protected readonly stopSignal = 'SIGINT'; // "fast" shutdown: ends the sessions and stops

  private constructor(name: string, port: number) {
    super(name, port, 'postgres');
  }

  static async create(name: string): Promise<PostgresServer> {
    if (!PG_BIN) throw new Error('PostgreSQL binaries not found in /usr/lib/postgresql/*/bin');
    const server = new PostgresServer(name, await freePort());
    const initdb = ['-D', server.data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8'];
    await runAs('postgres', path.join(PG_BIN, 'initdb'), initdb, `initdb for ${name}`);
    await server.start();
    await run('psql', ['-h', '127.0.0.1', '-p', String(server.port), '-U', 'postgres', '-qc', 'CREATE DATABASE test']);
    return server;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/test`;
  }

  protected get readyUrl(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  get logFile(): string {
    return path.join(this.dir, 'output.log');
  }

  protected command(extra: string[]): [string, string[]] {
    const settings = ['listen_addresses=127.0.0.1', 'fsync=off', 'max_connections=200'];
    return [
      path.join(PG_BIN, 'postgres'),
      ['-D', this.data, '-p', String(this.port), '-k', this.dir, ...settings.flatMap((s) => ['-c', s]), ...extra],
    ];
  }
}

/** Makes the folder every server of this run lives in (the global setup calls it). */
export function makeFaultsDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sss-faults-'));
  chmodSync(dir, 0o755); // the servers' OS users must reach their own folders below it
  return dir;
}

/**
 * Ends whatever server still runs below `dir` (a test that crashed before its afterAll), then
 * removes the folder. Each server leaves its pid file until it stops.
 */
export function cleanUpFaultsDir(dir: string): string[] {
  const ended: string[] = [];
  if (!existsSync(dir)) return ended;
  for (const server of readdirSync(dir)) {
    for (const file of [path.join(dir, server, 'mariadbd.pid'), path.join(dir, server, 'data', 'postmaster.pid')]) {
      if (!existsSync(file)) continue;
      const pid = Number(readFileSync(file, 'utf8').split('\n')[0]);
      if (!Number.isInteger(pid) || pid <= 0) continue;
      const pids = [pid, ...childrenOf(pid)];
      signalAll(pids, 'SIGCONT');
      signalAll(pids, 'SIGKILL');
      ended.push(`${server} (pid ${pid})`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  return ended;
}
