import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/base/errors.js';
import { loadConfig } from '../../src/config.js';

/** WECOM_MODE and the provider settings: a wrong combination stops the bot with one line naming the variable. */
const SUITE = {
  WECOM_SUITE_ID: 'wwsuite0123456789',
  WECOM_SUITE_SECRET: 'suite-secret-value',
  WECOM_SUITE_TOKEN: 'SuiteTok3n',
  WECOM_SUITE_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  WECOM_PROVIDER_CORP_ID: 'wwprovider0123456',
  PUBLIC_URL: 'https://contactway.example.com',
};

function refusal(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message.split('\n')).toHaveLength(1);
    return message;
  }
  throw new Error('expected a ConfigError');
}

describe('WECOM_MODE', () => {
  it('GIVEN nothing THEN self-built, as today; GIVEN a mode that does not exist THEN refused, named', () => {
    expect(loadConfig({}).WECOM_MODE).toBe('self-built');
    expect(loadConfig({ WECOM_MODE: '' }).WECOM_MODE).toBe('self-built');
    expect(refusal({ WECOM_MODE: 'provider' })).toMatch(/^Invalid configuration: WECOM_MODE /);
  });

  it('GIVEN WECOM_AUTH_TYPE THEN 0 or 1 with a provider mode; anything else, or with self-built, refused and named', () => {
    expect(loadConfig({ WECOM_MODE: 'third-party', ...SUITE, WECOM_AUTH_TYPE: '1' }).WECOM_AUTH_TYPE).toBe(
      '1',
    );
    expect(refusal({ WECOM_MODE: 'third-party', ...SUITE, WECOM_AUTH_TYPE: '2' })).toMatch(
      /WECOM_AUTH_TYPE must be one of 0, 1/,
    );
    expect(refusal({ WECOM_AUTH_TYPE: '1' })).toMatch(/WECOM_AUTH_TYPE is used only with WECOM_MODE=/);
  });

  it('GIVEN a provider mode with all its settings THEN accepted, not the sandbox; with none THEN the sandbox', () => {
    for (const mode of ['third-party', 'customized']) {
      const config = loadConfig({ WECOM_MODE: mode, ...SUITE });
      expect(config.WECOM_MODE).toBe(mode);
      expect(config.sandbox).toBe(false);
      expect(loadConfig({ WECOM_MODE: mode }).sandbox).toBe(true);
    }
  });

  it('GIVEN a provider mode with only some suite settings THEN each missing one is named', () => {
    const message = refusal({ WECOM_MODE: 'third-party', WECOM_SUITE_ID: SUITE.WECOM_SUITE_ID });
    for (const name of [
      'WECOM_SUITE_SECRET',
      'WECOM_SUITE_TOKEN',
      'WECOM_SUITE_AES_KEY',
      'WECOM_PROVIDER_CORP_ID',
      'PUBLIC_URL',
    ])
      expect(message).toContain(`${name} is required with WECOM_MODE=third-party`);
    expect(message).not.toContain('suite-secret-value');
  });

  it('GIVEN a provider mode with WECOM_CORP_ID THEN refused, naming it', () => {
    const message = refusal({
      WECOM_MODE: 'customized',
      ...SUITE,
      WECOM_CORP_ID: 'ww1',
      WECOM_CORP_SECRET: 's',
    });
    expect(message).toContain('WECOM_CORP_ID is used only with WECOM_MODE=self-built');
    expect(message).toContain('WECOM_CORP_SECRET is used only with WECOM_MODE=self-built');
  });

  it('GIVEN self-built with a suite setting THEN refused, naming it and WECOM_MODE', () => {
    expect(refusal({ WECOM_SUITE_ID: 'wwsuite' })).toContain(
      'WECOM_SUITE_ID is used only with WECOM_MODE=third-party or WECOM_MODE=customized',
    );
    expect(refusal({ WECOM_PROVIDER_SECRET: 'p' })).toContain('WECOM_PROVIDER_SECRET is used only with');
  });

  it('GIVEN bad values THEN each is named, never echoed', () => {
    const message = refusal({
      WECOM_MODE: 'third-party',
      ...SUITE,
      WECOM_SUITE_AES_KEY: 'short-key-value',
      PUBLIC_URL: 'not a url',
      STORE_ENCRYPTION_KEY: 'too-short-secret',
    });
    for (const name of ['WECOM_SUITE_AES_KEY', 'PUBLIC_URL', 'STORE_ENCRYPTION_KEY'])
      expect(message).toContain(name);
    expect(message).not.toContain('too-short-secret');
    expect(message).not.toContain('short-key-value');
  });

  it('GIVEN STORE_ENCRYPTION_KEY as base64 or hex of 32 bytes THEN accepted', () => {
    expect(() => loadConfig({ STORE_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64') })).not.toThrow();
    expect(() => loadConfig({ STORE_ENCRYPTION_KEY: 'ab'.repeat(32) })).not.toThrow();
  });
});
