import path from 'node:path';
import { freePort } from './free-port';
import { run, runAs } from './processes';
import { ServerProcess } from './server-process';

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
