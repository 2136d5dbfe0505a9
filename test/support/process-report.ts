import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';

// A child process that will not exit says why through Node's diagnostic report: on SIGUSR2 it
// writes its JavaScript stack and its libuv handles (sockets, timers, servers) to a file.

/** A folder for the child's report, and the NODE_OPTIONS that make SIGUSR2 write it there. */
export function reportOnSignal(): { dir: string; env: Record<string, string> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sss-report-'));
  const flags = `--report-on-signal --report-signal=SIGUSR2 --report-compact --report-directory=${dir}`;
  return { dir, env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${flags}`.trim() } };
}

interface Report {
  javascriptStack?: { message?: string; stack?: string[] };
  libuv?: { type: string; is_active?: boolean; is_referenced?: boolean; [detail: string]: unknown }[];
}

/** Asks `child` for its report and sums up what keeps it alive (the report file is removed). */
export async function whatKeepsItAlive(child: ChildProcess, dir: string): Promise<string> {
  try {
    child.kill('SIGUSR2');
    for (let waited = 0; waited < 3000; waited += 100) {
      const file = fs.readdirSync(dir).find((name) => name.endsWith('.json'));
      if (file) {
        const report = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as Report;
        fs.rmSync(path.join(dir, file));
        return summarize(report);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return '(no diagnostic report within 3 s)';
  } catch (error) {
    return `(no diagnostic report: ${(error as Error).message})`;
  }
}

function summarize(report: Report): string {
  const handles = (report.libuv ?? [])
    .filter((handle) => handle.is_active && handle.is_referenced)
    .map(
      ({ type, is_active: _a, is_referenced: _r, address: _addr, ...details }) => `${type} ${JSON.stringify(details)}`,
    );
  const stack = report.javascriptStack?.stack?.slice(0, 8) ?? [];
  return [
    `active handles:\n  ${handles.join('\n  ') || '(none)'}`,
    `stack: ${report.javascriptStack?.message ?? ''}`,
    ...stack,
  ].join('\n');
}
