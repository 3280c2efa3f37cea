import { describe, expect, it } from 'vitest';
import {
  checkSubmission,
  type Form,
  formFor,
  type ParsedForm,
  parseOptions,
  parseText,
  withPickedArgs,
} from '../../commands/index.js';
import { ValidationError } from '../../src/base/errors.js';

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

  it('GIVEN temp without a user THEN its form asks for the member first, and the picked member becomes the argument', () => {
    const invocation = parseText('temp');
    expect(invocation.args).toEqual({});
    const form = formFor(invocation, 'en');
    expect(form?.fields[0]).toMatchObject({ id: 'user', kind: 'member', optional: false });
    expect(formFor(parseText('temp zhangsan'), 'en')?.fields.map((f) => f.id)).not.toContain('user');
    const picked = withPickedArgs(invocation, form as Form, { user: 'lisi' });
    expect(picked.args).toEqual({ user: 'lisi' });
    expect(() => withPickedArgs(invocation, form as Form, { user: 'li si!' })).toThrow(ValidationError);
  });

  it('GIVEN close without a config_id THEN the argument is named with the usage (close has no form)', () => {
    try {
      parseText('close');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]).toMatchObject({ field: 'config_id' });
      expect((error as ValidationError).issues[0]?.message.en).toContain('/contactway close <config_id>');
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
      ['image', 'file', ''],
      ['closing_link', 'text', ''],
      ['closing_miniprogram', 'text', ''],
      ['welcome', 'multiline', ''],
      ['welcome_links', 'multiline', ''],
      ['welcome_miniprograms', 'text', ''],
      ['welcome_image', 'file', ''],
      ['unionid', 'text', ''],
      ['remove_images', 'choice', ''],
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
      input: {
        command: 'temp',
        input: {
          request: {
            type: 1,
            scene: 2,
            user: ['zhangsan'],
            is_temp: true,
            expires_in: 604_800,
            chat_expires_in: 86_400,
            skip_verify: true,
          },
        },
      },
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
    expect(result).toMatchObject({
      ok: true,
      input: { input: { request: { expires_in: 5400, chat_expires_in: 3600 } } },
    });
  });
});

describe('new form', () => {
  it('GIVEN one member THEN type 1; several members or a department THEN type 2', () => {
    const invocation = parseText('new');
    expect(checkSubmission(invocation, { user: 'zhangsan' }, 'en')).toMatchObject({
      ok: true,
      input: { input: { request: { type: 1, scene: 2, user: ['zhangsan'] } } },
    });
    expect(checkSubmission(invocation, { user: 'zhangsan, lisi', party: '2' }, 'en')).toMatchObject({
      ok: true,
      input: { input: { request: { type: 2, scene: 2, user: ['zhangsan', 'lisi'], party: [2] } } },
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
    expect(checkSubmission(parseText('edit abc123'), {}, 'en')).toEqual({
      ok: true,
      input: { command: 'edit', input: {} },
    });
  });

  it('GIVEN changes THEN only those, typed', () => {
    const result = checkSubmission(
      parseText('edit abc123'),
      { remark: 'vip', skip_verify: 'false', expires_in: '2d' },
      'en',
    );
    expect(result).toEqual({
      ok: true,
      input: { command: 'edit', input: { remark: 'vip', skip_verify: false, expires_in: 172_800 } },
    });
  });
});

describe('typed commands in one list', () => {
  it('GIVEN a form read by one command THEN another command refuses to run with it, and with a made-up one', async () => {
    const temp = parseText('temp zhangsan');
    const edit = parseText('edit abc123');
    const checked = checkSubmission(temp, defaults(formFor(temp, 'en')!), 'en');
    if (!checked.ok || !checked.input) throw new Error('the temp form was refused');
    // Refused before the context is touched: an empty service would fail differently.
    const ctx = {
      requester: { platform: 'console', workspaceId: 'local', userId: 'me' },
      locale: 'en',
      timeZone: 'UTC',
    } as const;
    const run = (invocation: typeof edit, form?: ParsedForm) =>
      invocation.command.run({ ...ctx, service: undefined as never, sandbox: true }, invocation.args, form);
    expect(() => run(edit, checked.input)).toThrow('edit runs only with a form it read itself');
    expect(() => run(edit, { command: 'edit', input: {} })).toThrow(
      'edit runs only with a form it read itself',
    );
    expect(() => run(temp)).toThrow('temp runs only with a form it read itself');
  });
});
