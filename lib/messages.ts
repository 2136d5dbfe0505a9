import * as crypto from 'node:crypto';

/** What every message of the store starts with, so that a log line says where it comes from. */
export const PREFIX = 'sequelize-session-store:';

/**
 * How a message names a session: a session id is a bearer credential, and messages end up in
 * logs, so they carry a short hash of it instead. Enough to match log lines with each other, or
 * with a sid one already holds; too short and one-way to give the sid back.
 */
export function sidTag(sid: string): string {
  return `sid#${crypto.createHash('sha256').update(sid, 'utf8').digest('hex').slice(0, 8)}`;
}

/**
 * A text with the password of every database URL in it masked (`mysql://app:***@host/db`), for
 * what is printed or logged: a usage error or a driver's message may quote the URL it was given.
 */
export function maskPasswords(text: string): string {
  return text.replace(/([^\s:/@'"`]+):[^\s/]*@/g, '$1:***@');
}

/** The line a logger gets for an error: prefixed once, passwords masked. */
export function logLine(error: Error): string {
  return maskPasswords(error.message.startsWith(PREFIX) ? error.message : `${PREFIX} ${error.message}`);
}

/**
 * Reports an error no caller is waiting for: as `'error'` when the emitter has a listener (with
 * none, Node would throw it and take the app down), else as a line to the logger, if any.
 */
export function reportError(
  emitter: { listenerCount(event: string): number; emit(event: string, error: Error): boolean },
  logger: { warn(message: string): void } | false,
  error: unknown,
): void {
  const err = error instanceof Error ? error : new Error(String(error));
  if (emitter.listenerCount('error') > 0) emitter.emit('error', err);
  else if (logger) logger.warn(logLine(err));
}
