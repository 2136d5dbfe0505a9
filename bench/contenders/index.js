'use strict';

const { ours } = require('./ours');
const { floorPostgres } = require('./floor-postgres');

/** Every contender, in the order the reports list them. */
const CONTENDERS = [
  require('./floor-sqlite'),
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
