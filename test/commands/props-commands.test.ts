import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COMMANDS,
  findCommand,
  formFor,
  type Invocation,
  parseOptions,
  parseText,
} from '../../commands/index.js';
import {
  ARG_LIMITS,
  anyText,
  expectGoodRejection,
  hugeString,
  nastyChar,
  validOpaqueId,
  validUserId,
  watchUnhandledRejections,
} from '../fixtures/fuzz-inputs.js';

/**
 * Property-based: random command texts, typed options and form values through the same functions every
 * adapter calls (parseText, parseOptions, checkSubmission). Nothing but a ValidationError may come out, every
 * rejection names its field and the rule in both languages, and what is accepted is within WeCom's limits.
 */

const USERID = /^[A-Za-z0-9_.@-]{1,64}$/;
const NAMES = COMMANDS.map((c) => c.name);

let rejections: ReturnType<typeof watchUnhandledRejections>;
beforeAll(() => {
  rejections = watchUnhandledRejections();
});
afterAll(() => {
  rejections.stop();
  expect(rejections.seen).toEqual([]);
});

/** Whitespace as chat clients deliver it between words: spaces, tabs, newlines, wide and no-break spaces. */
const gap = fc
  .array(fc.constantFrom(' ', '  ', '\t', '\n', '\u3000', '\u00a0'), { minLength: 1, maxLength: 3 })
  .map((parts) => parts.join(''));

/** Command-shaped text: an optional `/contactway`, a name (right, mis-cased or wrong) and words. */
const commandText = fc
  .tuple(
    fc.boolean(),
    fc.oneof(
      fc.constantFrom(...NAMES),
      fc.constantFrom(...NAMES).map((n) => n.toUpperCase()),
      fc.string({ unit: nastyChar, minLength: 1, maxLength: 12 }),
    ),
    fc.array(fc.oneof(validUserId, validOpaqueId, anyText), { maxLength: 4 }),
    gap,
  )
  .map(([slash, name, words, sep]) => [...(slash ? ['/contactway'] : []), name, ...words].join(sep));

function parseOrReject(run: () => Invocation): Invocation | undefined {
  try {
    return run();
  } catch (error) {
    expectGoodRejection(error, ARG_LIMITS);
    return undefined;
  }
}

function expectSaneInvocation(invocation: Invocation): void {
  expect(COMMANDS).toContain(invocation.command);
  for (const [name, value] of Object.entries(invocation.args)) {
    expect(invocation.command.args.map((a) => a.name)).toContain(name);
    expect(value).not.toBe('');
    if (name === 'user' && invocation.command.name === 'temp') expect(value).toMatch(USERID);
  }
  // An argument the form asks for may be missing; its form then has the field.
  for (const spec of invocation.command.args)
    if (spec.required && !spec.pickedInForm) expect(invocation.args[spec.name], spec.name).toBeTruthy();
    else if (spec.required && !invocation.args[spec.name])
      expect(formFor(invocation, 'en')?.fields.map((f) => f.id)).toContain(spec.name);
}

describe('parseText and parseOptions on random input', () => {
  it('GIVEN any text (unicode, controls, lone surrogates, mojibake) THEN an invocation or a ValidationError naming the field and the rule', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, commandText), (text) => {
        const invocation = parseOrReject(() => parseText(text));
        if (invocation) {
          expectSaneInvocation(invocation);
          for (const value of Object.values(invocation.args)) expect(value).not.toMatch(/\s/);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('GIVEN 10 KB to 1 MB of text THEN it is answered quickly and the answer does not echo it', () => {
    fc.assert(
      fc.property(
        hugeString,
        fc.constantFrom('', 'temp ', 'show ', 'close a ', '/contactway '),
        (huge, prefix) => {
          const started = performance.now();
          const invocation = parseOrReject(() => parseText(prefix + huge));
          expect(performance.now() - started).toBeLessThan(2000);
          if (invocation) expectSaneInvocation(invocation);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('GIVEN a well-formed command line THEN its words come back as the arguments, in order', () => {
    const line = fc.tuple(
      fc.boolean(),
      fc.constantFrom(...NAMES),
      fc.array(validUserId, { maxLength: 3 }),
      gap,
    );
    fc.assert(
      fc.property(line, ([slash, name, words, sep]) => {
        const text = [...(slash ? ['/contactway'] : []), name, ...words].join(sep);
        const command = findCommand(name)!;
        const invocation = parseOrReject(() => parseText(`${sep}${text}${sep}`));
        if (!invocation) {
          // Only a missing required argument may be refused: the words themselves are valid ids.
          expect(command.args.filter((a) => a.required).length).toBeGreaterThan(words.length);
          return;
        }
        expect(invocation.command.name).toBe(name);
        const expected = Object.fromEntries(
          command.args.flatMap((spec, i) => (words[i] === undefined ? [] : [[spec.name, words[i]]])),
        );
        expect(invocation.args).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('GIVEN typed options (Discord) with any values THEN an invocation with the trimmed values, or a ValidationError', () => {
    const options = fc.dictionary(
      fc.constantFrom('user', 'config_id', 'customer', 'other'),
      fc.option(fc.oneof(validUserId, anyText), { nil: undefined }),
    );
    const name = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...NAMES) },
      { weight: 1, arbitrary: anyText },
    );
    fc.assert(
      fc.property(name, options, fc.option(validUserId, { nil: undefined }), (n, opts, mapped) => {
        const invocation = parseOrReject(() => parseOptions(n, opts, { user: mapped }));
        if (!invocation || !findCommand(n)) return;
        expectSaneInvocation(invocation);
        for (const [key, value] of Object.entries(invocation.args)) {
          const given = opts[key]?.trim();
          expect(value).toBe(given ? given : mapped);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
