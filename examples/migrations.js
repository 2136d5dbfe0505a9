// The store's migrations in your own umzug, next to your app's, recorded in your ledger. Run it
// as a deploy step; a second run finds nothing to do.
'use strict';
const { DataTypes, Sequelize } = require('sequelize');
const { SequelizeStorage, Umzug } = require('umzug');
const { sessionMigrations } = require('sequelize-session-store/migrations');

const sequelize = new Sequelize({
  dialect: 'sqlite',
  storage: process.env.SESSIONS_SQLITE || './sessions.sqlite',
  logging: false,
});

const umzug = new Umzug({
  migrations: [
    // Creates the Sessions table with its index, or upgrades a connect-session-sequelize one in place.
    ...sessionMigrations({ tableName: 'Sessions' }),
    {
      name: 'app/01-create-users',
      up: ({ context }) =>
        context.createTable('users', {
          id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
          name: { type: DataTypes.STRING, allowNull: false },
        }),
      down: ({ context }) => context.dropTable('users'),
    },
  ],
  context: sequelize.getQueryInterface(),
  storage: new SequelizeStorage({ sequelize }),
  logger: undefined,
});

umzug
  .up()
  .then((applied) => {
    console.log(applied.length > 0 ? applied.map((m) => `applied ${m.name}`).join('\n') : 'up to date');
    return sequelize.close();
  })
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
