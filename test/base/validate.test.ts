import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/base/errors.js';
import { validate } from '../../src/base/validate.js';
import { loadConfig } from '../../src/config.js';
import { addContactWayRequestSchema } from '../../src/wecom/schemas.js';

describe('validate', () => {
  it('GIVEN a valid temp request THEN returns it unchanged', () => {
    const req = { type: 1, scene: 2, user: ['zhangsan'], is_temp: true, expires_in: 86400 };
    expect(validate(addContactWayRequestSchema, req)).toEqual(req);
  });

  it('GIVEN several mistakes THEN names each field with a bilingual limit', () => {
    const error = (() => {
      try {
        validate(addContactWayRequestSchema, { scene: 2, user: ['a', 'b'], remark: '备'.repeat(31) });
      } catch (e) {
        return e;
      }
    })() as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    const fields = Object.fromEntries(error.issues.map((i) => [i.field, i.message]));
    expect(fields.type?.en).toBe('is required');
    expect(fields.remark).toEqual({ en: 'must be at most 30 characters', zh: '不能超过 30 个字符' });
  });
});

describe('loadConfig', () => {
  it('GIVEN no variables THEN runs on the sandbox with sqlite defaults', () => {
    const config = loadConfig({});
    expect(config.sandbox).toBe(true);
    expect(config.STORE_URL).toBe('sqlite://data/contactway.sqlite');
    expect(config.PORT).toBe(3000);
  });

  it('GIVEN a bad variable THEN one line names it and never echoes a secret', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow('Invalid configuration: PORT must be a number');
    expect(() => loadConfig({ WECOM_CORP_SECRET: 'sup3r-s3cret-value' })).toThrow(
      /WECOM_CORP_ID is required/,
    );
    try {
      loadConfig({ WECOM_CORP_SECRET: 'sup3r-s3cret-value' });
    } catch (e) {
      expect(String((e as Error).message)).not.toContain('sup3r');
    }
  });
});
