import Keyv from 'keyv';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RateLimitError } from '../../src/base/errors.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import {
  type CallLimiter,
  corpSecretTokenSource,
  createCallLimiter,
  createWecomClient,
  DEFAULT_MAX_CALLS_PER_MINUTE,
  type WecomClientOptions,
} from '../../src/wecom/index.js';

/** A fake clock whose sleep advances it: no test here waits on real time. */
function fakeTime(start = 1_700_000_000_000) {
  const clock = { ms: start, slept: [] as number[] };
  return {
    clock,
    now: () => clock.ms,
    sleep: async (ms: number) => {
      clock.slept.push(ms);
      clock.ms += ms;
    },
  };
}

async function rejection(promise: Promise<unknown>): Promise<RateLimitError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RateLimitError);
  return error as RateLimitError;
}

const wecom45009 = () =>
  new RateLimitError({ errcode: 45009, retryAfterMs: 60_000, human: { en: 'x', zh: 'x' } });

describe('call limiter, token bucket per endpoint', () => {
  it('defaults to half of WeCom 10,000 calls per minute per API', () => {
    expect(DEFAULT_MAX_CALLS_PER_MINUTE).toBe(5_000);
  });

  it('GIVEN a full bucket THEN half a minute of calls pass at once, then calls are paced at the rate', async () => {
    const time = fakeTime();
    const limiter = createCallLimiter({ maxCallsPerMinute: 60, ...time });
    for (let i = 0; i < 30; i++) await limiter.take('add_contact_way');
    expect(time.clock.slept).toEqual([]);
    // 60 a minute: one permit a second once the burst is spent.
    await limiter.take('add_contact_way');
    await limiter.take('add_contact_way');
    expect(time.clock.slept).toEqual([1_000, 1_000]);
  });

  it('GIVEN a wait longer than maxQueueMs THEN RateLimitError with that wait, and no permit is used', async () => {
    const time = fakeTime();
    const limiter = createCallLimiter({ maxCallsPerMinute: 2, maxQueueMs: 2_000, ...time });
    await limiter.take('list_contact_way');
    const error = await rejection(limiter.take('list_contact_way'));
    expect(error.retryAfterMs).toBe(30_000);
    expect(error.errcode).toBeUndefined();
    expect(error.human.en).toMatch(/at most 2 a minute per API\); retry in 30 s/);
    expect(error.human.zh).toMatch(/30 秒后重试/);
    time.clock.ms += 30_000;
    await limiter.take('list_contact_way');
    expect(time.clock.slept).toEqual([]);
  });

  it('GIVEN one endpoint spent THEN the others still have their own budget (WeCom counts per API)', async () => {
    const time = fakeTime();
    const limiter = createCallLimiter({ maxCallsPerMinute: 2, maxQueueMs: 0, ...time });
    await limiter.take('add_contact_way');
    await rejection(limiter.take('add_contact_way'));
    await limiter.take('gettoken');
    await limiter.take('get_contact_way');
  });

  it('GIVEN concurrent callers beyond the burst THEN each waits its turn, in order', async () => {
    const time = fakeTime();
    const slept: number[] = [];
    // All three arrive at the same instant: this sleep records the waits without moving the clock.
    const limiter = createCallLimiter({
      maxCallsPerMinute: 120,
      now: time.now,
      sleep: async (ms) => {
        slept.push(ms);
      },
    });
    for (let i = 0; i < 60; i++) await limiter.take('x');
    await Promise.all([limiter.take('x'), limiter.take('x'), limiter.take('x')]);
    // Each reserves the next permit to refill: 0.5 s, 1 s and 1.5 s away.
    expect(slept).toEqual([500, 1_000, 1_500]);
  });
});

describe('call limiter, 45009 gate', () => {
  let time: ReturnType<typeof fakeTime>;
  let limiter: CallLimiter;
  beforeEach(() => {
    time = fakeTime();
    limiter = createCallLimiter(time);
  });

  it('GIVEN WeCom answered 45009 THEN every endpoint fails fast with the remaining wait until the block ends', async () => {
    limiter.blocked(wecom45009());
    const first = await rejection(limiter.take('add_contact_way'));
    expect(first.retryAfterMs).toBe(60_000);
    expect(first.errcode).toBe(45009);
    expect(first.human.en).toMatch(/errcode 45009.*60 s/);
    time.clock.ms += 45_500;
    const later = await rejection(limiter.take('gettoken'));
    expect(later.retryAfterMs).toBe(14_500);
    expect(later.human.en).toMatch(/15 s/);
    time.clock.ms += 14_500;
    await limiter.take('add_contact_way');
    expect(time.clock.slept).toEqual([]);
  });

  it('GIVEN a shorter block (45033) during a longer one THEN the longer one stands', async () => {
    limiter.blocked(wecom45009());
    limiter.blocked(new RateLimitError({ errcode: 45033, retryAfterMs: 1_000, human: { en: '', zh: '' } }));
    time.clock.ms += 2_000;
    expect((await rejection(limiter.take('x'))).errcode).toBe(45009);
  });

  it('GIVEN a caller waiting for a permit WHEN WeCom blocks meanwhile THEN it fails instead of sending', async () => {
    const paced = createCallLimiter({
      maxCallsPerMinute: 60,
      now: time.now,
      sleep: async (ms) => {
        await time.sleep(ms);
        paced.blocked(wecom45009());
      },
    });
    for (let i = 0; i < 30; i++) await paced.take('x');
    expect((await rejection(paced.take('x'))).errcode).toBe(45009);
  });
});

describe('call limiter in the client, against the sandbox', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.clearFaults());

  function client(overrides: Partial<WecomClientOptions> = {}) {
    return createWecomClient({
      baseUrl: sandbox.url,
      tokens: corpSecretTokenSource({ corpId: sandbox.corpId, corpSecret: sandbox.corpSecret }),
      cache: new Keyv(),
      random: () => 0.5,
      ...overrides,
    });
  }

  /** Calls the sandbox received (gettoken included) since `before`. */
  const sent = (before: ReturnType<Sandbox['stats']>) => {
    const after = sandbox.stats();
    let n = after.gettoken - before.gettoken;
    for (const [endpoint, count] of Object.entries(after.calls)) n += count - (before.calls[endpoint] ?? 0);
    return n;
  };

  it('GIVEN 45009 from WeCom THEN later calls fail fast with the remaining retryAfterMs and reach nobody; after 60 s they go through', async () => {
    const time = fakeTime();
    const c = client(time);
    await c.accessToken();
    sandbox.inject({ errcode: 45009, endpoint: 'add_contact_way' });
    const first = await rejection(c.addContactWay({ type: 1, scene: 2, user: ['zhangsan'] }));
    expect(first.retryAfterMs).toBe(60_000);

    time.clock.ms += 20_000;
    const before = sandbox.stats();
    const calls = await Promise.all(Array.from({ length: 50 }, () => rejection(c.listContactWay())));
    expect(sent(before)).toBe(0);
    expect(new Set(calls.map((e) => e.retryAfterMs))).toEqual(new Set([40_000]));
    expect(calls[0]!.errcode).toBe(45009);
    // Never slept: failing fast means no waiting either.
    expect(time.clock.slept).toEqual([]);

    time.clock.ms += 40_000;
    await expect(c.listContactWay()).resolves.toBeDefined();
    expect(sent(before)).toBe(1);
  });

  it('GIVEN 45033 THEN a short block, then calls resume', async () => {
    const time = fakeTime();
    const c = client(time);
    await c.accessToken();
    sandbox.inject({ errcode: 45033, endpoint: 'list_contact_way' });
    await rejection(c.listContactWay());
    expect((await rejection(c.getContactWay('cfg-1'))).errcode).toBe(45033);
    time.clock.ms += 1_000;
    await expect(c.listContactWay()).resolves.toBeDefined();
  });

  it('GIVEN maxCallsPerMinute spent THEN the client refuses before sending, with retryAfterMs', async () => {
    const time = fakeTime();
    const c = client({ ...time, maxCallsPerMinute: 2 });
    await c.listContactWay();
    const before = sandbox.stats();
    const error = await rejection(c.listContactWay());
    expect(error.retryAfterMs).toBe(30_000);
    expect(sent(before)).toBe(0);
  });

  it('GIVEN a limiter shared by two clients of one corp THEN a 45009 seen by one holds the other', async () => {
    const time = fakeTime();
    const limiter = createCallLimiter(time);
    const a = client({ ...time, limiter });
    const b = client({ ...time, limiter });
    await a.accessToken();
    await b.accessToken();
    sandbox.inject({ errcode: 45009, endpoint: 'list_contact_way' });
    await rejection(a.listContactWay());
    const before = sandbox.stats();
    expect((await rejection(b.getContactWay('cfg-1'))).retryAfterMs).toBe(60_000);
    expect(sent(before)).toBe(0);
  });
});
