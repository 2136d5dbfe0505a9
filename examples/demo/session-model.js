'use strict';
const { DataTypes } = require('sequelize');

/**
 * The demo's sessions table: the columns the store needs (sid, expires, data) and userName, so that
 * one user's sessions can be listed (`iterate`) and ended (`destroyWhere`) by a condition on it.
 * Its own table name: a sessions.sqlite from an older demo or the quick start holds a `Sessions`
 * table without that column, and examples/custom-model.js uses `user_sessions` in the same file.
 */
function defineSessionModel(sequelize) {
  return sequelize.define(
    'DemoSession',
    {
      sid: { type: DataTypes.STRING(255), primaryKey: true },
      userName: { type: DataTypes.STRING(50), allowNull: true }, // null until the login
      expires: DataTypes.DATE,
      data: DataTypes.TEXT,
    },
    { tableName: 'demo_sessions', indexes: [{ fields: ['userName'] }, { fields: ['expires'] }] },
  );
}

/** The store's `extendDefaultFields`: every save writes the session's user into its row, in the same statement. */
const withUserName = (defaults, session) => ({ ...defaults, userName: session.user ?? null });

module.exports = { defineSessionModel, withUserName };
