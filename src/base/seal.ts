import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { t } from './i18n.js';

/**
 * Secrets kept in the shared store (a tenant's permanent code, the suite_ticket) sealed with AES-256-GCM under
 * STORE_ENCRYPTION_KEY, so a copy of the database or a Redis dump does not hand out the corp's credentials.
 * Without a key the value is kept as given (`{ plain }`), and a sealed value read without the key is refused,
 * never guessed at.
 */
export const sealedSchema = z.union([
  z.object({ plain: z.string() }).strict(),
  z
    .object({
      alg: z.literal('aes-256-gcm'),
      /** Which key sealed it (a fingerprint), so a rotated key fails with a clear message. */
      kid: z.string(),
      iv: z.string(),
      tag: z.string(),
      data: z.string(),
    })
    .strict(),
]);
export type Sealed = z.infer<typeof sealedSchema>;

export interface Sealer {
  seal(value: string): Sealed;
  /** Throws ConfigError when the value was sealed under another key, or there is no key to open it. */
  open(sealed: Sealed): string;
}

/** 32 bytes from 64 hex digits or base64 (with or without its `=`); undefined for anything else. */
export function parseEncryptionKey(text: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(text)) {
    const key = Buffer.from(text.endsWith('=') ? text : `${text}=`, 'base64');
    return key.length === 32 ? key : undefined;
  }
  return undefined;
}

function unreadable(en: string, zh: string): ConfigError {
  return new ConfigError(t(en, zh));
}

export function createSealer(keyText: string | undefined): Sealer {
  const key = keyText === undefined ? undefined : parseEncryptionKey(keyText);
  if (keyText !== undefined && !key)
    throw unreadable('STORE_ENCRYPTION_KEY must be 32 bytes.', 'STORE_ENCRYPTION_KEY 须为 32 字节。');
  const kid = key ? createHash('sha256').update(key).digest('hex').slice(0, 8) : '';
  return {
    seal(value) {
      if (!key) return { plain: value };
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
      return {
        alg: 'aes-256-gcm',
        kid,
        iv: iv.toString('base64'),
        tag: cipher.getAuthTag().toString('base64'),
        data: data.toString('base64'),
      };
    },
    open(sealed) {
      if ('plain' in sealed) return sealed.plain;
      if (!key || sealed.kid !== kid)
        throw unreadable(
          'A stored secret was sealed with another STORE_ENCRYPTION_KEY: set the key it was written with.',
          '存储中的密钥由另一个 STORE_ENCRYPTION_KEY 加密：请设置写入时使用的密钥。',
        );
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64'));
        decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
        return Buffer.concat([
          decipher.update(Buffer.from(sealed.data, 'base64')),
          decipher.final(),
        ]).toString('utf8');
      } catch (error) {
        throw new ConfigError(
          t(
            'A stored secret does not open with STORE_ENCRYPTION_KEY (altered, or sealed with another key).',
            '存储中的密钥无法用 STORE_ENCRYPTION_KEY 解开（已被改动，或由另一密钥加密）。',
          ),
          { cause: error },
        );
      }
    },
  };
}
