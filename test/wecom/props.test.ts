import fc from 'fast-check';
import Keyv from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { ContactwayError, ValidationError } from '../../src/base/errors.js';
import { validate } from '../../src/base/validate.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { corpSecretTokenSource, createWecomClient, type WecomClient } from '../../src/wecom/index.js';
import {
  addContactWayRequestSchema,
  closeTempChatRequestSchema,
  configIdRequestSchema,
  configIdSchema,
  externalUserIdSchema,
  listContactWayRequestSchema,
  updateContactWayRequestSchema,
  userIdSchema,
} from '../../src/wecom/schemas.js';
import {
  anyText,
  expectGoodRejection,
  idCandidate,
  validOpaqueId,
  validUserId,
  watchUnhandledRejections,
} from '../fixtures/fuzz-inputs.js';

/**
 * Property-based: random ids through the schemas, and random request objects through the WeCom client,
 * pointed at the sandbox. A request the schema refuses must be refused by the client with a ValidationError
 * before any HTTP: the sandbox's counters (gettoken included) must not move.
 */

let sandbox: Sandbox;
let client: WecomClient;
let rejections: ReturnType<typeof watchUnhandledRejections>;

beforeAll(async () => {
  rejections = watchUnhandledRejections();
  sandbox = await startSandbox();
  client = createWecomClient({
    baseUrl: sandbox.url,
    tokens: corpSecretTokenSource({ corpId: sandbox.corpId, corpSecret: sandbox.corpSecret }),
    cache: new Keyv(),
    sleep: async () => {},
    timeoutMs: 5_000,
  });
});

afterAll(async () => {
  await sandbox?.close();
  rejections.stop();
  expect(rejections.seen).toEqual([]);
});

describe('ids through the schemas', () => {
  const cases = [
    {
      name: 'userid',
      schema: userIdSchema,
      field: 'user',
      rule: /^[A-Za-z0-9_.@-]{1,64}$/,
      valid: validUserId,
      max: 64,
      limit: /1–64 letters/,
    },
    {
      name: 'config_id',
      schema: configIdSchema,
      field: 'config_id',
      rule: /^[A-Za-z0-9_-]{1,128}$/,
      valid: validOpaqueId,
      max: 128,
      limit: /config_id as WeCom returned it/,
    },
    {
      name: 'external_userid',
      schema: externalUserIdSchema,
      field: 'external_user',
      rule: /^[A-Za-z0-9_-]{1,128}$/,
      valid: validOpaqueId,
      max: 128,
      limit: /external_userid as WeCom gives it/,
    },
  ];
  for (const c of cases) {
    it(`GIVEN any ${c.name} THEN it is accepted unchanged exactly when it follows WeCom's rule, otherwise the field and rule are named`, () => {
      fc.assert(
        fc.property(idCandidate(c.valid, c.max), (id) => {
          let accepted: string | undefined;
          try {
            accepted = validate(c.schema, id, () => c.field);
          } catch (error) {
            expectGoodRejection(error, { [c.field]: c.limit });
          }
          expect(accepted !== undefined).toBe(c.rule.test(id));
          if (accepted !== undefined) expect(accepted).toBe(id);
        }),
        { numRuns: 700 },
      );
    });
  }
});

/** Anything a caller could pass by mistake: wrong types, Maps, Dates, BigInts, null prototypes, sparse arrays. */
const anything = fc.anything({
  withBigInt: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withSparseArray: true,
  withTypedArray: true,
  withUnicodeString: true,
  maxDepth: 3,
});

/** A value for a request field: right-typed and plausible, right-typed and out of range, or anything. */
const scalar = fc.oneof(
  fc.constantFrom(0, 1, 2, 3, -1, 1.5, 1_209_600, 1_209_601, Number.NaN, Number.POSITIVE_INFINITY),
  fc.boolean(),
  anyText,
  fc.constant(null),
  anything,
);
const ids = fc.array(idCandidate(validUserId, 64), { maxLength: 4 });
const text = fc.oneof(fc.string({ maxLength: 35 }), anyText, fc.constant('一'.repeat(31)));
const conclusions = fc.oneof(
  fc.record(
    { text: fc.record({ content: fc.oneof(text, fc.constant('一'.repeat(1400))) }) },
    { requiredKeys: [] },
  ),
  fc.record({ image: fc.record({ media_id: text }) }),
  anything,
);

/** Objects shaped like an add_contact_way request, each key present or not, each value maybe wrong. */
const addLike = fc.record(
  {
    type: fc.oneof(fc.constantFrom(1, 2), scalar),
    scene: fc.oneof(fc.constantFrom(1, 2), scalar),
    style: fc.oneof(fc.constantFrom(1, 2, 3), scalar),
    remark: text,
    state: text,
    skip_verify: fc.oneof(fc.boolean(), scalar),
    user: fc.oneof(ids, fc.constant(Array.from({ length: 101 }, (_, i) => `u${i}`)), scalar),
    party: fc.oneof(fc.array(fc.integer({ min: -1, max: 5 }), { maxLength: 3 }), scalar),
    is_temp: fc.oneof(fc.boolean(), scalar),
    expires_in: fc.oneof(fc.integer({ min: -1, max: 2_000_000 }), scalar),
    chat_expires_in: fc.oneof(fc.integer({ min: -1, max: 2_000_000 }), scalar),
    unionid: text,
    conclusions,
    unknown_key: scalar,
  },
  { requiredKeys: [] },
);

/** A valid add request with at most one field replaced: the edge where one mistake must be caught. */
const addNearValid = fc
  .tuple(
    fc.oneof(
      fc.record({
        type: fc.constant(1),
        scene: fc.constant(2),
        user: fc.constantFrom(['zhangsan'], ['lisi']),
        is_temp: fc.constant(true),
        expires_in: fc.integer({ min: 1, max: 1_209_600 }),
      }),
      fc.record({
        type: fc.constant(2),
        scene: fc.constant(2),
        user: fc.constantFrom(['zhangsan', 'lisi'], ['wangwu']),
      }),
      fc.record({ type: fc.constant(2), scene: fc.constant(2), party: fc.constantFrom([2], [2, 3]) }),
    ),
    fc.option(
      fc.tuple(
        fc.constantFrom(
          'type',
          'scene',
          'style',
          'remark',
          'user',
          'party',
          'is_temp',
          'expires_in',
          'conclusions',
          'x',
        ),
        fc.oneof(scalar, ids, text, conclusions),
      ),
      { nil: undefined },
    ),
  )
  .map(([base, change]) => (change ? { ...base, [change[0]]: change[1] } : base));

const updateLike = fc
  .tuple(addLike, fc.oneof(idCandidate(validOpaqueId, 128), scalar))
  .map(([fields, configId]) => {
    const { type: _t, scene: _s, is_temp: _i, ...rest } = fields;
    return { ...rest, config_id: configId };
  });

function callsSoFar(): number {
  const stats = sandbox.stats();
  return stats.gettoken + Object.values(stats.calls).reduce((a, b) => a + b, 0);
}

/** Counts requests the schema accepted, so a test can prove the valid path was exercised too. */
let valid = 0;

/** The contract for one call: refused without HTTP exactly when the schema refuses the request. */
async function expectCheckedBeforeSending(schema: z.ZodType, request: unknown, call: () => Promise<unknown>) {
  const before = callsSoFar();
  const ok = schema.safeParse(request).success;
  let thrown: unknown;
  try {
    await call();
  } catch (error) {
    thrown = error;
  }
  if (!ok) {
    // Any field path is fine here (`user.3`, `conclusions.text.content`, `input`), but it must say a rule.
    expectGoodRejection(thrown, { '*': /must|need|only|required|unknown fields/ });
    expect(callsSoFar()).toBe(before);
    return;
  }
  valid++;
  // Accepted requests go to the sandbox, which may refuse them with a WeCom errcode (an unknown userid):
  // that is a WecomError, never a ValidationError from our side and never a TypeError.
  if (thrown !== undefined) {
    expect(thrown).toBeInstanceOf(ContactwayError);
    expect(thrown).not.toBeInstanceOf(ValidationError);
  }
}

describe('the WeCom client refuses bad requests before any HTTP', () => {
  it('GIVEN random add_contact_way requests THEN invalid ones never reach the sandbox', async () => {
    valid = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          { weight: 3, arbitrary: addLike },
          { weight: 3, arbitrary: addNearValid },
          { weight: 1, arbitrary: anything },
        ),
        (req) =>
          expectCheckedBeforeSending(addContactWayRequestSchema, req, () =>
            client.addContactWay(req as Parameters<WecomClient['addContactWay']>[0]),
          ),
      ),
      { numRuns: 1000 },
    );
    expect(valid).toBeGreaterThan(0);
  });

  it('GIVEN random update_contact_way requests THEN invalid ones never reach the sandbox', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 4, arbitrary: updateLike }, { weight: 1, arbitrary: anything }),
        (req) =>
          expectCheckedBeforeSending(updateContactWayRequestSchema, req, () =>
            client.updateContactWay(req as Parameters<WecomClient['updateContactWay']>[0]),
          ),
      ),
      { numRuns: 500 },
    );
  });

  it('GIVEN random config_ids to get and delete THEN invalid ones never reach the sandbox', async () => {
    valid = 0;
    const id = fc.oneof(
      { weight: 4, arbitrary: idCandidate(validOpaqueId, 128) },
      { weight: 1, arbitrary: anything },
    );
    await fc.assert(
      fc.asyncProperty(id, fc.boolean(), (configId, get) =>
        expectCheckedBeforeSending(configIdRequestSchema, { config_id: configId }, () =>
          get ? client.getContactWay(configId as string) : client.deleteContactWay(configId as string),
        ),
      ),
      { numRuns: 400 },
    );
    expect(valid).toBeGreaterThan(0);
  });

  it('GIVEN random close_temp_chat and list_contact_way requests THEN invalid ones never reach the sandbox', async () => {
    const close = fc.record(
      {
        userid: fc.oneof(idCandidate(validUserId, 64), scalar),
        external_userid: fc.oneof(idCandidate(validOpaqueId, 128), scalar),
        extra: scalar,
      },
      { requiredKeys: [] },
    );
    const list = fc.record(
      {
        start_time: fc.oneof(fc.integer({ min: -1, max: 2_000_000_000 }), scalar),
        end_time: fc.oneof(fc.integer({ min: -1, max: 2_000_000_000 }), scalar),
        cursor: fc.oneof(fc.string(), scalar),
        limit: fc.oneof(fc.integer({ min: -1, max: 1001 }), scalar),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(close, anything), list, async (c, l) => {
        // One after the other: each call's before/after counts must see only its own traffic.
        await expectCheckedBeforeSending(closeTempChatRequestSchema, c, () =>
          client.closeTempChat(c as Parameters<WecomClient['closeTempChat']>[0]),
        );
        await expectCheckedBeforeSending(listContactWayRequestSchema, l, () =>
          client.listContactWay(l as Parameters<WecomClient['listContactWay']>[0]),
        );
      }),
      { numRuns: 400 },
    );
  });
});
