'use strict';

/**
 * A PgBouncer of the bench's own (Debian's package) in transaction mode in front of the bench's
 * PostgreSQL: on a free loopback port, in a temporary folder, as the `postgres` OS user when run
 * as root (PgBouncer refuses root). The bench-side twin of test/support/pgbouncer.ts.
 */
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');

const PGBOUNCER = process.env.PGBOUNCER_PATH ?? '/usr/sbin/pgbouncer';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function listening(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Why the pooler rows cannot run here, or undefined when PgBouncer is installed. */
function pgbouncerMissing() {
  return fs.existsSync(PGBOUNCER) ? undefined : `PgBouncer not installed (${PGBOUNCER}; apt-get install pgbouncer)`;
}

/**
 * Starts PgBouncer in front of `upstreamUrl` (a postgres:// URL) with `poolSize` server
 * connections; resolves to { url, stop() }, `url` being the upstream URL through PgBouncer.
 */
async function startPgBouncer(upstreamUrl, { poolSize }) {
  const upstream = new URL(upstreamUrl);
  const database = upstream.pathname.slice(1) || 'postgres';
  const user = decodeURIComponent(upstream.username || 'postgres');
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sss-bench-pgbouncer-'));
  const file = (name) => path.join(dir, name);
  fs.writeFileSync(file('users.txt'), `"${user}" ""\n`);
  fs.writeFileSync(
    file('pgbouncer.ini'),
    [
      '[databases]',
      `${database} = host=${upstream.hostname} port=${upstream.port || 5432} dbname=${database}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      `unix_socket_dir = ${dir}`,
      'auth_type = trust',
      `auth_file = ${file('users.txt')}`,
      'pool_mode = transaction',
      `default_pool_size = ${poolSize}`,
      'max_client_conn = 200',
      `logfile = ${file('pgbouncer.log')}`,
      // pg and Sequelize send these at connect; PgBouncer would refuse the connection otherwise.
      'ignore_startup_parameters = extra_float_digits,options',
      '',
    ].join('\n'),
  );
  const root = os.userInfo().uid === 0;
  if (root) {
    const id = (flag) => Number(spawnSync('id', [flag, 'postgres']).stdout.toString().trim());
    for (const name of ['', 'users.txt', 'pgbouncer.ini']) fs.chownSync(path.join(dir, name), id('-u'), id('-g'));
  }
  // setpriv execs PgBouncer (its pid is PgBouncer's) and kills it should the bench die.
  const switchUser = root ? ['--reuid', 'postgres', '--regid', 'postgres', '--init-groups'] : [];
  const [command, args] = fs.existsSync('/usr/bin/setpriv')
    ? ['setpriv', [...switchUser, '--pdeathsig', 'KILL', '--', PGBOUNCER, file('pgbouncer.ini')]]
    : root
      ? ['runuser', ['-u', 'postgres', '--', PGBOUNCER, file('pgbouncer.ini')]]
      : [PGBOUNCER, [file('pgbouncer.ini')]];
  const log = () => (fs.existsSync(file('pgbouncer.log')) ? fs.readFileSync(file('pgbouncer.log'), 'utf8') : '');
  const child = spawn(command, args, { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const until = Date.now() + 20_000;
  while (!(await listening(port))) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > until) {
      const why = `pgbouncer did not start:\n${log().split('\n').slice(-10).join('\n')}`;
      await stop();
      throw new Error(why);
    }
    await sleep(100);
  }
  const through = new URL(upstreamUrl);
  through.hostname = '127.0.0.1';
  through.port = String(port);
  return { url: through.toString(), stop };
}

module.exports = { PGBOUNCER, startPgBouncer, pgbouncerMissing };
