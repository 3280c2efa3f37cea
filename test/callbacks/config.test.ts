import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/base/errors.js';
import { loadConfig } from '../../src/config.js';

const KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';

describe('callback configuration', () => {
  it('GIVEN a Token and a 43-character EncodingAESKey THEN both are read', () => {
    const config = loadConfig({ WECOM_CALLBACK_TOKEN: 'QDG6eK', WECOM_CALLBACK_AES_KEY: KEY });
    expect(config.WECOM_CALLBACK_TOKEN).toBe('QDG6eK');
    expect(config.WECOM_CALLBACK_AES_KEY).toBe(KEY);
  });

  it('GIVEN neither THEN callbacks are off (empty values count as unset)', () => {
    const config = loadConfig({ WECOM_CALLBACK_TOKEN: '', WECOM_CALLBACK_AES_KEY: ' ' });
    expect(config.WECOM_CALLBACK_TOKEN).toBeUndefined();
    expect(config.WECOM_CALLBACK_AES_KEY).toBeUndefined();
  });

  it.each([
    [{ WECOM_CALLBACK_TOKEN: 'QDG6eK' }, /WECOM_CALLBACK_AES_KEY is required/],
    [{ WECOM_CALLBACK_AES_KEY: KEY }, /WECOM_CALLBACK_TOKEN is required/],
    [
      { WECOM_CALLBACK_TOKEN: 'QDG6eK', WECOM_CALLBACK_AES_KEY: `${KEY}=` },
      /WECOM_CALLBACK_AES_KEY must be the 43-character/,
    ],
    [
      { WECOM_CALLBACK_TOKEN: 'has space', WECOM_CALLBACK_AES_KEY: KEY },
      /WECOM_CALLBACK_TOKEN must be the Token/,
    ],
  ])('GIVEN %j THEN a ConfigError naming the variable, never its value', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
    try {
      loadConfig(env);
    } catch (error) {
      expect((error as Error).message).not.toContain(KEY);
    }
  });
});
