import { DataTypes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

export interface SessionModelOptions {
  /** Name of the model on `sequelize` (`sequelize.models[modelKey]`). @default 'Session' */
  modelKey?: string;
  /** Name of the table. @default 'Sessions' */
  tableName?: string;
}

/** The attributes a session model must have, whatever its columns are called. */
export const SESSION_ATTRIBUTES = ['sid', 'expires', 'data'] as const;

function isMySqlFamily(sequelize: Sequelize): boolean {
  const dialect = sequelize.getDialect();
  return dialect === 'mysql' || dialect === 'mariadb';
}

/**
 * Defines the default Session model: `sid` (primary key, 255 characters, case-sensitive on every
 * dialect), `expires` (indexed, for the cleanup sweep), `data` (LONGTEXT on MySQL/MariaDB, TEXT
 * elsewhere) and `createdAt`/`updatedAt`.
 */
export function defineSessionModel(sequelize: Sequelize, options: SessionModelOptions = {}): ModelStatic<Model> {
  const modelKey = options.modelKey ?? 'Session';
  const tableName = options.tableName ?? 'Sessions';
  const mysql = isMySqlFamily(sequelize);
  return sequelize.define(
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
      data: { type: mysql ? DataTypes.TEXT('long') : DataTypes.TEXT, allowNull: true },
    },
    {
      tableName,
      timestamps: true,
      indexes: [{ name: `${tableName}_expires`, fields: ['expires'] }],
    },
  );
}
