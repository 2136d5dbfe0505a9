import type { Model, ModelStatic, QueryInterface, Sequelize } from 'sequelize';
import { checkName } from '../sql/names';
import { schemaOf, tableNameOf } from '../sql/session-table';
import { offlineSessionModel } from '../sql/ddl';
import { createTable } from './create-table';
import { createProcedures } from './create-procedures';
import { PREFIX } from '../messages';
import type { MigrationStep } from './step';
import { uniqueSid } from './unique-sid';
import { widenColumns } from './widen-columns';
import { sidIsUnique } from '../sql/unique-sid';

/** What a migration runs on: your Sequelize instance or its QueryInterface (umzug's usual context). */
export type MigrationContext = Sequelize | QueryInterface;

/** A migration as umzug takes it: `new Umzug({ migrations: sessionMigrations(), context: sequelize, ... })`. */
export interface SessionMigration {
  name: string;
  up(params: { context: MigrationContext }): Promise<void>;
  down(params: { context: MigrationContext }): Promise<void>;
}

export interface SessionMigrationOptions {
  /**
   * Your own session model, to migrate its table instead of the built-in one.
   * @default the built-in model on `tableName`
   */
  model?: ModelStatic<Model>;
  /**
   * Table of the built-in model (without `model`).
   * @default 'Sessions'
   */
  tableName?: string;
  /**
   * Schema of the built-in model's table (without `model`): a PostgreSQL schema, or another
   * MySQL/MariaDB database; it must exist.
   * @default the connection's search_path (PostgreSQL) or database (MySQL/MariaDB)
   */
  schema?: string;
  /**
   * Data column of the built-in model (without `model`), as the store's `dataType` option.
   * @default 'text'
   */
  dataType?: 'text' | 'json';
  /**
   * Also install the stored procedures of the `storedProcedures` option (MySQL/MariaDB only).
   * @default false
   */
  procedures?: boolean;
}

/** Our ledger, apart from the app's own SequelizeMeta. */
export const DEFAULT_LEDGER_TABLE = 'SequelizeSessionStoreMeta';

/** In order; no globbing, which breaks once the package is compiled. */
const STEPS: readonly MigrationStep[] = [createTable, widenColumns];

function sequelizeOf(context: MigrationContext): Sequelize {
  return 'getQueryInterface' in context ? context : context.sequelize;
}

/**
 * The migrations of one session table, in order, as `{ name, up, down }` objects. Their names
 * start with the table name, so the tables of several stores share one ledger.
 */
export function sessionMigrations(options: SessionMigrationOptions = {}): SessionMigration[] {
  const { model } = options;
  const tableName = model ? tableNameOf(model) : checkName('table name', options.tableName ?? 'Sessions');
  const schema = model ? schemaOf(model) : options.schema;
  // The ledger keeps names as they were: a table in the default schema keeps its bare name.
  const ledgerName = schema === undefined ? tableName : `${schema}.${tableName}`;
  // The built-in model is written for the dialect of whatever database the migration runs on.
  const modelFor = (sequelize: Sequelize): ModelStatic<Model> =>
    model ??
    offlineSessionModel(sequelize.getDialect(), {
      tableName,
      ...(schema === undefined ? {} : { schema }),
      dataType: options.dataType ?? 'text',
    });
  if (schema !== undefined && options.procedures) {
    throw new TypeError(`${PREFIX} the stored procedures live in the connection's database: not with a schema`);
  }
  // A model written for connect-session-sequelize may key its rows by an `id`: the store then
  // saves through a lock, and this step offers the unique index that makes a save one upsert.
  const steps = [
    ...STEPS,
    ...(options.procedures ? [createProcedures] : []),
    ...(model && !sidIsUnique(model) ? [uniqueSid] : []),
  ];
  return steps.map((step) => ({
    name: `${ledgerName}/${step.name}`,
    async up({ context }) {
      const sequelize = sequelizeOf(context);
      await step.up(sequelize, modelFor(sequelize));
    },
    async down({ context }) {
      const sequelize = sequelizeOf(context);
      await step.down(sequelize, modelFor(sequelize));
    },
  }));
}

export interface RunMigrationsOptions {
  /** Revert the last migration applied instead of applying the pending ones. */
  down?: boolean;
  /** The ledger table. */
  ledgerTable?: string;
}

/** Runs migrations through umzug, silently, with our own ledger; resolves to the names applied or reverted. */
export async function runMigrations(
  sequelize: Sequelize,
  migrations: SessionMigration[],
  options: RunMigrationsOptions = {},
): Promise<string[]> {
  // Loaded on demand: most processes never migrate, and umzug takes a while to load.
  const { Umzug, SequelizeStorage } = await import('umzug');
  const ledger = checkName('ledger table', options.ledgerTable ?? DEFAULT_LEDGER_TABLE);
  const umzug = new Umzug<MigrationContext>({
    migrations,
    context: sequelize,
    storage: new SequelizeStorage({ sequelize, tableName: ledger, modelName: ledger }),
    logger: undefined,
  });
  const done = options.down ? await umzug.down() : await umzug.up();
  return done.map((migration) => migration.name);
}
