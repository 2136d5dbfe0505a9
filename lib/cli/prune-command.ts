import { defineSessionModel } from '../../models/session';
import { MAX_PRUNE_BATCH } from '../options/resolve';
import { createRunner } from '../driver/create-runner';
import { Sweeper } from '../cleanup/sweeper';
import { parseFlags, UsageError, type CliCommand } from './command';
import { databaseUrl, openDatabase, requireSqliteFile, schemaFlag, URL_FLAGS, URL_USAGE } from './database';

const usage = `Usage: sequelize-session-store prune [--url-env <name> | --url-stdin | --url <url>] [--table <name>]
                                    [--schema <name>] [--batch <rows>]

Deletes the expired sessions now, in batches, and prints one line: how many, from which table,
in how long. For a cron job, with the stores' own timer off (checkExpirationInterval: 0), and the
URL in DATABASE_URL (e.g. DATABASE_URL=... in the crontab, or an EnvironmentFile= of a systemd timer).

Options:
${URL_USAGE}
  --table <name>    the sessions table (default: Sessions)
  --schema <name>   PostgreSQL schema, or MySQL/MariaDB database, of the table
  --batch <rows>    most rows one DELETE removes (default: 1000)
  --help            this text

Exit code: 0 done (even with nothing to delete), 1 failed (database unreachable, no such table),
2 bad usage.`;

function batchOf(value: string | true | undefined): number {
  if (value === undefined) return 1000;
  const rows = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(rows >= 1 && rows <= MAX_PRUNE_BATCH)) {
    throw new UsageError(
      `--batch must be a whole number of rows from 1 to ${MAX_PRUNE_BATCH}, received ${JSON.stringify(value)}`,
    );
  }
  return rows;
}

export const prune: CliCommand = {
  name: 'prune',
  summary: 'delete the expired sessions now, in batches (for cron)',
  usage,
  async run(args, output) {
    const flags = parseFlags(args, [...URL_FLAGS.valued, 'table', 'schema', 'batch'], URL_FLAGS.booleans);
    const batch = batchOf(flags.batch);
    const tableName = typeof flags.table === 'string' ? flags.table : 'Sessions';
    const db = openDatabase(await databaseUrl(flags));
    try {
      if (db.getDialect() === 'sqlite') {
        requireSqliteFile(db);
        // An app may be writing the same file: wait for its lock rather than fail at once.
        await db.query('PRAGMA busy_timeout = 5000');
      }
      const started = process.hrtime.bigint();
      const runner = createRunner(db);
      const schema = schemaFlag(flags.schema, db);
      const model = defineSessionModel(db, { tableName, schema });
      const deleted = await new Sweeper(model, {
        batch,
        run: (statement, params) => runner.run(statement, params),
      }).sweep();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const sessions = `${deleted} expired session${deleted === 1 ? '' : 's'}`;
      output.out(`pruned ${sessions} from ${schema ? `${schema}.` : ''}${tableName} in ${seconds.toFixed(2)} s`);
      return 0;
    } finally {
      await db.close();
    }
  },
};
