import type { Store as ExpressStore } from 'express-session';
import { createStoreClass } from './store';
import type { SessionModelOptions as ModelOptions } from '../models/session';
import type * as optionTypes from './options';
import type * as rowTypes from './session/row-fields';
import type * as storeTypes from './types';
import type * as callbackTypes from './callback';
import type * as codecTypes from './session/codec';
import type * as encryptionTypes from './session/encryption';
import type * as expiryTypes from './session/expiry';
import type * as tracingTypes from './observability/tracing';
import type { OperationTimeoutError as TimeoutError } from './resilience/deadline';
import { PREFIX } from './messages';

/**
 * `require('sequelize-session-store')(session.Store)` returns the store class. The `Store` of
 * Connect or of `@fastify/session` works as well.
 * @example
 * const session = require('express-session');
 * const SequelizeStore = require('sequelize-session-store')(session.Store);
 * app.use(session({ secret, store: new SequelizeStore({ db: sequelize }), resave: false, saveUninitialized: false }));
 */
function sequelizeSessionStore(
  Store: storeTypes.StoreBase | typeof ExpressStore | storeTypes.FastifySessionStoreExport,
): storeTypes.SequelizeStoreClass {
  if (typeof Store !== 'function') {
    throw new TypeError(
      `${PREFIX} pass the Store class of express-session, as in require("sequelize-session-store")(session.Store)`,
    );
  }
  return createStoreClass(Store);
}

namespace sequelizeSessionStore {
  export type SequelizeStore = storeTypes.SequelizeStore;
  export type SequelizeStoreClass = storeTypes.SequelizeStoreClass;
  export type FastifySessionStoreExport = storeTypes.FastifySessionStoreExport;
  export type ListedSession = storeTypes.ListedSession;
  export type SequelizeStoreOptions = optionTypes.SequelizeStoreOptions;
  export type ResolvedOptions = optionTypes.ResolvedOptions;
  export type DefaultFields = rowTypes.DefaultFields;
  export type Logger = optionTypes.Logger;
  export type Callback<T = void> = callbackTypes.Callback<T>;
  export type EncryptionAdapter = encryptionTypes.EncryptionAdapter;
  export type Serializer = codecTypes.Serializer;
  export type SessionTtl = expiryTypes.SessionTtl;
  /** The context of an event on the `sequelize-session-store:operation` TracingChannel. */
  export type OperationContext = tracingTypes.OperationContext;
  export type SessionModelOptions = ModelOptions;
  export type MigrateOptions = storeTypes.MigrateOptions;
  export type IterateOptions = storeTypes.IterateOptions;
  /** The error of an operation that did not finish within `operationTimeout` (`name: 'OperationTimeoutError'`). */
  export type OperationTimeoutError = TimeoutError;
}

export = sequelizeSessionStore;
