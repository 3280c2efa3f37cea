import { Writable } from 'node:stream';
import Keyv from 'keyv';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RateLimitError, UpstreamError, ValidationError, WecomError } from '../../src/base/errors.js';
import { createLogger } from '../../src/base/logger.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import {
  type AddContactWayRequest,
  corpSecretTokenSource,
  createMediaClient,
  createWecomClient,
  type UpdateContactWayRequest,
  type WecomClient,
  type WecomClientOptions,
} from '../../src/wecom/index.js';
import { JPEG_BYTES } from '../fixtures/images.js';

/** The client against the WeCom sandbox over real HTTP. */

let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox();
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(() => {
  sandbox.clearFaults();
  sandbox.setLatency(0);
});

function client(overrides: Partial<WecomClientOptions> = {}, target: Sandbox = sandbox): WecomClient {
  return createWecomClient({
    baseUrl: target.url,
    tokens: corpSecretTokenSource({ corpId: target.corpId, corpSecret: target.corpSecret }),
    cache: new Keyv(),
    sleep: async () => {},
    random: () => 0.5,
    // Generous: 1000 concurrent calls on a loaded CI machine must not time out (a timed-out call retries on and
    // pollutes the next test's counts). The timeout's own tests set a short one.
    timeoutMs: 60_000,
    ...overrides,
  });
}

/** Counts of sandbox calls made while `fn` runs. */
async function delta<T>(fn: () => Promise<T>): Promise<{
  result: PromiseSettledResult<T>;
  gettoken: number;
  calls: Record<string, number>;
}> {
  const before = sandbox.stats();
  const [result] = await Promise.allSettled([fn()]);
  const after = sandbox.stats();
  const calls: Record<string, number> = {};
  for (const [endpoint, n] of Object.entries(after.calls)) {
    const d = n - (before.calls[endpoint] ?? 0);
    if (d) calls[endpoint] = d;
  }
  return { result: result as PromiseSettledResult<T>, gettoken: after.gettoken - before.gettoken, calls };
}

async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

const TEMP: AddContactWayRequest = { type: 1, scene: 2, user: ['zhangsan'], is_temp: true };

describe('every endpoint', () => {
  it('GIVEN a temp contact way THEN add, get, update, scan, close_temp_chat and delete all work', async () => {
    const c = client();
    const added = await c.addContactWay({
      ...TEMP,
      remark: '门诊随访',
      state: 'chan-1',
      expires_in: 3600,
      conclusions: { text: { content: '感谢咨询' } },
    });
    expect(Object.keys(added).sort()).toEqual(['config_id', 'qr_code']);
    expect(added.qr_code).toMatch(/^http/);

    const got = await c.getContactWay(added.config_id);
    expect(got).toMatchObject({
      config_id: added.config_id,
      type: 1,
      scene: 2,
      remark: '门诊随访',
      state: 'chan-1',
      user: ['zhangsan'],
      is_temp: true,
      expires_in: 3600,
      skip_verify: true,
    });

    await c.updateContactWay({ config_id: added.config_id, remark: '已更新', chat_expires_in: 7200 });
    expect(await c.getContactWay(added.config_id)).toMatchObject({ remark: '已更新', chat_expires_in: 7200 });

    sandbox.simulateScan(added.config_id, 'wmCustomer1');
    await c.closeTempChat({ userid: 'zhangsan', external_userid: 'wmCustomer1' });
    const again = await caught(c.closeTempChat({ userid: 'zhangsan', external_userid: 'wmCustomer1' }));
    expect((again as WecomError).errcode).toBe(84061);

    await c.deleteContactWay(added.config_id);
    const gone = (await caught(c.getContactWay(added.config_id))) as WecomError;
    expect(gone).toBeInstanceOf(WecomError);
    expect(gone.errcode).toBe(41044);
    expect(gone.human.zh).toContain('config_id');
  });

  it('GIVEN a multi-member mini-program way THEN get returns it without qr_code', async () => {
    const c = client();
    const added = await c.addContactWay({ type: 2, scene: 1, style: 2, party: [2], user: ['wangwu'] });
    expect(added.qr_code).toBeUndefined();
    const got = await c.getContactWay(added.config_id);
    expect(got).toMatchObject({ type: 2, scene: 1, style: 2, party: [2], user: ['wangwu'] });
    await c.deleteContactWay(added.config_id);
  });

  it('GIVEN more ways than one page THEN listContactWay pages and listAllContactWays follows the cursor', async () => {
    const c = client();
    const created: string[] = [];
    for (let i = 0; i < 5; i++)
      created.push((await c.addContactWay({ type: 1, scene: 2, user: ['lisi'], state: `p${i}` })).config_id);
    // Temp ways are not listed by WeCom (§1c).
    const temp = await c.addContactWay(TEMP);

    const first = await c.listContactWay({ limit: 2 });
    expect(first.configIds).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));

    const { result, calls } = await delta(async () => {
      const ids: string[] = [];
      for await (const id of c.listAllContactWays({ limit: 2 })) ids.push(id);
      return ids;
    });
    const ids = (result as PromiseFulfilledResult<string[]>).value;
    expect(ids).toEqual(expect.arrayContaining(created));
    expect(ids).not.toContain(temp.config_id);
    expect(new Set(ids).size).toBe(ids.length);
    // The sandbox ends on an empty next_cursor as soon as nothing is left, so a full last page ends it too.
    expect(calls.list_contact_way).toBe(Math.ceil(ids.length / 2));
    expect(calls.list_contact_way).toBeGreaterThanOrEqual(3);
    for (const id of created) await c.deleteContactWay(id);
  });

  it('GIVEN an inactive member THEN 41054 explained', async () => {
    const error = (await caught(
      client().addContactWay({ type: 1, scene: 2, user: ['zhaoliu'] }),
    )) as WecomError;
    expect(error.errcode).toBe(41054);
    expect(error.human.en).toMatch(/not activated/);
  });

  it('GIVEN an unknown member THEN 60111 explained', async () => {
    const error = (await caught(
      client().addContactWay({ type: 1, scene: 2, user: ['nobody'] }),
    )) as WecomError;
    expect(error.errcode).toBe(60111);
    expect(error.human.en).toMatch(/userid/);
  });

  it('GIVEN a non-medical corp THEN temp mode fails with 48002 explained, permanent works', async () => {
    const plain = await startSandbox({ medical: false });
    try {
      const c = client({}, plain);
      const error = (await caught(c.addContactWay(TEMP))) as WecomError;
      expect(error.errcode).toBe(48002);
      expect(error.human.en).toMatch(/medical/);
      expect(error.human.zh).toMatch(/医疗/);
      await c.addContactWay({ type: 1, scene: 2, user: ['zhangsan'] });
    } finally {
      await plain.close();
    }
  });

  it('GIVEN accessToken() THEN a token, cached', async () => {
    const c = client();
    const { gettoken } = await delta(async () => [await c.accessToken(), await c.accessToken()]);
    expect(gettoken).toBe(1);
  });
});

describe('validation before sending', () => {
  const bytes = (n: number, ch = 'a') => ch.repeat(n);
  const cjk30 = '一'.repeat(30);

  const acceptedAdds: Array<[string, AddContactWayRequest]> = [
    ['type 1 scene 2 one user', { type: 1, scene: 2, user: ['zhangsan'] }],
    ['type 1 scene 1 style 3', { type: 1, scene: 1, style: 3, user: ['zhangsan'] }],
    ['type 2 scene 1 style 2', { type: 2, scene: 1, style: 2, user: ['zhangsan', 'lisi'] }],
    ['type 2 party only', { type: 2, scene: 2, party: [2] }],
    ['remark and state of 30 characters', { type: 1, scene: 2, user: ['lisi'], remark: cjk30, state: cjk30 }],
    ['skip_verify false on purpose', { type: 1, scene: 2, user: ['lisi'], skip_verify: false }],
    [
      'is_exclusive and mark_source',
      { type: 2, scene: 2, user: ['lisi'], is_exclusive: true, mark_source: false },
    ],
    ['temp with 14-day lifetimes', { ...TEMP, expires_in: 1_209_600, chat_expires_in: 1_209_600 }],
    ['temp with unionid', { ...TEMP, unionid: 'oUnion123' }],
    ['conclusions text of 4000 bytes', { ...TEMP, conclusions: { text: { content: bytes(4000) } } }],
    [
      'conclusions link at its limits',
      { ...TEMP, conclusions: { link: { title: bytes(128), desc: bytes(512), url: 'https://example.com' } } },
    ],
    [
      'conclusions miniprogram at its limits',
      {
        ...TEMP,
        conclusions: {
          text: { content: '你好' },
          miniprogram: { title: bytes(64), pic_media_id: 'M', appid: 'wx8bd80126147dfAAA', page: '/index' },
        },
      },
    ],
  ];

  it.each(acceptedAdds)('GIVEN add %s THEN accepted and created', async (_name, req) => {
    const c = client();
    const { result, calls } = await delta(() => c.addContactWay(req));
    expect(result.status).toBe('fulfilled');
    expect(calls.add_contact_way).toBe(1);
  });

  it('GIVEN add conclusions image with an uploaded media_id THEN accepted and created', async () => {
    const { mediaId } = await createMediaClient({
      baseUrl: sandbox.url,
      tokens: corpSecretTokenSource({ corpId: sandbox.corpId, corpSecret: sandbox.corpSecret }),
      cache: new Keyv(),
    }).uploadImage({ bytes: JPEG_BYTES, filename: 'a.jpg', contentType: 'image/jpeg' });
    const c = client();
    const { result, calls } = await delta(() =>
      c.addContactWay({ ...TEMP, conclusions: { image: { media_id: mediaId } } }),
    );
    expect(result.status).toBe('fulfilled');
    expect(calls.add_contact_way).toBe(1);
  });

  const rejectedAdds: Array<[string, unknown, string]> = [
    ['missing type', { scene: 2, user: ['zhangsan'] }, 'type'],
    ['type 3', { type: 3, scene: 2, user: ['zhangsan'] }, 'type'],
    ['missing scene', { type: 1, user: ['zhangsan'] }, 'scene'],
    ['scene 0', { type: 1, scene: 0, user: ['zhangsan'] }, 'scene'],
    ['style with scene 2', { type: 1, scene: 2, style: 1, user: ['zhangsan'] }, 'style'],
    ['style 3 with type 2', { type: 2, scene: 1, style: 3, user: ['zhangsan'] }, 'style'],
    ['style 4', { type: 1, scene: 1, style: 4, user: ['zhangsan'] }, 'style'],
    ['remark of 31 characters', { type: 1, scene: 2, user: ['zhangsan'], remark: `${cjk30}一` }, 'remark'],
    ['state of 31 characters', { type: 1, scene: 2, user: ['zhangsan'], state: bytes(31) }, 'state'],
    ['type 1 without user', { type: 1, scene: 2 }, 'user'],
    ['type 1 with two users', { type: 1, scene: 2, user: ['zhangsan', 'lisi'] }, 'user'],
    ['type 1 with party', { type: 1, scene: 2, user: ['zhangsan'], party: [2] }, 'party'],
    ['type 2 with nobody', { type: 2, scene: 2 }, 'user'],
    ['101 users', { type: 2, scene: 2, user: Array.from({ length: 101 }, (_, i) => `u${i}`) }, 'user'],
    ['a malformed userid', { type: 1, scene: 2, user: ['bad id!'] }, 'user.0'],
    ['a negative department', { type: 2, scene: 2, party: [-1] }, 'party.0'],
    ['is_temp with type 2', { type: 2, scene: 2, user: ['zhangsan'], is_temp: true }, 'is_temp'],
    ['expires_in without is_temp', { type: 1, scene: 2, user: ['zhangsan'], expires_in: 60 }, 'expires_in'],
    [
      'conclusions without is_temp',
      { type: 1, scene: 2, user: ['zhangsan'], conclusions: { text: { content: 'x' } } },
      'conclusions',
    ],
    ['unionid without is_temp', { type: 1, scene: 2, user: ['zhangsan'], unionid: 'o1' }, 'unionid'],
    ['expires_in over 14 days', { ...TEMP, expires_in: 1_209_601 }, 'expires_in'],
    ['chat_expires_in of 0', { ...TEMP, chat_expires_in: 0 }, 'chat_expires_in'],
    ['fractional expires_in', { ...TEMP, expires_in: 1.5 }, 'expires_in'],
    ['empty conclusions', { ...TEMP, conclusions: {} }, 'conclusions'],
    [
      'text over 4000 bytes',
      { ...TEMP, conclusions: { text: { content: '一'.repeat(1334) } } },
      'conclusions.text.content',
    ],
    [
      'link title over 128 bytes',
      { ...TEMP, conclusions: { link: { title: bytes(129), url: 'https://e.com' } } },
      'conclusions.link.title',
    ],
    ['link without url', { ...TEMP, conclusions: { link: { title: 't' } } }, 'conclusions.link.url'],
    [
      'link desc over 512 bytes',
      { ...TEMP, conclusions: { link: { title: 't', url: 'u', desc: bytes(513) } } },
      'conclusions.link.desc',
    ],
    [
      'miniprogram title over 64 bytes',
      {
        ...TEMP,
        conclusions: { miniprogram: { title: bytes(65), pic_media_id: 'M', appid: 'wx', page: '/' } },
      },
      'conclusions.miniprogram.title',
    ],
    [
      'miniprogram without appid',
      { ...TEMP, conclusions: { miniprogram: { title: 't', pic_media_id: 'M', page: '/' } } },
      'conclusions.miniprogram.appid',
    ],
    [
      'image with pic_url (read-side field)',
      { ...TEMP, conclusions: { image: { pic_url: 'http://x' } } },
      'conclusions.image',
    ],
    ['an unknown field', { type: 1, scene: 2, user: ['zhangsan'], colour: 'red' }, 'input'],
    [
      'skip_verify as a string',
      { type: 1, scene: 2, user: ['zhangsan'], skip_verify: 'false' },
      'skip_verify',
    ],
  ];

  it.each(rejectedAdds)(
    'GIVEN add with %s THEN ValidationError on %s and nothing sent',
    async (_name, req, field) => {
      const c = client();
      const { result, gettoken, calls } = await delta(() => c.addContactWay(req as AddContactWayRequest));
      expect(result.status).toBe('rejected');
      const error = (result as PromiseRejectedResult).reason as ValidationError;
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.issues.map((i) => i.field)).toContain(field);
      expect(error.human.zh.length).toBeGreaterThan(0);
      expect(gettoken).toBe(0);
      expect(calls).toEqual({});
    },
  );

  it('GIVEN valid update, get, delete, list and close requests THEN they reach the sandbox', async () => {
    const c = client();
    const { config_id } = await c.addContactWay({ type: 1, scene: 2, user: ['zhangsan'] });
    const { result, calls } = await delta(async () => {
      await c.updateContactWay({ config_id, remark: '一'.repeat(30), skip_verify: false, user: ['lisi'] });
      await c.getContactWay(config_id);
      await c.listContactWay({ start_time: 0, end_time: 2_000_000_000, limit: 1000 });
      await caught(c.closeTempChat({ userid: 'zhangsan', external_userid: 'wmNone' }));
      await c.deleteContactWay(config_id);
    });
    expect(result.status).toBe('fulfilled');
    expect(calls).toEqual({
      update_contact_way: 1,
      get_contact_way: 1,
      list_contact_way: 1,
      close_temp_chat: 1,
      del_contact_way: 1,
    });
  });

  const rejectedOthers: Array<[string, (c: WecomClient) => Promise<unknown>, string]> = [
    [
      'update without config_id',
      (c) => c.updateContactWay({ remark: 'x' } as UpdateContactWayRequest),
      'config_id',
    ],
    [
      'update with type',
      (c) => c.updateContactWay({ config_id: 'c1', type: 2 } as UpdateContactWayRequest),
      'input',
    ],
    ['update remark of 31', (c) => c.updateContactWay({ config_id: 'c1', remark: bytes(31) }), 'remark'],
    [
      'update 101 users',
      (c) => c.updateContactWay({ config_id: 'c1', user: Array.from({ length: 101 }, (_, i) => `u${i}`) }),
      'user',
    ],
    [
      'update expires_in over 14 days',
      (c) => c.updateContactWay({ config_id: 'c1', expires_in: 1_209_601 }),
      'expires_in',
    ],
    ['get with an empty id', (c) => c.getContactWay(''), 'config_id'],
    ['get with a malformed id', (c) => c.getContactWay('../etc/passwd'), 'config_id'],
    ['delete with a malformed id', (c) => c.deleteContactWay('a b'), 'config_id'],
    ['list limit 0', (c) => c.listContactWay({ limit: 0 }), 'limit'],
    ['list limit 1001', (c) => c.listContactWay({ limit: 1001 }), 'limit'],
    ['list end before start', (c) => c.listContactWay({ start_time: 10, end_time: 5 }), 'end_time'],
    [
      'close without external_userid',
      (c) => c.closeTempChat({ userid: 'zhangsan' } as never),
      'external_userid',
    ],
    [
      'close with a malformed userid',
      (c) => c.closeTempChat({ userid: 'a b', external_userid: 'wm1' }),
      'userid',
    ],
  ];

  it.each(rejectedOthers)(
    'GIVEN %s THEN ValidationError on %s and nothing sent',
    async (_name, fn, field) => {
      const c = client();
      const { result, gettoken, calls } = await delta(() => fn(c));
      expect(result.status).toBe('rejected');
      const error = (result as PromiseRejectedResult).reason as ValidationError;
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.issues.map((i) => i.field)).toContain(field);
      expect(gettoken).toBe(0);
      expect(calls).toEqual({});
    },
  );
});

describe('tokens', () => {
  it('GIVEN 1000 concurrent calls on a cold cache THEN exactly 1 gettoken', async () => {
    const c = client();
    const { result, gettoken, calls } = await delta(() =>
      Promise.all(Array.from({ length: 1000 }, () => c.listContactWay({ limit: 1 }))),
    );
    expect(result.status).toBe('fulfilled');
    expect(gettoken).toBe(1);
    expect(calls.list_contact_way).toBe(1000);
  }, 120_000);

  it.each([42001, 40014] as const)(
    'GIVEN tokens invalidated with %i THEN refreshed once and the call succeeds',
    async (code) => {
      const c = client();
      await c.accessToken();
      sandbox.expireTokens(code);
      const { result, gettoken, calls } = await delta(() => c.listContactWay());
      expect(result.status).toBe('fulfilled');
      expect(gettoken).toBe(1);
      expect(calls.list_contact_way).toBe(2);
    },
  );

  it('GIVEN tokens invalidated while 200 calls are in flight THEN one refresh serves them all', async () => {
    const c = client();
    await c.accessToken();
    sandbox.setLatency(50);
    const { result, gettoken } = await delta(async () => {
      const all = Promise.all(Array.from({ length: 200 }, () => c.listContactWay({ limit: 1 })));
      await new Promise((resolve) => setTimeout(resolve, 10));
      sandbox.expireTokens();
      return all;
    });
    expect(result.status).toBe('fulfilled');
    expect(gettoken).toBe(1);
  });

  it('GIVEN a token error twice in a row THEN fails after exactly one retry', async () => {
    const c = client();
    await c.accessToken();
    sandbox.inject({ errcode: 42001, errmsg: 'access_token expired', times: 2, endpoint: 'get_contact_way' });
    const { result, gettoken, calls } = await delta(() => c.getContactWay('cfg'));
    const error = (result as PromiseRejectedResult).reason as WecomError;
    expect(error).toBeInstanceOf(WecomError);
    expect(error.errcode).toBe(42001);
    expect(gettoken).toBe(1);
    expect(calls.get_contact_way).toBe(2);
  });

  it('GIVEN a warm token THEN N calls read the token key from the store at most once (memory first)', async () => {
    // A real Keyv over a Map that counts reads of the token's key (Keyv adds its namespace to the key).
    let tokenReads = 0;
    class CountingMap extends Map<string, unknown> {
      override get(key: string) {
        if (key.includes('wecom:token:')) tokenReads++;
        return super.get(key);
      }
    }
    const c = client({ cache: new Keyv({ store: new CountingMap() }) });
    await c.accessToken();
    tokenReads = 0;
    const N = 20;
    for (let i = 0; i < N; i++) await c.listContactWay({ limit: 1 });
    expect(tokenReads).toBeLessThanOrEqual(1);
  });

  it('GIVEN two clients sharing a store THEN they share the token', async () => {
    const cache = new Keyv();
    const { gettoken } = await delta(async () => {
      await client({ cache }).listContactWay();
      await client({ cache }).listContactWay();
    });
    expect(gettoken).toBe(1);
  });

  it('GIVEN a wrong secret THEN 40001 explained, pointing at WECOM_CORP_SECRET', async () => {
    const c = client({ tokens: corpSecretTokenSource({ corpId: sandbox.corpId, corpSecret: 'wrong' }) });
    const error = (await caught(c.listContactWay())) as WecomError;
    expect(error).toBeInstanceOf(WecomError);
    expect([40001, 40091]).toContain(error.errcode);
    expect(error.message).toMatch(/WECOM_CORP_SECRET/);
  });
});

describe('faults', () => {
  it('GIVEN -1 three times THEN retried and succeeds with no real sleep', async () => {
    const waits: number[] = [];
    const c = client({ sleep: async (ms) => void waits.push(ms) });
    await c.accessToken();
    sandbox.inject({ errcode: -1, times: 3, endpoint: 'list_contact_way' });
    const { result, calls } = await delta(() => c.listContactWay());
    expect(result.status).toBe('fulfilled');
    expect(calls.list_contact_way).toBe(4);
    expect(waits).toHaveLength(3);
  });

  it('GIVEN -1 forever THEN 3 retries then WecomError', async () => {
    const c = client();
    await c.accessToken();
    sandbox.inject({ errcode: -1, times: 10, endpoint: 'list_contact_way' });
    const { result, calls } = await delta(() => c.listContactWay());
    const error = (result as PromiseRejectedResult).reason as WecomError;
    expect(error).toBeInstanceOf(WecomError);
    expect(error.errcode).toBe(-1);
    expect(error.human.zh).toContain('繁忙');
    expect(calls.list_contact_way).toBe(4);
  });

  it('GIVEN 45009 THEN RateLimitError with retryAfterMs, not retried', async () => {
    const c = client();
    await c.accessToken();
    sandbox.inject({ errcode: 45009, endpoint: 'add_contact_way' });
    const { result, calls } = await delta(() => c.addContactWay({ type: 1, scene: 2, user: ['zhangsan'] }));
    const error = (result as PromiseRejectedResult).reason as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterMs).toBe(60_000);
    expect(error.human.en).toMatch(/minute/);
    expect(calls.add_contact_way).toBe(1);
  });

  it('GIVEN 45033 THEN a short RateLimitError', async () => {
    const c = client();
    await c.accessToken();
    sandbox.inject({ errcode: 45033, endpoint: 'list_contact_way' });
    const error = (await caught(c.listContactWay())) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterMs).toBeLessThan(60_000);
  });

  it('GIVEN a hanging WeCom THEN a clear timeout after timeoutMs', async () => {
    const c = client({ timeoutMs: 200 });
    await c.accessToken();
    sandbox.inject({ hang: true, endpoint: 'get_contact_way' });
    const started = Date.now();
    const error = (await caught(c.getContactWay('cfg'))) as UpstreamError;
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.code).toBe('wecom.timeout');
    expect(error.human.en).toMatch(/200 ms/);
    expect(error.human.zh).toMatch(/200 毫秒/);
  });

  it('GIVEN a slow gettoken THEN it times out too', async () => {
    sandbox.inject({ hang: true, endpoint: 'gettoken' });
    const error = (await caught(client({ timeoutMs: 200 }).accessToken())) as UpstreamError;
    expect(error.code).toBe('wecom.timeout');
  });

  it('GIVEN a garbage body THEN bad_response', async () => {
    const c = client();
    await c.accessToken();
    sandbox.inject({ garbage: true, endpoint: 'list_contact_way' });
    const error = (await caught(c.listContactWay())) as UpstreamError;
    expect(error.code).toBe('wecom.bad_response');
  });

  it('GIVEN HTTP 502 on list THEN retried; on add THEN not', async () => {
    const c = client();
    await c.accessToken();
    sandbox.inject({ status: 502, times: 1, endpoint: 'list_contact_way' });
    const list = await delta(() => c.listContactWay());
    expect(list.result.status).toBe('fulfilled');
    expect(list.calls.list_contact_way).toBe(2);

    sandbox.inject({ status: 502, times: 1, endpoint: 'add_contact_way' });
    const add = await delta(() => c.addContactWay({ type: 1, scene: 2, user: ['zhangsan'] }));
    expect(add.result.status).toBe('rejected');
    expect(((add.result as PromiseRejectedResult).reason as UpstreamError).code).toBe('wecom.unreachable');
    expect(add.calls.add_contact_way).toBe(1);
  });

  it('GIVEN WeCom errmsg noise THEN the error carries the clean errmsg', async () => {
    const c = client();
    await c.accessToken();
    sandbox.inject({ errcode: 60020, endpoint: 'list_contact_way' });
    const error = (await caught(c.listContactWay())) as WecomError;
    expect(error.errcode).toBe(60020);
    expect(error.errmsg).not.toMatch(/hint|from ip|more info/);
    expect(error.human.en).toMatch(/企业可信IP/);
  });
});

describe('no credential leaks', () => {
  it('GIVEN every kind of failure THEN neither the secret nor any issued token appears in logs or errors', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(String(chunk));
        callback();
      },
    });
    const logger = createLogger({ level: 'trace', destination });
    const sandboxLines: string[] = [];
    const leaky = await startSandbox({
      logger: createLogger({
        level: 'trace',
        destination: new Writable({
          write(chunk, _encoding, callback) {
            sandboxLines.push(String(chunk));
            callback();
          },
        }),
      }),
    });
    const issued = new Set<string>();
    const metrics: unknown[] = [];
    // Records every token WeCom hands out, so the test knows what must never show up.
    const recordingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (new URL(String(input)).pathname === '/cgi-bin/gettoken') {
        const body = (await response.clone().json()) as { access_token?: string };
        if (body.access_token) issued.add(body.access_token);
      }
      return response;
    };
    const errors: unknown[] = [];
    const attempt = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (error) {
        errors.push(error);
      }
    };

    try {
      const c = client(
        { logger, fetch: recordingFetch, timeoutMs: 200, onCall: (i) => metrics.push(i) },
        leaky,
      );
      const { config_id } = await c.addContactWay({ type: 1, scene: 2, user: ['zhangsan'] });
      await c.getContactWay(config_id);
      leaky.expireTokens(42001);
      await c.listContactWay();
      leaky.expireTokens(40014);
      await c.updateContactWay({ config_id, remark: 'x' });
      leaky.inject({ errcode: 42001, times: 2, endpoint: 'get_contact_way' });
      await attempt(c.getContactWay(config_id));
      leaky.inject({ errcode: -1, times: 10, endpoint: 'list_contact_way' });
      await attempt(c.listContactWay());
      leaky.clearFaults();
      leaky.inject({ errcode: 45009, endpoint: 'list_contact_way' });
      await attempt(c.listContactWay());
      leaky.inject({ garbage: true, endpoint: 'list_contact_way' });
      await attempt(c.listContactWay());
      leaky.inject({ status: 500, times: 4, endpoint: 'get_contact_way' });
      await attempt(c.getContactWay(config_id));
      leaky.inject({ hang: true, endpoint: 'del_contact_way' });
      await attempt(c.deleteContactWay(config_id));
      await attempt(c.addContactWay({ type: 1, scene: 2, user: ['zhaoliu'] }));
      await attempt(c.addContactWay({ type: 3 } as never));
      // A fetch whose error message carries the full URL, as some fetch implementations do.
      const urlEchoing = client(
        {
          logger,
          fetch: async (input, init) => {
            if (new URL(String(input)).pathname === '/cgi-bin/gettoken') return recordingFetch(input, init);
            throw new TypeError(`fetch to ${String(input)} failed`, { cause: new Error(String(input)) });
          },
        },
        leaky,
      );
      await attempt(urlEchoing.listContactWay());
      // A wrong secret and an unreachable host: the secret travels in gettoken's query string.
      await attempt(
        client(
          { logger, tokens: corpSecretTokenSource({ corpId: leaky.corpId, corpSecret: 'wrong-secret-123' }) },
          leaky,
        ).accessToken(),
      );
      await attempt(client({ logger, baseUrl: 'http://127.0.0.1:1' }, leaky).accessToken());
      logger.info({ err: errors[0] }, 'an error logged by a caller');
    } finally {
      await leaky.close();
    }

    expect(issued.size).toBeGreaterThanOrEqual(3);
    expect(errors.length).toBeGreaterThanOrEqual(10);
    const texts: string[] = [...lines, ...sandboxLines, JSON.stringify(metrics)];
    for (const error of errors) {
      let current: unknown = error;
      for (let depth = 0; current instanceof Error && depth < 8; depth++) {
        texts.push(current.message, String(current.stack), JSON.stringify(current), String(current));
        const toJSON = (current as { toJSON?: () => unknown }).toJSON;
        if (toJSON) texts.push(JSON.stringify(toJSON.call(current)));
        current = current.cause;
      }
    }
    const all = texts.join('\n');
    expect(all).toContain('wecom call failed');
    for (const secret of [leaky.corpSecret, 'wrong-secret-123', ...issued]) expect(all).not.toContain(secret);
  });
});
