import { describe, expect, it } from 'vitest';
import { checkSubmission, type Form, formFor, parseOptions, parseText } from '../commands/index.js';
import { ValidationError } from '../src/errors.js';

function defaults(form: Form): Record<string, string> {
  return Object.fromEntries(form.fields.map((f) => [f.id, f.default]));
}

function errorsOf(text: string, values: Record<string, string>, locale: 'en' | 'zh' = 'en') {
  const invocation = parseText(text);
  const form = formFor(invocation, locale)!;
  const result = checkSubmission(invocation, { ...defaults(form), ...values }, locale);
  return result.ok ? {} : Object.fromEntries(result.errors.map((e) => [e.field, e.message]));
}

describe('parseText', () => {
  it('GIVEN "/contactway temp zhangsan" or "temp zhangsan" THEN the temp command with its user', () => {
    for (const text of ['/contactway temp zhangsan', '  temp   zhangsan ']) {
      const { command, args } = parseText(text);
      expect(command.name).toBe('temp');
      expect(args).toEqual({ user: 'zhangsan' });
    }
  });

  it('GIVEN an empty line THEN help', () => {
    expect(parseText('').command.name).toBe('help');
  });

  it('GIVEN an unknown command THEN a validation error naming it and the choices', () => {
    expect(() => parseText('frobnicate')).toThrow(/unknown command "frobnicate"; try: temp, new, list/);
  });

  it('GIVEN temp without a user THEN the user argument is named with the usage', () => {
    try {
      parseText('temp');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]).toMatchObject({ field: 'user' });
      expect((error as ValidationError).issues[0]?.message.en).toContain('/contactway temp <user>');
    }
  });

  it('GIVEN typed options (Discord) THEN the same invocation as text', () => {
    const invocation = parseOptions('close', { config_id: 'cfg1', customer: 'wmABC' });
    expect(invocation.args).toEqual({ config_id: 'cfg1', customer: 'wmABC' });
  });
});

describe('temp form', () => {
  it('GIVEN temp zhangsan THEN a form with every field, each with a default', () => {
    const form = formFor(parseText('temp zhangsan'), 'en')!;
    expect(form.fields.map((f) => [f.id, f.kind, f.default])).toEqual([
      ['expires_in', 'duration', '7d'],
      ['chat_expires_in', 'duration', '24h'],
      ['remark', 'text', ''],
      ['state', 'text', ''],
      ['skip_verify', 'boolean', 'true'],
      ['conclusions', 'multiline', ''],
      ['welcome', 'multiline', ''],
    ]);
    expect(form.args).toEqual({ user: 'zhangsan' });
    expect(form.fields.every((f) => f.optional)).toBe(true);
  });

  it('GIVEN the form in Chinese THEN labels and help are Chinese', () => {
    const form = formFor(parseText('temp zhangsan'), 'zh')!;
    expect(form.fields[0]?.label).toBe('二维码有效期');
  });

  it('GIVEN the form submitted as opened THEN a valid temp request', () => {
    const invocation = parseText('temp zhangsan');
    const result = checkSubmission(invocation, defaults(formFor(invocation, 'en')!), 'en');
    expect(result).toEqual({
      ok: true,
      input: { userid: 'zhangsan', expires_in: 604_800, chat_expires_in: 86_400, skip_verify: true },
    });
  });

  it('GIVEN each kind of bad value THEN each field is named with its limit', () => {
    expect(
      errorsOf('temp zhangsan', {
        expires_in: '15d',
        chat_expires_in: 'soon',
        remark: 'x'.repeat(31),
        skip_verify: 'maybe',
        conclusions: '好'.repeat(1400),
      }),
    ).toEqual({
      chat_expires_in: 'must be a duration like 7d, 24h, 90m or a number of seconds',
      skip_verify: 'must be yes or no',
      expires_in: 'must be at most 14 days (1209600 seconds)',
      remark: 'must be at most 30 characters',
      conclusions: 'must be at most 4000 bytes in UTF-8 (a Chinese character is 3 bytes)',
    });
    // WeCom counts characters, not UTF-16 units or bytes: 30 Chinese characters fit, 31 do not.
    expect(errorsOf('temp zhangsan', { state: '渠'.repeat(30) })).toEqual({});
    expect(errorsOf('temp zhangsan', { state: '渠'.repeat(31) })).toEqual({
      state: 'must be at most 30 characters',
    });
  });

  it('GIVEN a bad userid argument THEN it is named before any form opens, in Chinese too', () => {
    try {
      parseText('temp bad/id');
      expect.unreachable();
    } catch (error) {
      expect((error as ValidationError).issues).toEqual([
        {
          field: 'user',
          message: {
            en: 'must be 1–64 letters, digits, "-", "_" or "."',
            zh: '须为 1–64 位字母、数字、"-"、"_" 或 "."',
          },
        },
      ]);
    }
  });

  it('GIVEN 90m and 3600 THEN both are read as seconds', () => {
    const invocation = parseText('temp zhangsan');
    const result = checkSubmission(invocation, { expires_in: '90m', chat_expires_in: '3600' }, 'en');
    expect(result).toMatchObject({ ok: true, input: { expires_in: 5400, chat_expires_in: 3600 } });
  });
});

describe('new form', () => {
  it('GIVEN one member THEN type 1; several members or a department THEN type 2', () => {
    const invocation = parseText('new');
    expect(checkSubmission(invocation, { user: 'zhangsan' }, 'en')).toMatchObject({
      ok: true,
      input: { type: 1, scene: 2, user: ['zhangsan'] },
    });
    expect(checkSubmission(invocation, { user: 'zhangsan, lisi', party: '2' }, 'en')).toMatchObject({
      ok: true,
      input: { type: 2, scene: 2, user: ['zhangsan', 'lisi'], party: [2] },
    });
  });

  it('GIVEN no members, a bad userid, or a bad department THEN each is named', () => {
    expect(errorsOf('new', { user: '' })).toEqual({ user: 'is required' });
    expect(errorsOf('new', { user: 'zhang san!' })).toMatchObject({
      user: expect.stringContaining('1–64 letters'),
    });
    expect(errorsOf('new', { user: 'zhangsan', party: 'sales' })).toEqual({
      party: 'must be a whole number',
    });
    const many = Array.from({ length: 101 }, (_, i) => `u${i}`).join(',');
    expect(errorsOf('new', { user: many })).toEqual({ user: 'must have at most 100 items' });
  });
});

describe('edit form', () => {
  it('GIVEN every field left empty THEN no changes', () => {
    expect(checkSubmission(parseText('edit abc123'), {}, 'en')).toEqual({ ok: true, input: {} });
  });

  it('GIVEN changes THEN only those, typed', () => {
    const result = checkSubmission(
      parseText('edit abc123'),
      { remark: 'vip', skip_verify: 'false', expires_in: '2d' },
      'en',
    );
    expect(result).toEqual({ ok: true, input: { remark: 'vip', skip_verify: false, expires_in: 172_800 } });
  });
});
