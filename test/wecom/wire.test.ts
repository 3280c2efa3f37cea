import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Keyv from 'keyv';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  RateLimitError,
  UpstreamError,
  ValidationError,
  WecomError,
} from '../../src/base/errors.js';
import { corpSecretTokenSource, createWecomClient, type WecomClientOptions } from '../../src/wecom/index.js';

/**
 * Wire-level facts against a tiny local HTTP server (no sandbox): what exactly goes over the wire and how
 * each kind of bad answer is turned into our errors.
 */

const SECRET = 'wire-secret-VALUE-0123456789';
const CORP = 'ww_wire';

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
}

type Handler = (seen: Seen, res: ServerResponse) => void;

let server: Server;
let base: string;
let seen: Seen[] = [];
let handler: Handler;
let tokenCounter = 0;
const hanging: ServerResponse[] = [];

function json(res: ServerResponse, body: unknown, status = 200): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** The happy WeCom: gettoken issues tok-N, contact-way calls answer errcode 0. */
const happy: Handler = (req, res) => {
  if (req.path === '/cgi-bin/gettoken')
    return json(res, {
      errcode: 0,
      errmsg: 'ok',
      access_token: `tok-${++tokenCounter}-xyz`,
      expires_in: 7200,
    });
  if (req.path.endsWith('/add_contact_way'))
    return json(res, { errcode: 0, errmsg: 'ok', config_id: 'cfg1', qr_code: 'https://qr/1' });
  return json(res, { errcode: 0, errmsg: 'ok' });
};

/** Lets gettoken through and answers contact-way calls with `fn`. */
function onCalls(fn: Handler): Handler {
  return (req, res) => (req.path === '/cgi-bin/gettoken' ? happy(req, res) : fn(req, res));
}

const calls = () => seen.filter((s) => s.path !== '/cgi-bin/gettoken');
const gettokens = () => seen.filter((s) => s.path === '/cgi-bin/gettoken');

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const entry = { method: req.method ?? '', path: url.pathname, query: url.searchParams, body };
      seen.push(entry);
      handler(entry, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  seen = [];
  handler = happy;
});

afterEach(() => {
  for (const res of hanging.splice(0)) res.destroy();
});

function client(overrides: Partial<WecomClientOptions> = {}) {
  return createWecomClient({
    baseUrl: `${base}/`,
    tokens: corpSecretTokenSource({ corpId: CORP, corpSecret: SECRET }),
    cache: new Keyv(),
    sleep: async () => {},
    random: () => 0.5,
    timeoutMs: 2_000,
    ...overrides,
  });
}

async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

/** Everything an error can leak through. */
function everythingAbout(error: Error): string {
  const parts = [error.message, String(error.stack), JSON.stringify(error)];
  let cause: unknown = error.cause;
  while (cause instanceof Error) {
    parts.push(cause.message, String(cause.stack), JSON.stringify(cause));
    cause = cause.cause;
  }
  return parts.join('\n');
}

describe('wire format', () => {
  it('GIVEN a call THEN gettoken is a GET with corpid and corpsecret, and the token goes in the query only', async () => {
    await client().addContactWay({ type: 1, scene: 2, user: ['zhangsan'] });
    expect(gettokens()).toHaveLength(1);
    expect(gettokens()[0]?.method).toBe('GET');
    expect(gettokens()[0]?.query.get('corpid')).toBe(CORP);
    expect(gettokens()[0]?.query.get('corpsecret')).toBe(SECRET);
    const [call] = calls();
    expect(call?.method).toBe('POST');
    expect(call?.path).toBe('/cgi-bin/externalcontact/add_contact_way');
    expect([...(call?.query.keys() ?? [])]).toEqual(['access_token']);
    expect(call?.query.get('access_token')).toBe(`tok-${tokenCounter}-xyz`);
    expect(call?.body).not.toContain('access_token');
    expect(call?.body).not.toContain('tok-');
  });

  it('GIVEN a minimal request THEN the body has exactly the keys given (no skip_verify:false)', async () => {
    const c = client();
    await c.addContactWay({ type: 1, scene: 2, user: ['zhangsan'] });
    await c.addContactWay({
      type: 1,
      scene: 2,
      user: ['zhangsan'],
      remark: undefined,
      skip_verify: undefined,
    });
    await c.updateContactWay({ config_id: 'cfg1', remark: 'x' });
    const bodies = calls().map((s) => JSON.parse(s.body) as Record<string, unknown>);
    expect(Object.keys(bodies[0] ?? {}).sort()).toEqual(['scene', 'type', 'user']);
    expect(Object.keys(bodies[1] ?? {}).sort()).toEqual(['scene', 'type', 'user']);
    expect(bodies[2]).toEqual({ config_id: 'cfg1', remark: 'x' });
  });

  it('GIVEN skip_verify false set on purpose THEN it is sent', async () => {
    await client().addContactWay({ type: 1, scene: 2, user: ['zhangsan'], skip_verify: false });
    expect(JSON.parse(calls()[0]?.body ?? '{}')).toMatchObject({ skip_verify: false });
  });

  it('GIVEN each endpoint THEN posts to its path with its body', async () => {
    handler = onCalls((req, res) => {
      if (req.path.endsWith('/get_contact_way'))
        return json(res, { errcode: 0, errmsg: 'ok', contact_way: { config_id: 'cfg1', type: 1, scene: 2 } });
      if (req.path.endsWith('/list_contact_way'))
        return json(res, { errcode: 0, errmsg: 'ok', contact_way: [{ config_id: 'a' }], next_cursor: '' });
      return json(res, { errcode: 0, errmsg: 'ok' });
    });
    const c = client();
    expect(await c.getContactWay('cfg1')).toMatchObject({ config_id: 'cfg1', type: 1 });
    expect(await c.listContactWay({ limit: 10 })).toEqual({ configIds: ['a'], nextCursor: undefined });
    await c.deleteContactWay('cfg1');
    await c.closeTempChat({ userid: 'zhangsan', external_userid: 'wmEXT' });
    expect(calls().map((s) => [s.path.split('/').pop(), JSON.parse(s.body)])).toEqual([
      ['get_contact_way', { config_id: 'cfg1' }],
      ['list_contact_way', { limit: 10 }],
      ['del_contact_way', { config_id: 'cfg1' }],
      ['close_temp_chat', { userid: 'zhangsan', external_userid: 'wmEXT' }],
    ]);
  });

  it('GIVEN an invalid request THEN ValidationError and nothing is sent, not even gettoken', async () => {
    const error = await caught(client().addContactWay({ type: 1, scene: 2, user: ['a', 'b'] }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.field).toBe('user');
    expect(seen).toHaveLength(0);
  });

  it('GIVEN a bad base URL THEN ConfigError at construction', () => {
    expect(() => client({ baseUrl: 'not a url' })).toThrow(ConfigError);
  });
});

describe('token handling', () => {
  it('GIVEN many calls THEN one gettoken; a second client on the same store reuses the token', async () => {
    const cache = new Keyv();
    const c = client({ cache });
    await Promise.all(Array.from({ length: 50 }, () => c.deleteContactWay('cfg1')));
    await client({ cache }).deleteContactWay('cfg1');
    expect(gettokens()).toHaveLength(1);
    expect(new Set(calls().map((s) => s.query.get('access_token'))).size).toBe(1);
  });

  it('GIVEN 42001 once THEN refreshes and retries exactly once', async () => {
    let failures = 1;
    handler = onCalls((_req, res) =>
      failures-- > 0 ? json(res, { errcode: 42001, errmsg: 'access_token expired' }) : happy(_req, res),
    );
    await client().deleteContactWay('cfg1');
    expect(gettokens()).toHaveLength(2);
    const [first, second] = calls().map((s) => s.query.get('access_token'));
    expect(first).not.toBe(second);
  });

  it('GIVEN a token error twice THEN fails after exactly one retry', async () => {
    handler = onCalls((_req, res) => json(res, { errcode: 40014, errmsg: 'invalid access_token' }));
    const error = await caught(client().deleteContactWay('cfg1'));
    expect(error).toBeInstanceOf(WecomError);
    expect((error as WecomError).errcode).toBe(40014);
    expect(calls()).toHaveLength(2);
    expect(gettokens()).toHaveLength(2);
  });

  it('GIVEN a wrong secret THEN gettoken fails with 40001 explained and never retried', async () => {
    handler = (_req, res) =>
      json(res, { errcode: 40001, errmsg: 'invalid credential, hint: [abc], from ip: 1.2.3.4' });
    const error = await caught(client().deleteContactWay('cfg1'));
    expect(error).toBeInstanceOf(WecomError);
    expect((error as WecomError).endpoint).toBe('gettoken');
    expect((error as WecomError).errmsg).toBe('invalid credential');
    expect(error.message).toMatch(/WECOM_CORP_SECRET/);
    expect(seen).toHaveLength(1);
    expect(everythingAbout(error)).not.toContain(SECRET);
  });
});

describe('retries', () => {
  it('GIVEN -1 three times THEN succeeds on the fourth attempt with growing waits', async () => {
    let failures = 3;
    handler = onCalls((req, res) =>
      failures-- > 0 ? json(res, { errcode: -1, errmsg: 'system busy' }) : happy(req, res),
    );
    const waits: number[] = [];
    await client({ sleep: async (ms) => void waits.push(ms) }).deleteContactWay('cfg1');
    expect(calls()).toHaveLength(4);
    expect(waits).toHaveLength(3);
    expect(waits[1]).toBeGreaterThan(waits[0] ?? 0);
  });

  it('GIVEN 6000 forever THEN gives up after 3 retries with WecomError', async () => {
    handler = onCalls((_req, res) => json(res, { errcode: 6000, errmsg: 'data version conflict' }));
    const error = await caught(client().updateContactWay({ config_id: 'cfg1', remark: 'x' }));
    expect((error as WecomError).errcode).toBe(6000);
    expect(calls()).toHaveLength(4);
  });

  it('GIVEN 45009 THEN RateLimitError of 60 s, no retry', async () => {
    handler = onCalls((_req, res) => json(res, { errcode: 45009, errmsg: 'api freq out of limit' }));
    const error = await caught(client().deleteContactWay('cfg1'));
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).retryAfterMs).toBe(60_000);
    expect(calls()).toHaveLength(1);
  });

  it('GIVEN HTTP 503 on a safe call THEN retried (bounded); on add THEN not retried', async () => {
    handler = onCalls((_req, res) => {
      res.writeHead(503, { 'content-type': 'text/html' });
      res.end('<html>503 Service Unavailable</html>');
    });
    const c = client();
    const error = await caught(c.getContactWay('cfg1'));
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).code).toBe('wecom.unreachable');
    expect(error.message).toContain('HTTP 503');
    expect(calls()).toHaveLength(4);
    seen = [];
    await caught(c.addContactWay({ type: 1, scene: 2, user: ['zhangsan'] }));
    expect(calls()).toHaveLength(1);
  });

  it('GIVEN HTTP 404 THEN bad_response pointing at WECOM_API_BASE, not retried', async () => {
    handler = onCalls((_req, res) => {
      res.writeHead(404);
      res.end('not found');
    });
    const error = await caught(client().getContactWay('cfg1'));
    expect((error as UpstreamError).code).toBe('wecom.bad_response');
    expect(error.message).toContain('WECOM_API_BASE');
    expect(calls()).toHaveLength(1);
  });
});

describe('bad answers', () => {
  it('GIVEN a garbage body THEN bad_response with a bilingual hint', async () => {
    handler = onCalls((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>Login</html>');
    });
    const error = await caught(client().deleteContactWay('cfg1'));
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).code).toBe('wecom.bad_response');
    // The operator's hint is in the message (logs); the requester's text names no setting and no URL.
    expect(error.message).toContain('WECOM_API_BASE');
    expect((error as UpstreamError).human.zh).not.toMatch(/WECOM_API_BASE|https?:/);
  });

  it('GIVEN JSON without errcode THEN bad_response', async () => {
    handler = onCalls((_req, res) => json(res, { hello: 'world' }));
    const error = await caught(client().deleteContactWay('cfg1'));
    expect((error as UpstreamError).code).toBe('wecom.bad_response');
    expect(error.message).toContain('errcode');
  });

  it('GIVEN errcode 0 but no config_id from add THEN bad_response', async () => {
    handler = onCalls((_req, res) => json(res, { errcode: 0, errmsg: 'ok' }));
    const error = await caught(client().addContactWay({ type: 1, scene: 2, user: ['zhangsan'] }));
    expect((error as UpstreamError).code).toBe('wecom.bad_response');
  });

  it('GIVEN a WeCom error with hint noise THEN errmsg is stripped and the explanation is bilingual', async () => {
    handler = onCalls((_req, res) =>
      json(res, {
        errcode: 41044,
        errmsg:
          'invalid config_id, hint: [1714000000_12_abc], from ip: 203.0.113.7, more info at https://open.work.weixin.qq.com/devtool/query?e=41044',
      }),
    );
    const error = (await caught(client().getContactWay('cfg1'))) as WecomError;
    expect(error.errcode).toBe(41044);
    expect(error.errmsg).toBe('invalid config_id');
    expect(error.human.en).toMatch(/config_id/);
    expect(error.human.zh).toMatch(/config_id/);
    expect(error.endpoint).toBe('get_contact_way');
  });

  it('GIVEN a hanging server THEN times out with a clear error, no retry', async () => {
    handler = onCalls((_req, res) => void hanging.push(res));
    const outcomes: unknown[] = [];
    const started = Date.now();
    const error = await caught(
      client({ timeoutMs: 150, onCall: (info) => outcomes.push(info.errcode) }).getContactWay('cfg1'),
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).code).toBe('wecom.timeout');
    expect(error.message).toMatch(/150 ms/);
    expect(error.message).toMatch(/WECOM_TIMEOUT_MS/);
    expect(outcomes).toEqual([0, 'timeout']);
    expect(calls()).toHaveLength(1);
  });

  it('GIVEN headers then a stalled body THEN times out too', async () => {
    handler = onCalls((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"errcode":');
      hanging.push(res);
    });
    const error = await caught(client({ timeoutMs: 150 }).deleteContactWay('cfg1'));
    expect((error as UpstreamError).code).toBe('wecom.timeout');
  });

  it('GIVEN nothing listening THEN unreachable naming the cause, with the URL token and secret redacted', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await caught(client({ baseUrl: `http://127.0.0.1:${port}` }).accessToken());
    expect((error as UpstreamError).code).toBe('wecom.unreachable');
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(error.message).toMatch(/WECOM_API_BASE/);
    expect(everythingAbout(error)).not.toContain(SECRET);
  });

  it('GIVEN a fetch that throws with the URL in its message THEN the cause is redacted', async () => {
    const leakyFetch: typeof fetch = async (input) => {
      const error = new TypeError(`request to ${String(input)} failed`, {
        cause: new Error(`socket hang up for ${String(input)}`),
      });
      throw error;
    };
    let issued = '';
    const c = client({
      fetch: async (input, init) => {
        const url = new URL(String(input));
        if (url.pathname === '/cgi-bin/gettoken') {
          const res = await fetch(input, init);
          const body = (await res.clone().json()) as { access_token: string };
          issued = body.access_token;
          return res;
        }
        return leakyFetch(input, init);
      },
    });
    const error = await caught(c.deleteContactWay('cfg1'));
    expect((error as UpstreamError).code).toBe('wecom.unreachable');
    expect(issued).not.toBe('');
    const text = everythingAbout(error);
    expect(text).toContain('socket hang up');
    expect(text).not.toContain(issued);
  });
});

describe('paging', () => {
  it('GIVEN three pages THEN listAllContactWays follows next_cursor to the end', async () => {
    const pages: Record<string, { ids: string[]; next: string }> = {
      '': { ids: ['a', 'b'], next: 'c1' },
      c1: { ids: ['c', 'd'], next: 'c2' },
      c2: { ids: ['e'], next: '' },
    };
    handler = onCalls((req, res) => {
      const { cursor = '' } = JSON.parse(req.body) as { cursor?: string };
      const page = pages[cursor];
      json(res, {
        errcode: 0,
        errmsg: 'ok',
        contact_way: page?.ids.map((config_id) => ({ config_id })),
        next_cursor: page?.next,
      });
    });
    const ids: string[] = [];
    for await (const id of client().listAllContactWays({ limit: 2 })) ids.push(id);
    expect(ids).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(calls().map((s) => JSON.parse(s.body))).toEqual([
      { limit: 2 },
      { limit: 2, cursor: 'c1' },
      { limit: 2, cursor: 'c2' },
    ]);
  });

  it('GIVEN a cursor that repeats THEN stops with bad_response instead of looping', async () => {
    handler = onCalls((_req, res) =>
      json(res, { errcode: 0, errmsg: 'ok', contact_way: [{ config_id: 'a' }], next_cursor: 'same' }),
    );
    const ids: string[] = [];
    const error = await caught(
      (async () => {
        for await (const id of client().listAllContactWays()) ids.push(id);
      })(),
    );
    expect((error as UpstreamError).code).toBe('wecom.bad_response');
    expect(ids).toEqual(['a', 'a']);
  });
});
