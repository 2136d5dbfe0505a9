import type { Sequelize } from 'sequelize';
import { missingInternals, usesPgNative } from './internals';
import { mysqlRunner } from './mysql-runner';
import { postgresRunner } from './postgres-runner';
import type { Runner } from './runner';
import { sequelizeRunner } from './sequelize-runner';
import { sqliteRunner } from './sqlite-runner';

const warned = new WeakSet<Sequelize>();

/**
 * The fastest runner the dialect and driver allow; Sequelize's query() for any other, and for a
 * Sequelize or driver release that lacks what the fast runners read (`warn` says so, once per instance).
 * `notice` takes what the store tells its logger without it being an error (a pooler found).
 */
export function createRunner(
  sequelize: Sequelize,
  warn?: (message: string) => void,
  notice?: (message: string) => void,
): Runner {
  const missing = missingInternals(sequelize);
  if (missing.length > 0) {
    if (warn && !warned.has(sequelize)) {
      warned.add(sequelize);
      warn(
        `this Sequelize or driver release lacks ${missing.join(', ')}; ` +
          'the store runs its statements through sequelize.query instead, correct but slower',
      );
    }
    return sequelizeRunner(sequelize);
  }
  switch (sequelize.getDialect()) {
    case 'mysql':
      return mysqlRunner(sequelize);
    case 'postgres':
      return usesPgNative(sequelize) ? sequelizeRunner(sequelize) : postgresRunner(sequelize, notice);
    case 'sqlite':
      return sqliteRunner(sequelize);
    default:
      return sequelizeRunner(sequelize);
  }
}

/** Whether createRunner gives this instance a driver's own runner rather than sequelize.query. */
export function runsNatively(sequelize: Sequelize): boolean {
  if (missingInternals(sequelize).length > 0) return false;
  const dialect = sequelize.getDialect();
  return dialect === 'mysql' || dialect === 'sqlite' || (dialect === 'postgres' && !usesPgNative(sequelize));
}
