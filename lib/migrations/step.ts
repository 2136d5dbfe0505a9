import type { Model, ModelStatic, Sequelize } from 'sequelize';

/**
 * One migration of a session table. `model` describes the table as it should be (the built-in model
 * or the user's own); `sequelize` is the live database the statements run on.
 */
export interface MigrationStep {
  /** Ordered by this name within one table's migrations. */
  name: string;
  up(sequelize: Sequelize, model: ModelStatic<Model>): Promise<void>;
  down(sequelize: Sequelize, model: ModelStatic<Model>): Promise<void>;
}
