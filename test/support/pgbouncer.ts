import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { asServer } from '../../test-faults/support/processes';

// A PgBouncer of the tests' own, from Debian's package, in front of the test PostgreSQL: on a free
// loopback port, in a temporary folder, as the `postgres` OS user (PgBouncer refuses root).

export const PGBOUNCER = process.env.PGBOUNCER_PATH ?? '/usr/sbin/pgbouncer';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface PgBouncerOptions {
  /** Where PostgreSQL listens. */
  upstream: { host: string; port: number; database: string };
  poolMode?: 'transaction' | 'session' | 'statement';
  poolSize?: number;
}

export class PgBouncer {
  readonly #dir: string;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();

  private constructor(
    readonly port: number,
    private readonly options: PgBouncerOptions,
  ) {
    this.#dir = mkdtempSync(path.join(os.tmpdir(), 'sss-pgbouncer-'));
  }

  /** Starts one; `database` is the name clients ask for (the same as upstream's). */
  static async start(options: PgBouncerOptions): Promise<PgBouncer> {
    const bouncer = new PgBouncer(await freePort(), options);
    bouncer.#configure();
    await bouncer.start();
    return bouncer;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${this.options.upstream.database}`;
  }

  #configure(): void {
    const { upstream, poolMode = 'transaction', poolSize = 2 } = this.options;
    const file = (name: string): string => path.join(this.#dir, name);
    writeFileSync(file('users.txt'), '"postgres" ""\n');
    writeFileSync(
      file('pgbouncer.ini'),
      [
        '[databases]',
        `${upstream.database} = host=${upstream.host} port=${upstream.port} dbname=${upstream.database}`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${this.port}`,
        `unix_socket_dir = ${this.#dir}`,
        'auth_type = trust',
        `auth_file = ${file('users.txt')}`,
        `pool_mode = ${poolMode}`,
        `default_pool_size = ${poolSize}`,
        'max_client_conn = 200',
        `logfile = ${file('pgbouncer.log')}`,
        // pg and Sequelize send these at connect; PgBouncer would refuse the connection otherwise.
        'ignore_startup_parameters = extra_float_digits,options',
        '',
      ].join('\n'),
    );
    if (os.userInfo().uid === 0) {
      const id = (flag: string): number => Number(spawnSync('id', [flag, 'postgres']).stdout.toString().trim());
      const [uid, gid] = [id('-u'), id('-g')];
      for (const name of ['', 'users.txt', 'pgbouncer.ini']) chownSync(path.join(this.#dir, name), uid, gid);
    }
  }

  async start(): Promise<void> {
    const ini = path.join(this.#dir, 'pgbouncer.ini');
    const [command, args] = asServer('postgres', PGBOUNCER, [ini]);
    const child = spawn(command, args, { stdio: 'ignore' });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const until = Date.now() + 20_000;
    while (!(await listening(this.port))) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`pgbouncer exited while starting:\n${this.log()}`);
      if (Date.now() > until) throw new Error(`pgbouncer did not listen on ${this.port} in 20 s:\n${this.log()}`);
      await sleep(100);
    }
  }

  /** SIGTERM, an immediate shutdown: PgBouncer closes every connection at once (SIGINT would wait for them). */
  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await this.#exited;
    clearTimeout(killer);
    this.#child = undefined;
  }

  async remove(): Promise<void> {
    await this.stop();
    rmSync(this.#dir, { recursive: true, force: true });
  }

  log(): string {
    const file = path.join(this.#dir, 'pgbouncer.log');
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-40).join('\n') : '(no log)';
  }
}
