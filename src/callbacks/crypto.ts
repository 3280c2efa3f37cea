import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { CallbackError, ConfigError, malformedCallback } from '../base/errors.js';
import { t } from '../base/i18n.js';

/**
 * WeCom's callback cryptography (加解密方案说明, document 91144), with the checks the common libraries skip:
 * the signature is compared in constant time, the ReceiveId must equal ours, and padding must be 1..32.
 *
 * - AESKey = base64(EncodingAESKey + '='), 32 bytes; AES-256-CBC; IV = the first 16 bytes of the key.
 * - PKCS#7 padding to a multiple of 32 bytes (not AES's 16).
 * - Plaintext = random(16) | msg_len (4 bytes, big-endian) | msg | ReceiveId.
 * - msg_signature = sha1(sort([token, timestamp, nonce, Encrypt]).join('')), lower-case hex.
 */
export interface WecomCrypto {
  /** The msg_signature WeCom would send for these values. */
  sign(timestamp: string, nonce: string, encrypted: string): string;
  /** Throws CallbackError `callback.bad_signature` unless `signature` matches, compared in constant time. */
  verify(signature: string, timestamp: string, nonce: string, encrypted: string): void;
  /** The message inside `encrypted` (base64). Throws CallbackError (malformed, bad padding, wrong ReceiveId). */
  decrypt(encrypted: string): string;
  /**
   * The message and the ReceiveId it was encrypted for, unchecked: for a URL that serves several ids (a
   * provider's 代开发 apps), whose caller must check the id itself. Throws CallbackError (malformed, padding).
   */
  open(encrypted: string): { message: string; receiveId: string };
  /** `message` encrypted for `receiveId` (ours by default), base64. The sandbox plays WeCom with it. */
  encrypt(message: string, options?: { random?: Buffer; receiveId?: string }): string;
}

export interface WecomCryptoOptions {
  /** The callback Token from WeCom's admin console. */
  token: string;
  /** The 43-character EncodingAESKey from WeCom's admin console. */
  encodingAesKey: string;
  /** The corp id for a self-built app (the suite id for third-party apps). */
  receiveId: string;
  /**
   * The variables to name in refusals, when they are not the self-built app's (WECOM_CALLBACK_TOKEN,
   * WECOM_CALLBACK_AES_KEY, WECOM_CORP_ID): a provider's /wecom/suite names its own.
   */
  names?: { token: string; aesKey: string; receiveId: string };
}

/** PKCS#7 to WeCom's 32-byte blocks. */
const BLOCK = 32;
const RANDOM_BYTES = 16;
const LENGTH_BYTES = 4;

/** What `encodingAesKey` must look like: 43 base64 characters (a 32-byte key without its final `=`). */
export const ENCODING_AES_KEY = /^[A-Za-z0-9+/]{43}$/;

export function createWecomCrypto(options: WecomCryptoOptions): WecomCrypto {
  const { token, receiveId, names } = options;
  if (!ENCODING_AES_KEY.test(options.encodingAesKey)) {
    throw new ConfigError(
      t(
        'WECOM_CALLBACK_AES_KEY must be the 43-character EncodingAESKey from WeCom’s admin console.',
        'WECOM_CALLBACK_AES_KEY 须为企业微信管理后台中 43 位的 EncodingAESKey。',
      ),
    );
  }
  const key = Buffer.from(`${options.encodingAesKey}=`, 'base64');
  const iv = key.subarray(0, 16);

  function sign(timestamp: string, nonce: string, encrypted: string): string {
    return createHash('sha1').update([token, timestamp, nonce, encrypted].sort().join('')).digest('hex');
  }

  /** Decrypts and unpads; the message and the ReceiveId bytes after it, not yet compared with anything. */
  function unwrap(encrypted: string): { message: Buffer; from: Buffer } {
    const cipherText = Buffer.from(encrypted, 'base64');
    // Buffer.from ignores what is not base64; re-encoding tells a real payload from garbage.
    if (
      cipherText.length === 0 ||
      cipherText.length % BLOCK !== 0 ||
      cipherText.toString('base64') !== encrypted
    ) {
      throw malformedCallback('the encrypted text is not base64 of whole 32-byte blocks');
    }
    const decipher = createDecipheriv('aes-256-cbc', key, iv);
    // WeCom pads to 32 bytes, which OpenSSL's PKCS#7 (16-byte blocks) would refuse: unpad by hand.
    decipher.setAutoPadding(false);
    const padded = Buffer.concat([decipher.update(cipherText), decipher.final()]);
    const pad = padded[padded.length - 1] ?? 0;
    if (pad < 1 || pad > BLOCK || !padded.subarray(padded.length - pad).every((b) => b === pad)) {
      throw new CallbackError(
        'callback.bad_padding',
        names
          ? t(
              `The callback did not decrypt to valid padding: ${names.aesKey} is probably not the EncodingAESKey WeCom uses for this URL.`,
              `回调解密后填充无效：${names.aesKey} 可能与企业微信为此 URL 配置的 EncodingAESKey 不一致。`,
            )
          : t(
              'The callback did not decrypt to valid padding: WECOM_CALLBACK_AES_KEY is probably not the EncodingAESKey WeCom uses.',
              '回调解密后填充无效：WECOM_CALLBACK_AES_KEY 可能与企业微信使用的 EncodingAESKey 不一致。',
            ),
      );
    }
    const plain = padded.subarray(0, padded.length - pad);
    if (plain.length < RANDOM_BYTES + LENGTH_BYTES) throw malformedCallback('the plaintext is too short');
    const length = plain.readUInt32BE(RANDOM_BYTES);
    const start = RANDOM_BYTES + LENGTH_BYTES;
    if (start + length > plain.length) throw malformedCallback('msg_len runs past the plaintext');
    const message = plain.subarray(start, start + length);
    const from = plain.subarray(start + length);
    return { message, from };
  }

  return {
    sign,

    verify(signature, timestamp, nonce, encrypted) {
      const expected = Buffer.from(sign(timestamp, nonce, encrypted), 'utf8');
      const given = Buffer.from(signature.toLowerCase(), 'utf8');
      // timingSafeEqual needs equal lengths; a length mismatch reveals nothing about the expected value.
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new CallbackError(
          'callback.bad_signature',
          names
            ? t(
                `The callback signature does not match: check ${names.token} against the Token WeCom uses for this URL.`,
                `回调签名不匹配：请核对 ${names.token} 与企业微信为此 URL 配置的 Token。`,
              )
            : t(
                'The callback signature does not match: check WECOM_CALLBACK_TOKEN against the Token in WeCom’s admin console.',
                '回调签名不匹配：请核对 WECOM_CALLBACK_TOKEN 与企业微信管理后台中的 Token。',
              ),
        );
      }
    },

    decrypt(encrypted) {
      const { message, from } = unwrap(encrypted);
      const ours = Buffer.from(receiveId, 'utf8');
      if (from.length !== ours.length || !timingSafeEqual(from, ours)) {
        throw new CallbackError(
          'callback.wrong_receive_id',
          names
            ? t(
                `The callback was encrypted for another ReceiveId: it must be ${names.receiveId}. WeCom calls this -40005.`,
                `回调的 ReceiveId 不符：应为 ${names.receiveId}。企业微信称之为 -40005。`,
              )
            : t(
                'The callback was encrypted for another ReceiveId: it must be this corp’s id (WECOM_CORP_ID). WeCom calls this -40005.',
                '回调的 ReceiveId 与本企业不符：应为本企业 ID（WECOM_CORP_ID）。企业微信称之为 -40005。',
              ),
        );
      }
      return message.toString('utf8');
    },

    open(encrypted) {
      const { message, from } = unwrap(encrypted);
      return { message: message.toString('utf8'), receiveId: from.toString('utf8') };
    },

    encrypt(message, encryptOptions = {}) {
      const random = encryptOptions.random ?? randomBytes(RANDOM_BYTES);
      if (random.length !== RANDOM_BYTES) throw new RangeError('random must be 16 bytes');
      const body = Buffer.from(message, 'utf8');
      const length = Buffer.alloc(LENGTH_BYTES);
      length.writeUInt32BE(body.length);
      const plain = Buffer.concat([
        random,
        length,
        body,
        Buffer.from(encryptOptions.receiveId ?? receiveId, 'utf8'),
      ]);
      const pad = BLOCK - (plain.length % BLOCK);
      const cipher = createCipheriv('aes-256-cbc', key, iv);
      cipher.setAutoPadding(false);
      return Buffer.concat([
        cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])),
        cipher.final(),
      ]).toString('base64');
    },
  };
}

/**
 * A 代开发 app's event (or URL check) encrypted for a corp that has not installed the app, or no longer
 * authorizes it: the ReceiveId is none of the corps this URL serves.
 */
export function corpNotServed(): CallbackError {
  return new CallbackError(
    'callback.wrong_receive_id',
    t(
      'The callback was encrypted for a corp that has not installed this 代开发 app (or no longer authorizes it): its ReceiveId must be an installed corp’s id. WeCom calls this -40005.',
      '回调的 ReceiveId 不是已安装本代开发应用的企业（或该企业已取消授权）：应为已安装企业的 ID。企业微信称之为 -40005。',
    ),
  );
}
