import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Sequelize } from 'sequelize';
import { faultsDir } from './faults-dir';
import { AS_ROOT, asServer, childrenOf, osUser, signalAll } from './processes';

// Database servers of the fault tests' own: on loopback, on free ports, in temporary folders, started
// and stopped by the tests. The shared servers on 3306 and 5432 are never touched.

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

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
export abstract class ServerProcess implements TestServer {
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
