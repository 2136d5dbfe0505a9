import { execFile, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { promisify } from 'node:util';

// The OS side of the fault tests' servers: which user runs them, and signals to their processes.

export const run = promisify(execFile);
export const AS_ROOT = os.userInfo().uid === 0;

export function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone already
    }
  }
}

/** The children of a process, from /proc (PostgreSQL runs one process per connection). */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return children;
}

/** An OS user the server packages create (mysql, postgres). */
export function osUser(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`no ${name} OS user: is the database server package installed?`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

const HAS_SETPRIV = spawnSync('setpriv', ['--version']).status === 0;

/**
 * The command line that runs `command` as `user` when we are root (database servers refuse root,
 * or misbehave as root), and that kills it should the test process die without its cleanup.
 */
export function asServer(user: string, command: string, args: string[]): [string, string[]] {
  if (!HAS_SETPRIV) return AS_ROOT ? ['runuser', ['-u', user, '--', command, ...args]] : [command, args];
  const switchUser = AS_ROOT ? ['--reuid', user, '--regid', user, '--init-groups'] : [];
  return ['setpriv', [...switchUser, '--pdeathsig', 'KILL', '--', command, ...args]];
}

/** A one-off command (installing a data folder) as the server's OS user. */
export async function runAs(user: string, command: string, args: string[], what: string): Promise<void> {
  const [file, argv] = AS_ROOT ? ['runuser', ['-u', user, '--', command, ...args]] : [command, args];
  try {
    await run(file, argv);
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${what} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}
