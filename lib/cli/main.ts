#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { maskPasswords, PREFIX } from '../messages';
import { UsageError, type CliCommand, type CliOutput } from './command';
import { migrateCommand } from './migrate-command';
import { prune } from './prune-command';
import { sqlCommand } from './sql-command';

/** The subcommands, each in a file of its own under lib/cli/. */
const COMMANDS: CliCommand[] = [migrateCommand, prune, sqlCommand];

/** The installed package's own version, read from its package.json. */
function version(): string {
  const manifest = readFileSync(require.resolve('sequelize-session-store/package.json'), 'utf8');
  return (JSON.parse(manifest) as { version: string }).version;
}

function overview(): string {
  const width = Math.max(0, ...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: sequelize-session-store <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `sequelize-session-store <command> --help` for the options of a command,',
    'and `sequelize-session-store --version` for the version.',
  ].join('\n');
}

/** Runs the command line; resolves to the exit code (0 done, 1 failed, 2 bad usage). */
export async function main(argv: string[], printer: CliOutput): Promise<number> {
  // An error may quote the database URL it was given: never with its password.
  const output: CliOutput = { out: (line) => printer.out(line), err: (line) => printer.err(maskPasswords(line)) };
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    output.out(overview());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    output.out(version());
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    output.err(`${PREFIX} unknown command ${JSON.stringify(name)}\n\n${overview()}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    output.out(command.usage);
    return 0;
  }
  try {
    return await command.run(args, output);
  } catch (error) {
    if (error instanceof UsageError) {
      output.err(`sequelize-session-store ${name}: ${error.message}\n\n${command.usage}`);
      return 2;
    }
    output.err(`sequelize-session-store ${name}: ${(error as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  const output: CliOutput = { out: (line) => console.log(line), err: (line) => console.error(line) };
  void main(process.argv.slice(2), output).then((code) => {
    process.exitCode = code;
  });
}
