import { sessionProcedures } from '../procedures/procedure-definitions';
import { createTableStatements, offlineSessionModel, SQL_DIALECTS, type SqlDialect } from '../sql/ddl';
import { parseFlags, UsageError, type CliCommand } from './command';

const DIALECT_NAMES: Record<SqlDialect, string> = {
  mysql: 'MySQL',
  mariadb: 'MariaDB',
  postgres: 'PostgreSQL',
  sqlite: 'SQLite',
};

export interface SqlScriptOptions {
  tableName?: string;
  schema?: string | undefined;
  dataType?: 'text' | 'json';
  procedures?: boolean;
}

/** What `sql` prints, and what the repository's sql/ files hold: the same code writes both. */
export function sqlScript(dialect: SqlDialect, options: SqlScriptOptions = {}): string {
  const model = offlineSessionModel(dialect, {
    tableName: options.tableName,
    schema: options.schema,
    dataType: options.dataType,
  });
  const flags = [
    `--dialect ${dialect}`,
    options.tableName ? `--table ${options.tableName}` : '',
    options.schema ? `--schema ${options.schema}` : '',
    options.dataType === 'json' ? '--json' : '',
    options.procedures ? '--procedures' : '',
  ].filter(Boolean);
  const header = options.procedures
    ? [
        `-- The stored procedures of sequelize-session-store's stored-procedure mode, for ${DIALECT_NAMES[dialect]}.`,
        "-- Run them after the table exists. They run with their definer's rights: the application's user",
        '-- needs only EXECUTE on each of them.',
      ]
    : [`-- The sessions table of sequelize-session-store, for ${DIALECT_NAMES[dialect]}. Safe to run again.`];
  const statements = options.procedures
    ? sessionProcedures(model).flatMap((procedure) => [procedure.drop, procedure.create])
    : createTableStatements(model);
  return [
    ...header,
    `-- Written by \`sequelize-session-store sql ${flags.join(' ')}\`; regenerate it rather than edit it.`,
    '',
    statements.map((statement) => `${statement};`).join('\n\n'),
  ].join('\n');
}

function isDialect(value: unknown): value is SqlDialect {
  return (SQL_DIALECTS as readonly unknown[]).includes(value);
}

export const sqlCommand: CliCommand = {
  name: 'sql',
  summary: 'print the CREATE TABLE (or the stored procedures) for a DBA to run',
  usage: [
    'Usage: sequelize-session-store sql --dialect <mysql|mariadb|postgres|sqlite> [--table <name>] [--schema <name>] [--json] [--procedures]',
    '',
    'Prints the SQL that creates the sessions table and its index on expires; the store itself then',
    'needs no DDL rights at all.',
    '',
    '  --dialect <name>  mysql, mariadb, postgres or sqlite',
    '  --table <name>    table name (default: Sessions)',
    '  --schema <name>   PostgreSQL schema, or MySQL/MariaDB database, of the table; it must exist',
    '  --json            a JSON data column (JSONB on PostgreSQL), as the dataType: "json" option',
    '  --procedures      print the stored procedures of the storedProcedures option instead (mysql, mariadb)',
  ].join('\n'),
  run(args, output) {
    const flags = parseFlags(args, ['dialect', 'table', 'schema'], ['json', 'procedures']);
    const dialect = flags.dialect;
    if (!isDialect(dialect)) {
      throw new UsageError(
        dialect === undefined ? '--dialect is required' : `unknown dialect ${JSON.stringify(dialect)}`,
      );
    }
    if (flags.procedures && dialect !== 'mysql' && dialect !== 'mariadb') {
      throw new UsageError('--procedures needs --dialect mysql or mariadb');
    }
    if (flags.schema && dialect === 'sqlite') throw new UsageError('--schema is for postgres, mysql and mariadb');
    if (flags.schema && flags.procedures) throw new UsageError('--schema cannot go with --procedures');
    output.out(
      sqlScript(dialect, {
        tableName: typeof flags.table === 'string' ? flags.table : undefined,
        schema: typeof flags.schema === 'string' ? flags.schema : undefined,
        dataType: flags.json ? 'json' : 'text',
        procedures: flags.procedures === true,
      }),
    );
    return Promise.resolve(0);
  },
};
