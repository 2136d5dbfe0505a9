import type { Store as ExpressStore } from 'express-session';
import { createStoreClass } from './store';
import { defineSessionModel as defineModel, type SessionModelOptions as ModelOptions } from '../models/session';
import type * as optionTypes from './options';
import type * as storeTypes from './types';
import type * as callbackTypes from './callback';
import { sessionMigrations as migrations, type SessionMigration as Migration } from './migrations';
import type * as migrationTypes from './migrations';

/**
 * `require('sequelize-session-store')(session.Store)` returns the store class.
 * @example
 * const session = require('express-session');
 * const SequelizeStore = require('sequelize-session-store')(session.Store);
 * app.use(session({ secret, store: new SequelizeStore({ db: sequelize }), resave: false, saveUninitialized: false }));
 */
function sequelizeSessionStore(Store: storeTypes.StoreBase | typeof ExpressStore): storeTypes.SequelizeStoreClass {
  if (typeof Store !== 'function') {
    throw new TypeError(
      'sequelize-session-store: pass the Store class of express-session, as in require("sequelize-session-store")(session.Store)',
    );
  }
  return createStoreClass(Store as storeTypes.StoreBase);
}

namespace sequelizeSessionStore {
  export type SequelizeStore = storeTypes.SequelizeStore;
  export type SequelizeStoreClass = storeTypes.SequelizeStoreClass;
  export type ListedSession = storeTypes.ListedSession;
  export type SequelizeStoreOptions = optionTypes.SequelizeStoreOptions;
  export type DefaultFields = optionTypes.DefaultFields;
  export type Logger = optionTypes.Logger;
  export type Callback<T = void> = callbackTypes.Callback<T>;
  export type SessionModelOptions = ModelOptions;
  /** Defines the built-in Session model on a Sequelize instance, e.g. to extend or migrate it. */
  export const defineSessionModel = defineModel;
  export type MigrateOptions = storeTypes.MigrateOptions;
  export type SessionMigration = Migration;
  export type SessionMigrationOptions = migrationTypes.SessionMigrationOptions;
  export type MigrationContext = migrationTypes.MigrationContext;
  /**
   * The store's migrations as `{ name, up, down }` objects, in order, for your own umzug.
   * @example
   * const umzug = new Umzug({
   *   migrations: [...sessionMigrations({ tableName: 'Sessions' }), ...yourMigrations],
   *   context: sequelize.getQueryInterface(),
   *   storage: new SequelizeStorage({ sequelize }),
   *   logger: undefined,
   * });
   */
  export const sessionMigrations = migrations;
}

export = sequelizeSessionStore;
