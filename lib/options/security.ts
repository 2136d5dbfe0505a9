import type { Serializer } from '../session/codec';
import { aeadCipherInfo, type EncryptionAdapter } from '../session/encryption';
import { PREFIX } from '../messages';
import { fail, flag, hasMethods, nonEmptyString, numeric } from './checks';

/** The whole input, for the options whose check depends on another option. */
type Options = Record<string, unknown>;

/* The options of encryption at rest, hashed session ids and size limits. */

export function secrets(value: unknown): readonly string[] | undefined {
  const list = typeof value === 'string' ? [value] : value;
  if (
    list !== undefined &&
    (!Array.isArray(list) || list.length === 0 || !list.every((s) => typeof s === 'string' && s !== ''))
  ) {
    fail('secret', 'a non-empty string or a non-empty array of them', value);
  }
  return list as readonly string[] | undefined;
}

export function algorithm(value: unknown, options: Options): string {
  if (value === undefined) return 'aes-256-gcm';
  if (options.secret === undefined) fail('algorithm', 'used with `secret`', value);
  if (typeof value !== 'string' || !aeadCipherInfo(value)) {
    const expected = "an authenticated (AEAD) cipher Node offers, such as 'aes-256-gcm' or 'chacha20-poly1305'";
    fail('algorithm', expected, value);
  }
  return value;
}

export function encryption(value: unknown, options: Options): EncryptionAdapter | undefined {
  if (value === undefined) return undefined;
  if (!hasMethods(value, ['encrypt', 'decrypt']))
    fail('encryption', 'an object with encrypt and decrypt methods', value);
  if (options.secret !== undefined) fail('encryption', 'used without `secret` (choose one)', value);
  return value as EncryptionAdapter;
}

export function serializer(value: unknown): Serializer | undefined {
  if (value !== undefined && !hasMethods(value, ['stringify', 'parse'])) {
    fail('serializer', 'an object with stringify and parse methods', value);
  }
  return value as Serializer | undefined;
}

function withCipher(name: string, value: unknown, options: Options): boolean {
  const on = flag(name, value);
  if (on && options.secret === undefined && options.encryption === undefined) {
    fail(name, 'used with `secret` or `encryption`', value);
  }
  return on;
}

/** Whether a row that is not encrypted may be read: an explicit choice, for a migration window only. */
export function allowPlaintext(value: unknown, options: Options): boolean {
  const on = withCipher('allowPlaintext', value, options);
  if (on && options.disablePlaintext === true) fail('allowPlaintext', 'left out with `disablePlaintext: true`', value);
  return on;
}

/**
 * The old spelling, still accepted. Refusing plaintext is now the default, so `true` changes
 * nothing and `false` does not reopen the downgrade: only `allowPlaintext` does.
 */
export function disablePlaintext(value: unknown, options: Options): boolean {
  withCipher('disablePlaintext', value, options);
  return options.allowPlaintext !== true;
}

export function sidSecret(value: unknown): string | undefined {
  if (value !== undefined && (typeof value !== 'string' || value === ''))
    fail('sidSecret', 'a non-empty string', value);
  return value;
}

export function maxSize(input: unknown): number {
  const value = numeric(input);
  if (value === undefined) return Infinity;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    fail('maxSize', 'a positive whole number of bytes', value);
  }
  return value;
}

export function secretSalt(value: unknown, options: Options): string | undefined {
  if (value === undefined) return undefined;
  if (options.secret === undefined) fail('secretSalt', 'used with `secret`', value);
  return nonEmptyString('secretSalt', value, '');
}

/** A `secret` shorter than this is warned about: scrypt slows guessing, it cannot make a short passphrase safe. */
const MIN_SECRET_LENGTH = 32;

/** The warning a store logs at start when a secret is short, or undefined. */
export function weakSecretWarning(secrets: readonly string[] | undefined): string | undefined {
  if (!secrets?.some((secret) => secret.length < MIN_SECRET_LENGTH)) return undefined;
  return (
    `${PREFIX} a \`secret\` is shorter than ${MIN_SECRET_LENGTH} characters: whoever gets a dump of the ` +
    'table can guess it offline; use a long random string (openssl rand -base64 32)'
  );
}
