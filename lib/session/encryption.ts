import * as crypto from 'node:crypto';
import { PREFIX } from '../messages';

/**
 * Encrypts the stored text of a session, e.g. through a KMS. Both methods may be async. `sid` is the
 * row key (the stored sid): bind it as associated data so that a row copied onto another sid no
 * longer decrypts. The output may be any text; the store marks it as encrypted itself.
 */
export interface EncryptionAdapter {
  encrypt(plaintext: string, sid: string): string | Promise<string>;
  /** Throws when the text fails to decrypt or authenticate: the row is then read as no session. */
  decrypt(ciphertext: string, sid: string): string | Promise<string>;
}

const SALT = 'sequelize-session-store/v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
// Node's defaults (16 MiB of memory, ~50 ms): paid once per secret when the store is built.
const SCRYPT_OPTIONS: crypto.ScryptOptions = { N: 16_384, r: 8, p: 1 };
const KEY_ID = /^[0-9a-f]{8}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

interface Key {
  id: string;
  key: Buffer;
}

/**
 * The cipher behind an AEAD algorithm name Node offers (GCM, CCM, OCB, ChaCha20-Poly1305), or
 * undefined for anything else: a cipher without authentication would let a forged row through.
 */
export function aeadCipherInfo(algorithm: string): crypto.CipherInfo | undefined {
  const info = crypto.getCipherInfo(algorithm);
  if (!info || info.ivLength !== IV_BYTES) return undefined;
  const authenticated =
    info.mode === 'gcm' || info.mode === 'ccm' || info.mode === 'ocb' || info.name === 'chacha20-poly1305';
  return authenticated ? info : undefined;
}

function scrypt(secret: string, salt: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    crypto.scrypt(secret, salt, 32, SCRYPT_OPTIONS, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** scrypt stretches a weak secret against offline guessing; HKDF then splits it per algorithm. */
async function deriveKey(secret: string, salt: string, cipher: crypto.CipherInfo): Promise<Key> {
  const master = await scrypt(secret, salt);
  const expand = (info: string, length: number): Buffer =>
    Buffer.from(crypto.hkdfSync('sha256', master, '', `${info} ${cipher.name}`, length));
  return { id: expand('sss1 key id', 4).toString('hex'), key: expand('sss1 data key', cipher.keyLength) };
}

/**
 * The built-in authenticated encryption. Its output is `<key id>.<base64url(iv, ciphertext, tag)>`:
 * the key id picks the secret that decrypts it, so a list of secrets rotates keys without trying
 * each one. Keys are derived once, here; every encryption draws a fresh random IV.
 */
export function createAeadAdapter(
  secrets: readonly string[],
  algorithm: string,
  salt: string = SALT,
): EncryptionAdapter {
  const cipher = aeadCipherInfo(algorithm);
  if (!cipher) throw new TypeError(`${PREFIX} ${algorithm} is not an authenticated cipher`);
  // A fixed full-length tag: left open, GCM would also accept a shortened one, which is easier to forge.
  const options = { authTagLength: TAG_BYTES };
  // Every AEAD cipher has the GCM cipher's API (setAAD, getAuthTag, setAuthTag); its type stands for all.
  const name = algorithm as crypto.CipherGCMTypes;
  const keys = Promise.all(secrets.map((secret) => deriveKey(secret, salt, cipher)));
  keys.catch(() => {}); // awaited by every use, which reports the error

  const aad = (id: string, sid: string): Buffer => Buffer.from(`sss1.${id}.${sid}`, 'utf8');
  // CCM must know the message length before it starts.
  const ccm = cipher.mode === 'ccm';

  return {
    async encrypt(plaintext, sid) {
      const [current] = await keys;
      if (!current) throw new Error('no encryption key');
      const iv = crypto.randomBytes(IV_BYTES);
      const input = Buffer.from(plaintext, 'utf8');
      const encryptor = crypto.createCipheriv(name, current.key, iv, options);
      encryptor.setAAD(aad(current.id, sid), ccm ? { plaintextLength: input.length } : undefined);
      const body = Buffer.concat([encryptor.update(input), encryptor.final()]);
      return `${current.id}.${Buffer.concat([iv, body, encryptor.getAuthTag()]).toString('base64url')}`;
    },

    async decrypt(text, sid) {
      const dot = text.indexOf('.');
      const id = text.slice(0, dot);
      const payload = text.slice(dot + 1);
      if (dot < 0 || !KEY_ID.test(id) || !BASE64URL.test(payload)) throw new Error('malformed ciphertext');
      const found = (await keys).find((key) => key.id === id);
      if (!found)
        // The key id stays out of the message: logs are no place for a value one can test guesses against.
        if (!found) throw new Error('encrypted with a key none of the secrets derives (a wrong or retired secret)');
      const bytes = Buffer.from(payload, 'base64url');
      // The decoder ignores unused trailing bits: only the canonical text counts as unchanged.
      if (bytes.toString('base64url') !== payload) throw new Error('malformed ciphertext');
      if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error('truncated ciphertext');
      const body = bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES);
      const decryptor = crypto.createDecipheriv(name, found.key, bytes.subarray(0, IV_BYTES), options);
      decryptor.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      decryptor.setAAD(aad(id, sid), ccm ? { plaintextLength: body.length } : undefined);
      try {
        return Buffer.concat([decryptor.update(body), decryptor.final()]).toString('utf8');
      } catch {
        throw new Error('ciphertext fails authentication (tampered, truncated, or copied from another session)');
      }
    },
  };
}
