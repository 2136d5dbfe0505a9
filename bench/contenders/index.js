'use strict';

const { ours } = require('./ours');
const { floorPostgres } = require('./floor-postgres');
const { floorSqlite } = require('./floor-sqlite');

/** Every contender, in the order the reports list them. */
const CONTENDERS = [
  floorSqlite({ name: 'floor', label: 'raw driver (floor)', copies: 1 }),
  require('./floor-mariadb'),
  floorPostgres({ backends: ['postgres'], named: true }),
  floorPostgres({ backends: ['pgbouncer'], named: false }),
  ours({ name: 'ours', label: 'sequelize-session-store', backends: ['sqlite', 'mariadb', 'postgres', 'pgbouncer'] }),
  ours({ name: 'ours-touchafter', label: 'sequelize-session-store, touchAfter 300 s', options: { touchAfter: 300 } }),
  ours({
    name: 'ours-no-groupcommit',
    label: 'sequelize-session-store, groupCommit: false',
    options: { groupCommit: false },
  }),
  floorSqlite({ name: 'floor-copies', label: 'raw driver, 4 copies of each statement', copies: 4 }),
  require('./connect-session-sequelize'),
  require('./connect-session-knex'),
  require('./express-mysql-session'),
  require('./connect-pg-simple'),
];

/** The contenders that run on a backend, the floor first. */
function contendersFor(backendName, only) {
  return CONTENDERS.filter(
    (c) => c.backends.includes(backendName) && (!only || c.kind === 'floor' || only.includes(c.name)),
  );
}

module.exports = { CONTENDERS, contendersFor };
