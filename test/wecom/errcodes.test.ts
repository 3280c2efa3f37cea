import { describe, expect, it } from 'vitest';
import { RateLimitError, WecomError } from '../../src/base/errors.js';
import { explainErrcode, knownErrcodes } from '../../src/wecom/errcodes.js';
import { cleanErrmsg, errorFromErrcode, hintOf } from '../../src/wecom/failures.js';

/** Every code listed in §3 of /work/shared/wecom-contact-way.md. */
const REFERENCE_CODES = [
  -1, 0, 6000, 40001, 40003, 40013, 40014, 40031, 40035, 40058, 40063, 40091, 40096, 40098, 41001, 41037,
  41038, 41039, 41040, 41041, 41042, 41043, 41044, 41045, 41054, 41057, 41102, 42001, 42009, 45009, 45033,
  48001, 48002, 48009, 60011, 60020, 60111, 81013, 84061, 84074, 90206, 90207, 90208,
  // media/upload and welcome attachments (wecom-provider-modes.md §4, §5).
  40004, 40005, 40006, 40007, 40009, 41005, 41064, 41065, 44001,
];

describe('explainErrcode', () => {
  it.each(REFERENCE_CODES)('GIVEN reference code %i THEN has its own bilingual explanation', (code) => {
    expect(knownErrcodes()).toContain(code);
    const text = explainErrcode(code);
    expect(text.en).not.toMatch(/^WeCom returned error/);
    expect(text.en.length).toBeGreaterThan(2);
    expect(text.zh).toMatch(/[\u4e00-\u9fff]/);
  });

  it('GIVEN the codes an admin must act on THEN says what to do', () => {
    expect(explainErrcode(48002).en).toMatch(/medical/);
    expect(explainErrcode(48002).zh).toMatch(/医疗/);
    expect(explainErrcode(60020).en).toMatch(/企业可信IP/);
    expect(explainErrcode(41054).en).toMatch(/not activated/);
    expect(explainErrcode(41044).en).toMatch(/config_id/);
    expect(explainErrcode(41045).en).toMatch(/500,000/);
    expect(explainErrcode(41041).en).toMatch(/100/);
    for (const code of [60111, 40003, 40031]) expect(explainErrcode(code).en).toMatch(/userid/i);
  });

  it('GIVEN an unknown code THEN the fallback names it in both languages', () => {
    const text = explainErrcode(99999);
    expect(text.en).toContain('99999');
    expect(text.zh).toContain('99999');
  });
});

describe('cleanErrmsg', () => {
  it('GIVEN WeCom hint noise THEN keeps only the message', () => {
    const raw =
      'invalid config_id, hint: [1714000000_12_8e6d0c0f3b1d], from ip: 203.0.113.7, more info at https://open.work.weixin.qq.com/devtool/query?e=41044';
    expect(cleanErrmsg(raw)).toBe('invalid config_id');
    expect(hintOf(raw)).toBe('1714000000_12_8e6d0c0f3b1d');
  });

  it('GIVEN a message without noise THEN returns it unchanged', () => {
    expect(cleanErrmsg('Warning: wrong json format. ')).toBe('Warning: wrong json format.');
    expect(cleanErrmsg('ok')).toBe('ok');
  });
});

describe('errorFromErrcode', () => {
  it('GIVEN 45009 THEN RateLimitError of 60 s with the bilingual explanation', () => {
    const error = errorFromErrcode('add_contact_way', 45009, 'api freq out of limit');
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(60_000);
    expect(error.human.zh).toContain('1 分钟');
  });

  it('GIVEN 45033 THEN a short RateLimitError', () => {
    const error = errorFromErrcode('add_contact_way', 45033, 'concurrent') as RateLimitError;
    expect(error.retryAfterMs).toBeLessThanOrEqual(5_000);
    expect(error.errcode).toBe(45033);
  });

  it('GIVEN another code THEN WecomError with errcode, cleaned errmsg, endpoint and explanation', () => {
    const error = errorFromErrcode(
      'get_contact_way',
      41044,
      'invalid config_id, hint: [x], from ip: 1.2.3.4, more info at https://open.work.weixin.qq.com/devtool/query?e=41044',
      ['tok-123'],
    ) as WecomError;
    expect(error).toBeInstanceOf(WecomError);
    expect(error.toJSON()).toMatchObject({
      code: 'wecom.41044',
      errcode: 41044,
      errmsg: 'invalid config_id',
      endpoint: 'get_contact_way',
    });
    expect(error.human.en).toContain(explainErrcode(41044).en);
  });

  it('GIVEN an errmsg echoing a secret THEN the secret is scrubbed', () => {
    const error = errorFromErrcode('x', 40035, 'bad value tok-123 access_token=tok-123', [
      'tok-123',
    ]) as WecomError;
    expect(JSON.stringify(error)).not.toContain('tok-123');
  });
});
