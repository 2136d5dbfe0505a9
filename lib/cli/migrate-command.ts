import { DEFAULT_LEDGER_TABLE, runMigrations, sessionMigrations } from '../migrations';
import { parseFlags, UsageError, type CliCommand } from './command';
import { databaseUrl, openDatabase, requireSqliteFile, schemaFlag, URL_FLAGS, URL_USAGE } from './database';

export const migrateCommand: CliCommand = {
  name: 'migrate',
  summary: 'create or upgrade the sessions table (and install the stored procedures)',
  usage: [
    'Usage: sequelize-session-store migrate [--url-env <name> | --url-stdin | --url <url>] [--table <name>] [--schema <name>]',
    '                                       [--json] [--procedures] [--down] [--create]',
    '',
    'Applies the pending migrations of the sessions table: creates it with its index, and upgrades a',
    'connect-session-sequelize table in place without losing a session. Applied migrations are recorded',
    `in the table ${DEFAULT_LEDGER_TABLE}, so running it again does nothing.`,
    '',
    URL_USAGE,
    '  --table <name>    table name (default: Sessions)',
    '  --schema <name>   PostgreSQL schema, or MySQL/MariaDB database, of the table; it must exist',
    '  --json            a JSON data column (JSONB on PostgreSQL) for a new table, as dataType: "json"',
    '  --procedures      also install the stored procedures of the storedProcedures option (MySQL/MariaDB)',
    '  --down            revert the last migration applied instead; reverting the first drops the table',
    `  --ledger <name>   the ledger table (default: ${DEFAULT_LEDGER_TABLE})`,
    '  --create          SQLite: create the database file if it does not exist (without it, a missing',
    '                    file is an error, so that a typo in the path does not make a new database)',
  ].join('\n'),
  async run(args, output) {
    const flags = parseFlags(
      args,
      [...URL_FLAGS.valued, 'table', 'schema', 'ledger'],
      [...URL_FLAGS.booleans, 'json', 'procedures', 'down', 'create'],
    );
    const db = openDatabase(await databaseUrl(flags));
    try {
      if (flags.create !== true) requireSqliteFile(db, ' (add --create to create it)');
      if (flags.schema && flags.procedures) throw new UsageError('--schema cannot go with --procedures');
      const migrations = sessionMigrations({
        tableName: typeof flags.table === 'string' ? flags.table : undefined,
        schema: schemaFlag(flags.schema, db),
        dataType: flags.json ? 'json' : 'text',
        procedures: flags.procedures === true,
      });
      const down = flags.down === true;
      const ledgerTable = typeof flags.ledger === 'string' ? flags.ledger : undefined;
      const done = await runMigrations(db, migrations, { down, ledgerTable });
      if (done.length === 0) output.out(down ? 'nothing to revert' : 'nothing to apply: the table is up to date');
      for (const name of done) output.out(`${down ? 'reverted' : 'applied'} ${name}`);
      return 0;
    } finally {
      await db.close();
    }
  },
};
