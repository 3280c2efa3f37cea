import { createCipheriv } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CallbackError, ConfigError } from '../../src/base/errors.js';
import { createWecomCrypto } from '../../src/callbacks/crypto.js';

/**
 * WeCom's official sample (sbzhu/weworkapi_python callback/Sample.py, the WXBizMsgCrypt demo Tencent
 * publishes with document 91144): token, key, corp id, a URL-verification GET and an encrypted POST body.
 */
const official = {
  token: 'hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo',
  encodingAesKey: '6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt',
  receiveId: 'ww1436e0e65a779aee',
};
const verifyUrl = {
  signature: '012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb',
  timestamp: '1476416373',
  nonce: '47744683',
  echostr: 'fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA==',
};
const post = {
  signature: '0c3914025cb4b4d68103f6bfc8db550f79dcf48e',
  timestamp: '1476422779',
  nonce: '1597212914',
  encrypt:
    'Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGzBhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3JWcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQHE7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYuPDGOCI8jmnKiypE+',
};

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof CallbackError ? error.code : `not a CallbackError: ${String(error)}`;
  }
  return undefined;
}

describe('WeCom callback crypto', () => {
  const crypto = createWecomCrypto(official);

  it('GIVEN WeCom’s official URL-verification sample THEN the signature verifies and echostr decrypts', () => {
    expect(crypto.sign(verifyUrl.timestamp, verifyUrl.nonce, verifyUrl.echostr)).toBe(verifyUrl.signature);
    expect(() =>
      crypto.verify(verifyUrl.signature, verifyUrl.timestamp, verifyUrl.nonce, verifyUrl.echostr),
    ).not.toThrow();
    expect(crypto.decrypt(verifyUrl.echostr)).toBe('1288432023552776189');
  });

  it('GIVEN WeCom’s official POST sample THEN it verifies and decrypts to the documented XML', () => {
    expect(() => crypto.verify(post.signature, post.timestamp, post.nonce, post.encrypt)).not.toThrow();
    expect(crypto.decrypt(post.encrypt)).toBe(
      '<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName><CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content><MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>',
    );
  });

  it('GIVEN a fixed random THEN encrypt is deterministic and round-trips (Chinese included)', () => {
    const random = Buffer.from('aaaabbbbccccdddd');
    const a = crypto.encrypt('<xml>李雷 added 张三</xml>', { random });
    expect(crypto.encrypt('<xml>李雷 added 张三</xml>', { random })).toBe(a);
    expect(Buffer.from(a, 'base64').length % 32).toBe(0);
    expect(crypto.decrypt(a)).toBe('<xml>李雷 added 张三</xml>');
  });

  it('GIVEN a plaintext whose length is a multiple of 32 THEN a full block of 32 padding bytes is added', () => {
    // 16 random + 4 length + 12 message = 32 bytes before the ReceiveId (18): 50 → padded to 64.
    const message = 'x'.repeat(32 - 20 + 32 - official.receiveId.length);
    const encrypted = crypto.encrypt(message);
    expect(Buffer.from(encrypted, 'base64').length).toBe(96);
    expect(crypto.decrypt(encrypted)).toBe(message);
  });

  it('GIVEN a forged or wrong-case signature THEN bad_signature; upper-case hex is accepted', () => {
    expect(codeOf(() => crypto.verify('0'.repeat(40), post.timestamp, post.nonce, post.encrypt))).toBe(
      'callback.bad_signature',
    );
    expect(codeOf(() => crypto.verify('short', post.timestamp, post.nonce, post.encrypt))).toBe(
      'callback.bad_signature',
    );
    expect(codeOf(() => crypto.verify(post.signature, post.timestamp, 'other', post.encrypt))).toBe(
      'callback.bad_signature',
    );
    expect(() =>
      crypto.verify(post.signature.toUpperCase(), post.timestamp, post.nonce, post.encrypt),
    ).not.toThrow();
  });

  it('GIVEN a message encrypted for another corp THEN wrong_receive_id (WeCom’s -40005), not the message', () => {
    const other = crypto.encrypt('<xml/>', { receiveId: 'ww_someone_else' });
    expect(codeOf(() => crypto.decrypt(other))).toBe('callback.wrong_receive_id');
    const empty = crypto.encrypt('<xml/>', { receiveId: '' });
    expect(codeOf(() => crypto.decrypt(empty))).toBe('callback.wrong_receive_id');
  });

  it('GIVEN a URL serving several corps (代开发) THEN open answers the message and the ReceiveId it was encrypted for, unchecked; padding is still checked', () => {
    const forCorp = crypto.encrypt('<xml>hi</xml>', { receiveId: 'wpCorpAsTheAppSeesIt' });
    expect(crypto.open(forCorp)).toEqual({ message: '<xml>hi</xml>', receiveId: 'wpCorpAsTheAppSeesIt' });
    const other = createWecomCrypto({ ...official, encodingAesKey: 'A'.repeat(43) }).encrypt('<xml/>');
    expect(codeOf(() => crypto.open(other))).toMatch(/^callback\.(bad_padding|malformed)$/);
  });

  it('GIVEN padding bytes outside 1..32 or inconsistent THEN bad_padding', () => {
    const key = Buffer.from(`${official.encodingAesKey}=`, 'base64');
    const raw = (plain: Buffer) => {
      const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
      cipher.setAutoPadding(false);
      return Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
    };
    const body = Buffer.alloc(64, 1);
    body[63] = 0;
    expect(codeOf(() => crypto.decrypt(raw(body)))).toBe('callback.bad_padding');
    body[63] = 33;
    expect(codeOf(() => crypto.decrypt(raw(body)))).toBe('callback.bad_padding');
    body.fill(7, 60);
    body[62] = 9; // claims 7 bytes of padding, but not all 7 are 7
    expect(codeOf(() => crypto.decrypt(raw(body)))).toBe('callback.bad_padding');
  });

  it('GIVEN the wrong EncodingAESKey THEN the refusal is bad_padding or malformed, never a message', () => {
    const wrongKey = createWecomCrypto({ ...official, encodingAesKey: 'a'.repeat(43) });
    expect(['callback.bad_padding', 'callback.malformed']).toContain(
      codeOf(() => wrongKey.decrypt(post.encrypt)),
    );
  });

  it('GIVEN text that is not base64 of whole blocks, or a length past the end THEN malformed', () => {
    expect(codeOf(() => crypto.decrypt('not base64!'))).toBe('callback.malformed');
    expect(codeOf(() => crypto.decrypt(''))).toBe('callback.malformed');
    expect(codeOf(() => crypto.decrypt(Buffer.alloc(16).toString('base64')))).toBe('callback.malformed');
    const key = Buffer.from(`${official.encodingAesKey}=`, 'base64');
    const plain = Buffer.alloc(64, 4);
    plain.writeUInt32BE(1000, 16);
    const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
    cipher.setAutoPadding(false);
    const encrypted = Buffer.concat([cipher.update(plain), cipher.final()]).toString('base64');
    expect(codeOf(() => crypto.decrypt(encrypted))).toBe('callback.malformed');
  });

  it('GIVEN an EncodingAESKey that is not 43 base64 characters THEN a ConfigError naming the variable', () => {
    expect(() => createWecomCrypto({ ...official, encodingAesKey: 'short' })).toThrow(ConfigError);
    expect(() => createWecomCrypto({ ...official, encodingAesKey: `${'a'.repeat(42)}=` })).toThrow(
      /WECOM_CALLBACK_AES_KEY/,
    );
  });
});
