import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './free-port';
import { run, runAs } from './processes';
import { ServerProcess } from './server-process';

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
