import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COMMANDS,
  type CommandContext,
  checkSubmission,
  errorReply,
  formFor,
  parseText,
  type Reply,
  runCommand,
} from '../../commands/index.js';
import { type Core, startCore } from '../../src/app.js';
import type { Locale } from '../../src/base/i18n.js';
import { silentLogger } from '../../src/base/logger.js';
import { loadConfig } from '../../src/config.js';
import type { Requester } from '../../src/store/index.js';
import {
  anyText,
  type FuzzField,
  formValuesFor,
  validOpaqueId,
  validUserId,
  watchUnhandledRejections,
} from '../fixtures/fuzz-inputs.js';

/**
 * Property-based, end to end on the console path: a random line and random form values go through
 * parseText → checkSubmission → runCommand against the real core (WeCom sandbox, memory store), as the
 * console adapter drives them. Every outcome is a reply a person can read: never a throw, never a stack,
 * never "something went wrong on our side" (an error that escaped our error tree).
 */

const ROOT: Requester = { platform: 'console', workspaceId: 'local', userId: 'root' };
const GUEST: Requester = { platform: 'console', workspaceId: 'local', userId: 'guest' };
const INTERNAL = /Something went wrong on our side|系统内部出错/;
const STACK = /\n\s+at |node_modules|\.ts:\d+:\d+/;

let core: Core;
let rejections: ReturnType<typeof watchUnhandledRejections>;
/** config_ids created during the run, so show/edit/delete also get ids that exist. */
const created: string[] = [];

beforeAll(async () => {
  rejections = watchUnhandledRejections();
  const config = loadConfig({
    STORE_URL: 'memory:',
    LOG_LEVEL: 'silent',
    ADMINS: 'console:local:root',
    RATE_LIMIT_CREATES: '100000/1h',
    JOURNAL_PATH: join(mkdtempSync(join(tmpdir(), 'cw-props-')), 'pending.jsonl'),
  });
  core = await startCore(config, silentLogger());
});

afterAll(async () => {
  await core?.close();
  rejections.stop();
  expect(rejections.seen).toEqual([]);
});

/** Every field any form has, so one generator fills whichever form the line opens. */
const allFields: FuzzField[] = [
  ...new Map(
    ['temp zhangsan', 'new', 'edit x'].flatMap((line) =>
      formFor(parseText(line), 'en')!.fields.map((f) => [f.id, f] as const),
    ),
  ).values(),
];

const word = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('zhangsan', 'lisi', 'wangwu', 'zhaoliu', 'nobody') },
  { weight: 3, arbitrary: fc.nat().map((i) => created[i % Math.max(created.length, 1)] ?? 'none') },
  { weight: 2, arbitrary: fc.oneof(validUserId, validOpaqueId) },
  { weight: 2, arbitrary: anyText },
);

const line = fc
  .tuple(
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...COMMANDS.map((c) => c.name)) },
      { weight: 1, arbitrary: anyText },
    ),
    fc.array(word, { maxLength: 3 }),
  )
  .map(([name, words]) => [name, ...words].join(' '));

async function drive(text: string, values: Record<string, string | undefined>, ctx: CommandContext) {
  let invocation: ReturnType<typeof parseText>;
  try {
    invocation = parseText(text);
  } catch (error) {
    return errorReply(error, ctx.locale);
  }
  if (!formFor(invocation, ctx.locale)) return runCommand(ctx, invocation);
  const checked = checkSubmission(invocation, values, ctx.locale);
  if (!checked.ok) return undefined;
  return runCommand(ctx, invocation, checked.input);
}

function expectReadable(reply: Reply): void {
  expect(['ok', 'error', 'info']).toContain(reply.status);
  expect(reply.title).toMatch(/\S/);
  const all = JSON.stringify(reply);
  expect(all).not.toMatch(STACK);
  expect(all, all).not.toMatch(INTERNAL);
  for (const e of reply.fieldErrors ?? []) {
    expect(e.field).toMatch(/\S/);
    expect(e.message).toMatch(/\S/);
  }
  if (reply.status === 'ok' && reply.configId) created.push(reply.configId);
}

describe('random lines and form values through runCommand on the real core', () => {
  it('GIVEN a state holding a lone surrogate (a broken character, as JSON can carry) THEN the field is refused by name, nothing reaches WeCom', async () => {
    const invocation = parseText('new');
    const values = { ...Object.fromEntries(formFor(invocation, 'en')!.fields.map((f) => [f.id, f.default])) };
    const checked = checkSubmission(invocation, { ...values, user: 'zhangsan', state: '\ud800' }, 'en');
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.errors.map((e) => e.field)).toContain('state');
  });

  it('GIVEN any line, any values, either locale, admin or not THEN a readable reply, never a throw', async () => {
    let ran = 0;
    await fc.assert(
      fc.asyncProperty(
        line,
        formValuesFor(allFields),
        fc.constantFrom<Locale>('en', 'zh'),
        fc.boolean(),
        async (text, values, locale, admin) => {
          const ctx: CommandContext = {
            requester: admin ? ROOT : GUEST,
            locale,
            timeZone: 'UTC',
            service: core.service,
            sandbox: true,
          };
          const reply = await drive(text, values, ctx);
          if (!reply) return;
          ran++;
          expectReadable(reply);
        },
      ),
      {
        numRuns: 500,
        // Random text fields are refused more often since control characters are (issue 10, item 9): one
        // known-good creation keeps "something was created" true whatever the seed draws.
        examples: [
          [
            'temp zhangsan',
            Object.fromEntries(
              formFor(parseText('temp zhangsan'), 'en')!.fields.map((f) => [f.id, f.default]),
            ),
            'en',
            false,
          ],
        ],
      },
    );
    expect(ran).toBeGreaterThan(100);
    expect(created.length).toBeGreaterThan(0);
  });
});
