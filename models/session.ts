import { DataTypes, type DataType, type Model, type ModelStatic, type Sequelize } from 'sequelize';
import { isMySqlFamily } from '../lib/sql/dialect';
import { qualifyMySqlDatabase } from '../lib/driver/internals';

export interface SessionModelOptions {
  /** Name of the model on `sequelize` (`sequelize.models[modelKey]`). @default 'Session' */
  modelKey?: string;
  /** Name of the table. @default 'Sessions' */
  tableName?: string;
  /**
   * Schema of the table: a PostgreSQL schema, or on MySQL/MariaDB another database.
   * @default the connection's search_path (PostgreSQL), its database (MySQL/MariaDB)
   */
  schema?: string;
  /**
   * Type of the data column: `'text'` (LONGTEXT on MySQL/MariaDB, TEXT elsewhere) or `'json'`
   * (JSON on MySQL/MariaDB and SQLite, JSONB on PostgreSQL). Both store the session as JSON.
   * @default 'text'
   */
  dataType?: 'text' | 'json';
}

/** The attributes a session model must have, whatever its columns are called. */
export const SESSION_ATTRIBUTES = ['sid', 'expires', 'data'] as const;

function dataColumnType(sequelize: Sequelize, dataType: 'text' | 'json'): DataType {
  if (dataType === 'json') return sequelize.getDialect() === 'postgres' ? DataTypes.JSONB : DataTypes.JSON;
  return isMySqlFamily(sequelize.getDialect()) ? DataTypes.TEXT('long') : DataTypes.TEXT;
}

/**
 * Defines the default Session model: `sid` (primary key, 255 characters, case-sensitive on every
 * dialect), `expires` (indexed, for the cleanup sweep), `data` (LONGTEXT on MySQL/MariaDB, TEXT
 * elsewhere, or a JSON column with `dataType: 'json'`) and `createdAt`/`updatedAt`.
 */
export function defineSessionModel(sequelize: Sequelize, options: SessionModelOptions = {}): ModelStatic<Model> {
  const modelKey = options.modelKey ?? 'Session';
  const tableName = options.tableName ?? 'Sessions';
  const mysql = isMySqlFamily(sequelize.getDialect());
  const model = sequelize.define(
    modelKey,
    {
      sid: {
        // MySQL compares strings case-insensitively unless the column has a binary collation,
        // and sids differing only in case are different sessions.
        type: mysql ? DataTypes.STRING(255).BINARY : DataTypes.STRING(255),
        primaryKey: true,
        allowNull: false,
      },
      // Milliseconds, so the stored expiry is the cookie's; MySQL's DATETIME would drop them.
      expires: { type: mysql ? DataTypes.DATE(3) : DataTypes.DATE, allowNull: true },
      data: { type: dataColumnType(sequelize, options.dataType ?? 'text'), allowNull: true },
    },
    {
      tableName,
      ...(options.schema ? { schema: options.schema } : {}),
      // Whatever the database's default: an emoji in a session must never be an "Incorrect string value".
      ...(mysql ? { charset: 'utf8mb4' } : {}),
      timestamps: true,
      indexes: [{ name: `${tableName}_expires`, fields: ['expires'] }],
    },
  );
  if (mysql && options.schema) qualifyMySqlDatabase(model);
  return model;
}
