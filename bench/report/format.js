'use strict';

/** Number and name formatting shared by the markdown report and the chart. */
const SHORT = {
  floor: 'floor',
  ours: 'ours',
  'ours-touchafter': 'ours, touchAfter 300',
  'connect-session-sequelize': 'c-s-sequelize',
  'connect-session-knex': 'c-s-knex',
  'express-mysql-session': 'express-mysql-session',
  'connect-pg-simple': 'connect-pg-simple',
};

const BACKEND_LABELS = { sqlite: 'SQLite', mariadb: 'MariaDB', postgres: 'PostgreSQL', pgbouncer: 'PgBouncer' };

const int = (value) => (value == null ? '–' : Math.round(value).toLocaleString('en-US'));
const ratio = (value) => (value == null ? '–' : `${value.toFixed(2)}×`);
const ms = (value) => (value == null ? '–' : value < 10 ? value.toFixed(2) : value.toFixed(1));
const fixed = (value, digits = 2) => (value == null ? '–' : value.toFixed(digits));

function shortName(name) {
  return SHORT[name] ?? name;
}

module.exports = { SHORT, BACKEND_LABELS, int, ratio, ms, fixed, shortName };
