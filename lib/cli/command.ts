import { hasControlCharacter } from '../sql/names';

/** Where a command writes: stdout for results, stderr for errors. */
export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

/** One subcommand of `sequelize-session-store`. */
export interface CliCommand {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The full `--help` text of the command. */
  usage: string;
  /** Runs the command; resolves to the process exit code. */
  run(args: string[], output: CliOutput): Promise<number>;
}

/** A command line that cannot be understood: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Parses `--name value` and `--name=value` flags; `booleans` take no value. Unknown flags and
 * stray words are usage errors.
 */
export function parseFlags(
  args: string[],
  valued: readonly string[],
  booleans: readonly string[] = [],
): Record<string, string | true> {
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (booleans.includes(name)) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
    } else if (valued.includes(name)) {
      const value = inline ?? args[(i += 1)];
      if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`);
      if (hasControlCharacter(value)) throw new UsageError(`--${name} holds a control character`);
      flags[name] = value;
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return flags;
}
