import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { edit } from '../../commands/edit.js';
import {
  COMMANDS,
  checkSubmission,
  formFor,
  type Invocation,
  parseOptions,
  parseText,
} from '../../commands/index.js';
import { newCommand } from '../../commands/new.js';
import { temp } from '../../commands/temp.js';
import { formatDurationS, parseDurationS } from '../../src/base/duration.js';
import type { ValidationError } from '../../src/base/errors.js';
import type { Locale } from '../../src/base/i18n.js';
import { MAX_TEMP_SECONDS, MAX_USERS } from '../../src/wecom/schemas.js';
import {
  ARG_LIMITS,
  anyText,
  durationText,
  expectGoodRejection,
  FORM_LIMITS,
  formValuesFor,
  validOpaqueId,
  validUserId,
  watchUnhandledRejections,
} from '../fixtures/fuzz-inputs.js';

/**
 * Property-based: random form values for every command's form, through checkSubmission as every adapter
 * calls it (Slack's inline errors, Discord's modal, console prompts). Rejections name a form field or an
 * argument and its rule in both languages; accepted values read back as typed and stay within WeCom's limits.
 */

const USERID = /^[A-Za-z0-9_.@-]{1,64}$/;
const OPAQUE_ID = /^[A-Za-z0-9_-]{1,128}$/;

const locale = fc.constantFrom<Locale>('en', 'zh');

let rejections: ReturnType<typeof watchUnhandledRejections>;
beforeAll(() => {
  rejections = watchUnhandledRejections();
});
afterAll(() => {
  rejections.stop();
  expect(rejections.seen).toEqual([]);
});

/**
 * Submits values through checkSubmission in the requester's language and, on refusal, reads the bilingual
 * issues the same values raise, which must name the same fields. Each call builds the zod schemas anew
 * (about 1–3 ms), so the run counts below are what fits in a few seconds.
 */
function submit(invocation: Invocation, values: Record<string, string | undefined>, locale: Locale = 'en') {
  const checked = checkSubmission(invocation, values, locale);
  if (checked.ok) return { ok: true as const, input: checked.input };
  expect(checked.errors.length).toBeGreaterThan(0);
  let issues: ValidationError | undefined;
  try {
    invocation.command.parseForm?.(invocation.args, values);
  } catch (error) {
    issues = expectGoodRejection(error, FORM_LIMITS);
  }
  expect(issues?.issues.map((i) => i.field)).toEqual(checked.errors.map((e) => e.field));
  expect(checked.errors.map((e) => e.message)).toEqual(issues?.issues.map((i) => i.message[locale]));
  const formFields = formFor(invocation, locale)!.fields.map((f) => f.id);
  const argNames = invocation.command.args.map((a) => a.name);
  for (const e of checked.errors) expect([...formFields, ...argNames]).toContain(e.field);
  return { ok: false as const };
}

const codePoints = (s: string) => [...s].length;
const trimmed = (v: string | undefined) => v?.trim() || undefined;

function expectDurationWithin(value: number | undefined, typed: string | undefined): void {
  if (!trimmed(typed)) {
    expect(value).toBeUndefined();
    return;
  }
  expect(value).toBe(parseDurationS(typed!));
  expect(Number.isInteger(value)).toBe(true);
  expect(value).toBeGreaterThanOrEqual(1);
  expect(value).toBeLessThanOrEqual(MAX_TEMP_SECONDS);
}

function expectShortText(value: string | undefined, typed: string | undefined): void {
  expect(value).toBe(trimmed(typed));
  if (value !== undefined) expect(codePoints(value)).toBeLessThanOrEqual(30);
}

describe('checkSubmission on random form values, for every command with a form', () => {
  it('lists every command that has a form here', () => {
    expect(COMMANDS.filter((c) => c.form).map((c) => c.name)).toEqual(['temp', 'new', 'edit']);
  });

  // The generators must reach the accepting branch too, or the read-back checks would prove nothing.
  let accepted = 0;
  beforeEach(() => {
    accepted = 0;
  });
  afterEach(() => {
    if (expect.getState().currentTestName?.includes('GIVEN')) expect(accepted).toBeGreaterThan(20);
  });

  it('GIVEN temp <userid> and any values THEN accepted values are within WeCom limits and read back as typed', () => {
    const fields = formFor(parseText('temp zhangsan'), 'en')!.fields;
    fc.assert(
      fc.property(validUserId, formValuesFor(fields), locale, (userid, values, lang) => {
        const invocation = parseText(`temp ${userid}`);
        const result = submit(invocation, values, lang);
        if (!result.ok) return;
        accepted++;
        // The typed command reads the same values into the exact request the service is given.
        const parsed = temp.parseForm({ user: userid }, values);
        const { request } = parsed;
        expect(result.input?.input).toEqual(parsed);
        // The welcome message stays beside the WeCom request, never in it.
        expect(request).not.toHaveProperty('welcome');
        expect(parsed.welcome).toBe(trimmed(values.welcome) || undefined);
        expect(request).toMatchObject({ type: 1, scene: 2, user: [userid], is_temp: true });
        expectDurationWithin(request.expires_in, values.expires_in);
        expectDurationWithin(request.chat_expires_in, values.chat_expires_in);
        expectShortText(request.remark, values.remark);
        expectShortText(request.state, values.state);
        const closing = request.conclusions?.text?.content;
        expect(closing).toBe(trimmed(values.conclusions));
        if (closing) expect(Buffer.byteLength(closing)).toBeLessThanOrEqual(4000);
        if (trimmed(values.skip_verify)) expect(typeof request.skip_verify).toBe('boolean');
      }),
      // 1800: temp has fifteen fields now (cards, images, unionid, remove_images): about 1 random form in 28
      // passes whole, and the afterEach wants more than 20 accepted.
      { numRuns: 1800 },
    );
  });

  it('GIVEN new and any values THEN an accepted request has 1–100 valid members or departments and the type that fits', () => {
    const invocation = parseText('new');
    const fields = formFor(invocation, 'en')!.fields;
    fc.assert(
      fc.property(formValuesFor(fields), locale, (values, lang) => {
        const result = submit(invocation, values, lang);
        if (!result.ok) return;
        accepted++;
        const parsed = newCommand.parseForm({}, values);
        const { request } = parsed;
        expect(result.input?.input).toEqual(parsed);
        expect(request).not.toHaveProperty('welcome');
        const users = request.user ?? [];
        const parties = request.party ?? [];
        expect(users.length + parties.length).toBeGreaterThan(0);
        expect(users.length).toBeLessThanOrEqual(MAX_USERS);
        for (const u of users) expect(u).toMatch(USERID);
        for (const p of parties) expect(Number.isSafeInteger(p) && p > 0).toBe(true);
        expect(request.type).toBe(users.length === 1 && parties.length === 0 ? 1 : 2);
        expect(request.scene).toBe(2);
        expect(request.is_temp).toBeUndefined();
        expectShortText(request.remark, values.remark);
        expectShortText(request.state, values.state);
      }),
      // 1200: about 1 random form in 20 passes whole (members, departments, cards, image), and fewer than 20
      // accepted would leave the read-back checks unproven (the afterEach refuses it).
      { numRuns: 1200 },
    );
  });

  it('GIVEN edit <config_id> and any values THEN accepted changes are exactly the filled-in fields, within limits', () => {
    const fields = formFor(parseText('edit abc'), 'en')!.fields;
    const configId = fc.oneof({ weight: 4, arbitrary: validOpaqueId }, { weight: 1, arbitrary: anyText });
    fc.assert(
      fc.property(configId, formValuesFor(fields), locale, (id, values, lang) => {
        // The id is typed as an option (Discord) so it may hold anything, spaces included.
        let invocation: Invocation;
        try {
          invocation = parseOptions('edit', { config_id: id });
        } catch (error) {
          expectGoodRejection(error, ARG_LIMITS);
          return;
        }
        const result = submit(invocation, values, lang);
        if (!result.ok) return;
        accepted++;
        expect(invocation.args.config_id).toMatch(OPAQUE_ID);
        const changes = edit.parseForm({ config_id: id.trim() }, values);
        expect(result.input?.input).toEqual(changes);
        // The card fields become the service's names for them: one closing card from either closing field;
        // the image fields' references come back as `closingImage` and `welcomeImage` (fetched when it runs).
        const CARD_KEYS: Record<string, string> = {
          closing_link: 'closing',
          closing_miniprogram: 'closing',
          welcome_links: 'welcomeLinks',
          welcome_miniprograms: 'welcomeMiniprograms',
          image: 'closingImage',
          welcome_image: 'welcomeImage',
        };
        // Removing images is the same change as `-` in a file field: a null closingImage or welcomeImage.
        const REMOVES: Record<string, string[]> = {
          closing: ['closingImage'],
          welcome: ['welcomeImage'],
          both: ['closingImage', 'welcomeImage'],
        };
        const filled = fields
          .filter((f) => trimmed(values[f.id]))
          .flatMap((f) =>
            f.id === 'remove_images'
              ? (REMOVES[trimmed(values[f.id]) ?? ''] ?? [])
              : [CARD_KEYS[f.id] ?? f.id],
          );
        expect(Object.keys(changes).sort()).toEqual([...new Set(filled)].sort());
        expectDurationWithin(changes.expires_in, values.expires_in);
        expectDurationWithin(changes.chat_expires_in, values.chat_expires_in);
        expectShortText(changes.remark, values.remark);
        expectShortText(changes.state, values.state);
        if (changes.user) expect(changes.user.length).toBeLessThanOrEqual(MAX_USERS);
      }),
      // More runs than the others: every text field of edit refuses control characters, which hostile text
      // often holds, so fewer random forms pass whole; this keeps the accepting branch well above 20 runs.
      { numRuns: 1600 },
    );
  });
});

describe('field names from the wire', () => {
  it('GIVEN an edit submission with a field named __proto__ holding "-" THEN it is not taken for a field that cannot be cleared', () => {
    // Found by the property above: a payload's keys are whatever the sender wrote, and JSON makes `__proto__` one.
    const values = JSON.parse('{"__proto__":"-","remark":"new remark"}') as Record<string, string>;
    const result = submit(parseText('edit abc'), values);
    expect(result.ok).toBe(true);
  });
});

describe('durations', () => {
  it('GIVEN any duration text in the temp form THEN it is accepted exactly when it means 1 s to 14 days', () => {
    const base = formFor(parseText('temp zhangsan'), 'en')!.fields;
    const defaults = Object.fromEntries(base.map((f) => [f.id, f.default]));
    fc.assert(
      fc.property(durationText, fc.constantFrom('expires_in', 'chat_expires_in'), (text, field) => {
        const result = submit(parseText('temp zhangsan'), { ...defaults, [field]: text });
        const seconds = text.trim() ? parseDurationS(text) : undefined;
        const within =
          seconds !== undefined && Number.isInteger(seconds) && seconds >= 1 && seconds <= MAX_TEMP_SECONDS;
        expect(result.ok).toBe(text.trim() === '' || within);
      }),
      { numRuns: 400 },
    );
  });

  it('GIVEN any text THEN parseDurationS gives undefined or a whole (finite) number of seconds, never negative', () => {
    fc.assert(
      fc.property(durationText, (text) => {
        const seconds = parseDurationS(text);
        if (seconds === undefined) return;
        expect(Number.isInteger(seconds)).toBe(true);
        expect(seconds).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 1500 },
    );
  });

  it('GIVEN any lifetime of 1 s to 14 days THEN it is shown as the form asks for it and reads back the same', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_TEMP_SECONDS }), (seconds) => {
        const shown = formatDurationS(seconds);
        expect(shown).toMatch(/^\d+[smhd]$/);
        expect(parseDurationS(shown)).toBe(seconds);
      }),
      { numRuns: 1000 },
    );
  });
});
