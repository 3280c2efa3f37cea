import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Keyv from 'keyv';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type CommandContext,
  checkSubmission,
  type Form,
  formFor,
  parseText,
  runCommand,
} from '../../commands/index.js';
import type { Core } from '../../src/app.js';
import { ForbiddenError, WecomError } from '../../src/base/errors.js';
import { silentLogger } from '../../src/base/logger.js';
import { outcomeOf } from '../../src/ops/command-observer.js';
import { createInFlight } from '../../src/ops/in-flight.js';
import { createMetrics, type OpsServer, startOpsServer } from '../../src/ops/index.js';
import { createReadiness } from '../../src/ops/readiness.js';
import { closeKeyv } from '../../src/store/index.js';
import { startCoreFromEnv } from '../fixtures/start-core.js';

/** The real core on the embedded sandbox, its ops handler on a port of its own (as main.ts serves it). */
interface Served {
  core: Core;
  server: OpsServer;
  get(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'contactway-ops-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function serve(env: Record<string, string> = {}): Promise<Served> {
  const { core } = await startCoreFromEnv(
    {
      STORE_URL: 'memory:',
      JOURNAL_PATH: join(dir, `pending-${Math.random()}.jsonl`),
      ...env,
    },
    silentLogger(),
  );
  const server = await startOpsServer({ port: 0, handler: core.ops.handler, logger: silentLogger() });
  return {
    core,
    server,
    get: (path, init) => fetch(`http://127.0.0.1:${server.port}${path}`, init),
    async close() {
      await server.close();
      await core.close();
    },
  };
}

function context(core: Core, requester = { workspaceId: 'T_ACME', userId: 'U_ALICE' }): CommandContext {
  return {
    requester: { platform: 'slack', displayName: 'alice', ...requester },
    locale: 'en',
    timeZone: 'UTC',
    service: core.service,
    sandbox: true,
    observer: core.ops.commands,
  };
}

/** `temp zhangsan` submitted with the form as opened, through runCommand as every adapter calls it. */
async function createTemp(core: Core, ctx = context(core)) {
  const invocation = parseText('temp zhangsan');
  const form = formFor(invocation, 'en') as Form;
  const values = Object.fromEntries(form.fields.map((f) => [f.id, f.default]));
  const checked = checkSubmission(invocation, values, 'en');
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  return runCommand(ctx, invocation, checked.input);
}

/** One sample's value from the exposition text, by metric name and exact labels. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/([a-z_]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    const wanted = Object.entries(labels);
    if (wanted.length === Object.keys(found).length && wanted.every(([k, v]) => found[k] === v))
      return Number(match[3]);
  }
  return undefined;
}

describe('GET /healthz, /readyz, /metrics on the ops server', () => {
  let s: Served | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it('GIVEN a running core THEN /healthz answers 200 ok', async () => {
    s = await serve();
    const response = await s.get('/healthz');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok');
  });

  it('GIVEN the store and WeCom answer THEN /readyz is 200 with each check as JSON', async () => {
    s = await serve();
    const response = await s.get('/readyz');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    const body = await response.json();
    expect(body).toMatchObject({ status: 'ready', checks: { store: { ok: true }, wecom: { ok: true } } });
  });

  it('GIVEN WeCom refuses gettoken (40001) THEN /readyz is 503 naming wecom and the errcode, never the secret or a token', async () => {
    s = await serve();
    s.core.sandbox?.inject({ errcode: 40001, endpoint: 'gettoken', times: 5 });
    const response = await s.get('/readyz');
    expect(response.status).toBe(503);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({
      status: 'not_ready',
      checks: { store: { ok: true }, wecom: { ok: false, error: 'errcode 40001' } },
    });
    expect(text).not.toContain(s.core.sandbox?.corpSecret);
    expect(text).not.toMatch(/access_token|corpsecret/i);
  });

  it('GIVEN the store is closed THEN /readyz is 503 naming the store', async () => {
    s = await serve({ STORE_URL: `sqlite://${join(dir, 'closed.sqlite')}` });
    await closeKeyv(s.core.keyv);
    const response = await s.get('/readyz');
    expect(response.status).toBe(503);
    const body = await response.json();
    expect(body).toMatchObject({ status: 'not_ready', checks: { store: { ok: false } } });
    // core.close() would close the store a second time: stop the rest by hand.
    await s.server.close();
    await s.core.sandbox?.close();
    s = undefined;
  });

  it('GIVEN shutdown began THEN /readyz is 503 "draining", so balancers send new requests elsewhere', async () => {
    s = await serve();
    s.core.ops.requests.drain();
    const response = await s.get('/readyz');
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ status: 'draining' });
  });

  it('GIVEN a temp QR created THEN /metrics counts the command, add_contact_way with errcode 0, one gettoken, and fills the histograms', async () => {
    s = await serve();
    const reply = await createTemp(s.core);
    expect(reply.status).toBe('ok');
    const response = await s.get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(sample(text, 'contactway_commands_total', { command: 'temp', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'contactway_wecom_calls_total', { endpoint: 'add_contact_way', errcode: '0' })).toBe(
      1,
    );
    expect(sample(text, 'contactway_wecom_calls_total', { endpoint: 'gettoken', errcode: '0' })).toBe(1);
    expect(sample(text, 'contactway_wecom_token_refreshes_total', { outcome: 'ok' })).toBe(1);
    expect(sample(text, 'contactway_command_duration_seconds_count', { command: 'temp' })).toBe(1);
    expect(sample(text, 'contactway_command_duration_seconds_bucket', { command: 'temp', le: '+Inf' })).toBe(
      1,
    );
    expect(sample(text, 'contactway_command_duration_seconds_bucket', { command: 'temp', le: '30' })).toBe(1);
    expect(
      sample(text, 'contactway_wecom_call_duration_seconds_bucket', {
        endpoint: 'add_contact_way',
        le: '+Inf',
      }),
    ).toBe(1);
    expect(sample(text, 'contactway_requests_in_flight')).toBe(0);
    expect(text).toContain('# TYPE contactway_command_duration_seconds histogram');
  });

  it('GIVEN a requester the policy refuses and a WeCom refusal THEN outcomes "denied" and "error", and WeCom calls counted by errcode', async () => {
    // Slack's access rule comes with Slack's settings (an app token is enough to read them).
    s = await serve({ SLACK_BOT_TOKEN: 'xoxb-t', SLACK_APP_TOKEN: 'xapp-t', ACCESS_SLACK_TEAMS: 'T_OTHER' });
    const denied = await createTemp(s.core);
    expect(denied.status).toBe('error');
    s.core.sandbox?.inject({ errcode: 60111, endpoint: 'add_contact_way' });
    await createTemp(s.core, context(s.core, { workspaceId: 'T_OTHER', userId: 'U_BOB' }));
    const text = await (await s.get('/metrics')).text();
    expect(sample(text, 'contactway_commands_total', { command: 'temp', outcome: 'denied' })).toBe(1);
    expect(sample(text, 'contactway_commands_total', { command: 'temp', outcome: 'error' })).toBe(1);
    expect(
      sample(text, 'contactway_wecom_calls_total', { endpoint: 'add_contact_way', errcode: '60111' }),
    ).toBe(1);
  });

  it('GIVEN an unknown path or a POST THEN 404 and 405', async () => {
    s = await serve();
    expect((await s.get('/nope')).status).toBe(404);
    const post = await s.get('/metrics', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('readiness', () => {
  it('GIVEN probes within the cache window THEN the store and WeCom are asked once; after it, again', async () => {
    let nowMs = 0;
    const keyv = new Keyv();
    const set = vi.spyOn(keyv, 'set');
    const accessToken = vi.fn(async () => 'token');
    const readiness = createReadiness({
      keyv,
      wecom: { accessToken },
      draining: () => false,
      cacheMs: 5_000,
      now: () => nowMs,
    });
    const [a, b] = await Promise.all([readiness.check(), readiness.check()]);
    await readiness.check();
    expect(a.status).toBe('ready');
    expect(b).toEqual(a);
    expect(accessToken).toHaveBeenCalledTimes(1);
    expect(set).toHaveBeenCalledTimes(1);
    nowMs = 5_000;
    await readiness.check();
    expect(accessToken).toHaveBeenCalledTimes(2);
  });

  it('GIVEN a check that hangs THEN it fails as "timeout" instead of holding the probe', async () => {
    const readiness = createReadiness({
      keyv: new Keyv(),
      wecom: { accessToken: () => new Promise<string>(() => {}) },
      draining: () => false,
      timeoutMs: 20,
    });
    const report = await readiness.check();
    expect(report).toMatchObject({ status: 'not_ready', checks: { wecom: { ok: false, error: 'timeout' } } });
  });

  it('GIVEN errors carrying text THEN only a code is reported', async () => {
    const readiness = createReadiness({
      keyv: new Keyv(),
      wecom: {
        accessToken: async () => {
          throw new Error('connect ECONNREFUSED https://qyapi.example/cgi-bin/gettoken?corpsecret=s3cr3t');
        },
      },
      draining: () => false,
    });
    const report = await readiness.check();
    expect(report.checks.wecom).toMatchObject({ ok: false, error: 'unavailable' });
    expect(JSON.stringify(report)).not.toContain('s3cr3t');
  });
});

describe('command outcomes', () => {
  it('GIVEN each kind of end THEN its label', () => {
    expect(outcomeOf({ status: 'ok' })).toBe('ok');
    expect(outcomeOf({ status: 'info' })).toBe('ok');
    expect(outcomeOf({ status: 'error' })).toBe('error');
    expect(outcomeOf({ error: new ForbiddenError() })).toBe('denied');
    expect(
      outcomeOf({
        error: new WecomError({ errcode: 1, errmsg: 'x', endpoint: 'e', human: { en: '', zh: '' } }),
      }),
    ).toBe('error');
    expect(outcomeOf({ error: new Error('bug') })).toBe('error');
  });

  it('GIVEN a metrics registry per core THEN two cores never share counters', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.commandFinished({ command: 'list', outcome: 'ok', ms: 1 });
    expect(
      sample((await b.render()).text, 'contactway_commands_total', { command: 'list', outcome: 'ok' }),
    ).toBe(undefined);
  });
});

describe('in-flight requests', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('GIVEN requests in flight THEN settled waits for the last one; draining only stops new ones', async () => {
    const inFlight = createInFlight();
    let finish!: () => void;
    const running = inFlight.track(() => new Promise<void>((resolve) => (finish = resolve)));
    expect(inFlight.count).toBe(1);
    inFlight.drain();
    expect(inFlight.draining).toBe(true);
    let settled: boolean | undefined;
    const waiting = inFlight.settled(10_000).then((v) => (settled = v));
    await Promise.resolve();
    expect(settled).toBeUndefined();
    finish();
    await running;
    await waiting;
    expect(settled).toBe(true);
    expect(inFlight.count).toBe(0);
  });

  it('GIVEN a request that never ends THEN settled gives up after its timeout', async () => {
    vi.useFakeTimers();
    const inFlight = createInFlight();
    void inFlight.track(() => new Promise<void>(() => {}));
    const waiting = inFlight.settled(10_000);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(await waiting).toBe(false);
  });

  it('GIVEN a failing request THEN it still leaves the count', async () => {
    const inFlight = createInFlight();
    await expect(inFlight.track(() => Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(inFlight.count).toBe(0);
    expect(await inFlight.settled(0)).toBe(true);
  });
});
