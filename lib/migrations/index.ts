import type { Model, ModelStatic, QueryInterface, Sequelize } from 'sequelize';
import { checkName } from '../sql/names';
import { tableNameOf } from '../sql/session-table';
import { offlineSessionModel } from '../sql/ddl';
import { createTable } from './create-table';
import { createProcedures } from './create-procedures';
import type { MigrationStep } from './step';
import { widenColumns } from './widen-columns';

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
  // The built-in model is written for the dialect of whatever database the migration runs on.
  const modelFor = (sequelize: Sequelize): ModelStatic<Model> =>
    model ?? offlineSessionModel(sequelize.getDialect(), { tableName, dataType: options.dataType ?? 'text' });
  const steps = options.procedures ? [...STEPS, createProcedures] : STEPS;
  return steps.map((step) => ({
    name: `${tableName}/${step.name}`,
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
