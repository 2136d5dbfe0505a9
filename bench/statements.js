'use strict';

/**
 * Counts the SQL statements this process sends, at the drivers, whoever sends them: Sequelize,
 * knex, a store calling the driver itself, or the floor. Contenders run one at a time, so the
 * count taken around a measured cell belongs to that cell's contender.
 *
 * - mysql2: every Query or Execute command a connection queues (the one place that query(),
 *   execute(), pools and prepared-statement handles all go through). A Prepare is not counted:
 *   it is a round trip, but not a statement that runs.
 * - pg: every Client#query (pools and named queries go through it).
 * - sqlite3: every run/get/all/each of a Statement (Database#run and friends make one) and every
 *   Database#exec.
 *
 * Writes (INSERT, UPDATE, DELETE, REPLACE, or a COMMIT) are counted apart: every contender sends
 * its writes outside any transaction, or commits them, so each one is a commit the server flushes.
 *
 * Server-side counters (MariaDB's Questions, pg_stat_database) would also count the other
 * clients of a shared server, so they are not used.
 */
const path = require('node:path');

let total = 0;
let writes = 0;
const wrapped = new Set();
const WRITE = /^\s*(INSERT|UPDATE|DELETE|REPLACE|COMMIT)\b/i;

/** Counts a method's calls (those `shouldCount` accepts), and the writes among them by `textOf`. */
function wrap(proto, method, shouldCount, textOf) {
  const original = proto[method];
  if (typeof original !== 'function' || wrapped.has(original)) return false;
  const counting = function (...args) {
    if (!shouldCount || shouldCount(args)) {
      total += 1;
      const text = textOf?.call(this, args);
      if (typeof text === 'string' && WRITE.test(text)) writes += 1;
    }
    return original.apply(this, args);
  };
  wrapped.add(counting);
  proto[method] = counting;
  return true;
}

/** The class of a module's export, walking up to the prototype that owns `method`. */
function owner(proto, method) {
  let current = proto;
  while (current && !Object.prototype.hasOwnProperty.call(current, method)) current = Object.getPrototypeOf(current);
  return current;
}

function countMysql2(fromDir) {
  let connectionFile;
  try {
    const main = require.resolve('mysql2', { paths: [fromDir] });
    connectionFile = path.join(path.dirname(main), 'lib', 'connection.js');
  } catch {
    return undefined;
  }
  const Connection = require(connectionFile);
  const proto = owner(Connection.prototype, 'addCommand');
  const isStatement = ([command]) => {
    const name = command && command.constructor && command.constructor.name;
    return name === 'Query' || name === 'Execute';
  };
  wrap(proto, 'addCommand', isStatement, ([command]) => command.sql);
  return require(path.join(path.dirname(connectionFile), '..', 'package.json')).version;
}

function countPg() {
  const { Client } = require('pg');
  wrap(owner(Client.prototype, 'query'), 'query', undefined, ([query]) =>
    typeof query === 'string' ? query : query?.text,
  );
}

function countSqlite3() {
  const sqlite3 = require('sqlite3');
  for (const method of ['run', 'get', 'all', 'each'])
    wrap(sqlite3.Statement.prototype, method, undefined, function () {
      return this.sql;
    });
  wrap(sqlite3.Database.prototype, 'exec', undefined, ([sql]) => sql);
}

/** Installs the counters on every copy of the drivers that a contender loads. */
function installStatementCounters() {
  const mysql2 = [countMysql2(__dirname)];
  try {
    const ems = path.dirname(require.resolve('express-mysql-session/package.json'));
    mysql2.push(countMysql2(ems)); // it ships its own copy of mysql2
  } catch {
    // express-mysql-session not installed: nothing to count there
  }
  countPg();
  countSqlite3();
  return { mysql2: [...new Set(mysql2.filter(Boolean))] };
}

/** Statements sent so far by this process. */
function statementsSent() {
  return total;
}

/** Writes among them (each its own commit). */
function writesSent() {
  return writes;
}

module.exports = { installStatementCounters, statementsSent, writesSent };
