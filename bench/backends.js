'use strict';

/** The three databases, where to find them, and the per-run names of what the bench creates. */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { pgbouncerMissing, startPgBouncer } = require('./pgbouncer');

const POOL_SIZE = 5;
const POSTGRES_URL = process.env.POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const BACKENDS = {
  sqlite: { name: 'sqlite', label: 'SQLite' },
  mariadb: { name: 'mariadb', label: 'MariaDB', url: process.env.MARIADB_URL ?? 'mysql://root@127.0.0.1:3306/test' },
  postgres: { name: 'postgres', label: 'PostgreSQL', url: POSTGRES_URL },
  // The same PostgreSQL behind a PgBouncer of the bench's own in transaction mode, with as many
  // server connections as each contender's pool: `url` is filled in once it runs (`withServer`).
  pgbouncer: { name: 'pgbouncer', label: 'PostgreSQL behind PgBouncer (transaction mode)', upstream: POSTGRES_URL },
};

/**
 * Runs `run(backend)` with what the backend needs started around it: PgBouncer for the pooler
 * rows (stopped afterwards), nothing for the others.
 */
async function withServer(backend, run) {
  if (backend.name !== 'pgbouncer') return run(backend);
  const bouncer = await startPgBouncer(backend.upstream, { poolSize: POOL_SIZE });
  try {
    return await run({ ...backend, url: bouncer.url });
  } finally {
    await bouncer.stop();
  }
}

/** Connects once: resolves to { version } when the server answers, or { reason } when it does not. */
async function probe(backend) {
  if (backend.name === 'pgbouncer') {
    const missing = pgbouncerMissing();
    if (missing) return { reason: missing };
    const upstream = await probe(BACKENDS.postgres);
    return upstream.reason ? upstream : { version: `PgBouncer ${pgbouncerVersion()}, ${upstream.version}` };
  }
  try {
    if (backend.name === 'mariadb') {
      const mysql = require('mysql2/promise');
      const connection = await mysql.createConnection({ uri: backend.url, connectTimeout: 3000 });
      const [rows] = await connection.query('SELECT version() AS v');
      await connection.end();
      return { version: `MariaDB ${rows[0].v}` };
    }
    if (backend.name === 'postgres') {
      const { Client } = require('pg');
      const client = new Client({ connectionString: backend.url, connectionTimeoutMillis: 3000 });
      await client.connect();
      const { rows } = await client.query('SHOW server_version');
      await client.end();
      return { version: `PostgreSQL ${rows[0].server_version}` };
    }
    return { version: `SQLite ${await sqliteVersion()}` };
  } catch (error) {
    return { reason: error.message || String(error) };
  }
}

function pgbouncerVersion() {
  const out = require('node:child_process').spawnSync(require('./pgbouncer').PGBOUNCER, ['--version']);
  return /PgBouncer\s+(\S+)/i.exec(String(out.stdout))?.[1] ?? '(version unknown)';
}

function sqliteVersion() {
  const sqlite3 = require('sqlite3');
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(':memory:');
    db.get('SELECT sqlite_version() AS v', (error, row) => db.close(() => (error ? reject(error) : resolve(row.v))));
  });
}

function sqliteExec(file, sql) {
  const sqlite3 = require('sqlite3');
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, (error) => {
      if (error) return reject(error);
      db.exec(sql, (execError) =>
        db.close((closeError) => (execError || closeError ? reject(execError || closeError) : resolve())),
      );
    });
  });
}

/**
 * What contenders need from the backend: unique table names (prefixed `bench_`, dropped at the
 * end), SQLite files in WAL mode, and Sequelize instances with the common pool size.
 */
function createEnvironment(backend, { storeModule }) {
  const tag = process.pid;
  let sqliteDir;

  return {
    backend,
    poolSize: POOL_SIZE,
    storeModule,
    /** A table name that no other client of the server uses. */
    table(name) {
      // PgBouncer's rows use the same PostgreSQL: their tables carry a name of their own.
      return backend.name === 'pgbouncer' ? `bench_pgb_${name}_${tag}` : `bench_${name}_${tag}`;
    },
    /** A fresh SQLite file in WAL mode, the journal mode the floor and the embedded store use. */
    async sqliteFile(name) {
      sqliteDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'sss-bench-'));
      const file = path.join(sqliteDir, `${name}.sqlite`);
      await sqliteExec(file, 'PRAGMA journal_mode = WAL;');
      return file;
    },
    async sequelize(name) {
      const { Sequelize } = require('sequelize');
      const base = { logging: false, pool: { max: POOL_SIZE } };
      if (backend.name === 'sqlite') {
        return new Sequelize({ ...base, dialect: 'sqlite', storage: await this.sqliteFile(name) });
      }
      return new Sequelize(backend.url, base);
    },
    /** Removes the SQLite files; server tables are dropped by each contender's close(). */
    cleanup() {
      if (sqliteDir) fs.rmSync(sqliteDir, { recursive: true, force: true });
      sqliteDir = undefined;
    },
  };
}

module.exports = { BACKENDS, POOL_SIZE, probe, withServer, createEnvironment };
