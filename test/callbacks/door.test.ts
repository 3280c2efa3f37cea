import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackAdapter } from '../../adapters/slack/index.js';
import type { Core } from '../../src/app.js';
import { createLogger } from '../../src/base/logger.js';
import { storeNonces } from '../../src/callbacks/freshness.js';
import { contactEventXml, createWecomCrypto } from '../../src/callbacks/index.js';
import { withCallbacks } from '../../src/callbacks/mount.js';
import type { Bot } from '../../src/compose.js';
import { startOpsServer } from '../../src/ops/index.js';
import { closeKeyv, openKeyv } from '../../src/store/index.js';
import { type FakeSlack, startFakeSlack } from '../fixtures/slack/fake-slack.js';
import { BOT_TOKEN, SIGNING_SECRET } from '../fixtures/slack/harness.js';
import { adapterOf, startBot, startCoreFromEnv } from '../fixtures/start-core.js';
import { AES_KEY, post, TOKEN, wecomPost } from './fixture.js';

/**
 * `/wecom/callback` against someone without the secrets, through both doors src/main.ts opens on PORT:
 * Bolt's custom route (Slack HTTP mode) and the bot's own server (Discord, Socket Mode, console). Real
 * cores on one sqlite store (two instances), real HTTP requests, refusals read back from /metrics.
 */

const CORP = 'ww_sandbox_corp';
const IGNORED_EVENT = '<xml><MsgType>event</MsgType><Event>change_contact</Event></xml>';

let fake: FakeSlack;
let dir: string;
let bot: Bot;
let core: Core;
let other: Core;
let slack: SlackAdapter;
let stopOwn: () => Promise<void>;
let stopOther: () => Promise<void>;
/** Bolt's port, the own server's port (same core), and a second instance's own server. */
const doors = { bolt: '', own: '', other: '' };

beforeAll(async () => {
  fake = await startFakeSlack({ token: BOT_TOKEN });
  dir = mkdtempSync(join(tmpdir(), 'contactway-door-'));
  const env = {
    STORE_URL: `sqlite://${join(dir, 'store.sqlite')}`,
    JOURNAL_PATH: join(dir, 'journal.jsonl'),
    PORT: '0',
    WECOM_CALLBACK_TOKEN: TOKEN,
    WECOM_CALLBACK_AES_KEY: AES_KEY,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: fake.apiUrl,
  };
  const quiet = () => createLogger({ level: 'error', destination: { write: () => true } });
  bot = await startBot(env, quiet());
  core = bot.core;
  slack = adapterOf<SlackAdapter>(bot, 'slack');
  doors.bolt = `http://127.0.0.1:${slack.port}`;
  ({ url: doors.own, close: stopOwn } = await ownServer(core));
  other = (await startCoreFromEnv(env, quiet())).core;
  ({ url: doors.other, close: stopOther } = await ownServer(other));
}, 60_000);

afterAll(async () => {
  await stopOwn?.();
  await stopOther?.();
  await bot?.stop();
  await other?.close();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** PORT as src/main.ts serves it when no adapter owns it (Discord, Socket Mode, console). */
async function ownServer(c: Core): Promise<{ url: string; close: () => Promise<void> }> {
  if (!c.callbacks) throw new Error('callbacks are configured');
  const server = await startOpsServer({
    port: 0,
    host: '127.0.0.1',
    handler: withCallbacks(c.callbacks, c.ops.handler, c.logger),
    logger: c.logger,
  });
  return { url: `http://127.0.0.1:${server.port}`, close: () => server.close() };
}

/** `contactway_callback_refused_total` by reason, from the /metrics of the instance behind `origin`. */
async function refusals(origin = doors.bolt): Promise<Record<string, number>> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const [, reason, value] of text.matchAll(
    /^contactway_callback_refused_total\{reason="(\w+)"\} (\d+)$/gm,
  ))
    counts[reason as string] = Number(value);
  return counts;
}

/** A body WeCom's format would carry, with an Encrypt that is base64 of whole blocks but signed by no one. */
function unsignedQuery(): string {
  const timestamp = String(Math.floor(Date.now() / 1000));
  return new URLSearchParams({ msg_signature: '0'.repeat(40), timestamp, nonce: '42' }).toString();
}

/** One raw HTTP/1.1 POST on a socket: the headers, these body bytes, then nothing more until it closes. */
function rawPost(
  origin: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ answer: string; closedAfterMs: number }> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(Number(port), hostname, () => {
      const head = Object.entries({ host: `${hostname}:${port}`, ...headers })
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('');
      socket.write(`POST /wecom/callback?${unsignedQuery()} HTTP/1.1\r\n${head}\r\n${body}`);
    });
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
    });
    socket.on('error', reject);
    socket.on('close', () => resolve({ answer, closedAfterMs: Date.now() - started }));
  });
}

describe('WeCom callback door: nothing runs on a body before its signature is checked', () => {
  it('GIVEN an unsigned body whose XML is not well-formed THEN 401 bad_signature on both doors, never a parse (400)', async () => {
    const before = await refusals();
    // Valid base64 in Encrypt, broken XML all around it: a parser would fail (400 malformed) before any
    // signature check; the scan takes Encrypt and the signature refuses it.
    const junk = '<a><b c="'.repeat(300);
    const body = `<xml>${junk}<Encrypt><![CDATA[${'QUJD'.repeat(200)}]]></Encrypt>${junk}</xml>`;
    expect(body.length).toBeGreaterThan(6_000);
    for (const origin of [doors.bolt, doors.own]) {
      expect(await post(origin, { query: unsignedQuery(), body })).toEqual({
        status: 401,
        text: 'callback.bad_signature',
      });
    }
    expect((await refusals()).signature).toBe((before.signature ?? 0) + 2);
  });

  it('GIVEN a 60 kB body THEN 413 before it is read, on both doors; chunked (no length) is cut off at the limit too', async () => {
    const before = await refusals();
    const big = `<xml><Encrypt>${'QUJD'.repeat(15_000)}</Encrypt></xml>`;
    for (const origin of [doors.bolt, doors.own]) {
      expect((await post(origin, { query: unsignedQuery(), body: big })).status).toBe(413);
      const chunk = 'A'.repeat(4_000);
      const chunked = await rawPost(
        origin,
        { 'transfer-encoding': 'chunked', 'content-type': 'text/xml' },
        `${(4_000).toString(16)}\r\n${chunk}\r\n`.repeat(3),
      );
      expect(chunked.answer).toMatch(/^HTTP\/1\.1 413 /);
    }
    expect((await refusals()).too_large).toBe((before.too_large ?? 0) + 4);
  });

  it('GIVEN a body that starts and then stalls (slow loris) THEN 408 and the socket closed within the 5 s limit, on both doors', async () => {
    const before = await refusals();
    const stalled = await Promise.all(
      [doors.bolt, doors.own].map((origin) =>
        rawPost(origin, { 'content-length': '1000', 'content-type': 'text/xml' }, '<xml><Encrypt>'),
      ),
    );
    for (const { answer, closedAfterMs } of stalled) {
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(closedAfterMs).toBeGreaterThanOrEqual(4_500);
      expect(closedAfterMs).toBeLessThan(7_000);
    }
    expect((await refusals()).slow_body).toBe((before.slow_body ?? 0) + 2);
  }, 20_000);
});

describe('WeCom callback door: freshness', () => {
  const yearAgo = String(Math.floor(Date.now() / 1000) - 365 * 24 * 3600);

  it('GIVEN a correctly signed event with a year-old timestamp THEN 403 stale, nothing stored', async () => {
    const before = await refusals();
    const event = contactEventXml({
      changeType: 'del_follow_user',
      corpId: CORP,
      userId: 'zhangsan',
      externalUserId: 'wm_year_old_replay',
      createTime: Number(yearAgo),
    });
    const answer = await post(doors.bolt, wecomPost(event, { receiveId: CORP, timestamp: yearAgo }));
    expect(answer).toEqual({ status: 403, text: 'callback.stale' });
    await core.callbacks?.idle();
    expect(await core.callbacks?.events.pending()).toEqual([]);
    expect((await refusals()).stale).toBe((before.stale ?? 0) + 1);
  });

  it('GIVEN WeCom’s URL verification with a year-old timestamp THEN 403 stale, the echostr not decrypted for it', async () => {
    const crypto = createWecomCrypto({ token: TOKEN, encodingAesKey: AES_KEY, receiveId: CORP });
    const echostr = crypto.encrypt('5927460113884125');
    const query = (timestamp: string, nonce: string) =>
      new URLSearchParams({
        msg_signature: crypto.sign(timestamp, nonce, echostr),
        timestamp,
        nonce,
        echostr,
      });
    const stale = await fetch(`${doors.own}/wecom/callback?${query(yearAgo, '7001')}`);
    expect(stale.status).toBe(403);
    expect(await stale.text()).toBe('callback.stale');
    const now = String(Math.floor(Date.now() / 1000));
    expect(await (await fetch(`${doors.own}/wecom/callback?${query(now, '7002')}`)).text()).toBe(
      '5927460113884125',
    );
  });

  it('GIVEN a timestamp 4 minutes off (skew, a late retry) THEN still accepted', async () => {
    const skewed = String(Math.floor(Date.now() / 1000) - 4 * 60);
    expect(await post(doors.own, wecomPost(IGNORED_EVENT, { receiveId: CORP, timestamp: skewed }))).toEqual({
      status: 200,
      text: 'success',
    });
  });

  it('GIVEN the same request again (a WeCom retry, same nonce) THEN success again; another message with that nonce, on another instance, is refused', async () => {
    const before = await refusals(doors.other);
    const nonce = `n${Date.now()}`;
    const first = wecomPost(IGNORED_EVENT, { receiveId: CORP, nonce });
    expect(await post(doors.bolt, first)).toEqual({ status: 200, text: 'success' });
    expect(await post(doors.other, first)).toEqual({ status: 200, text: 'success' });
    // Re-encrypted (new random bytes, new signature) but the same message: still a repeat of one delivery.
    expect(await post(doors.own, wecomPost(IGNORED_EVENT, { receiveId: CORP, nonce }))).toEqual({
      status: 200,
      text: 'success',
    });
    const another = wecomPost(IGNORED_EVENT.replace('change_contact', 'change_contact_other'), {
      receiveId: CORP,
      nonce,
    });
    // The second instance only knows the nonce through the shared store.
    expect(await post(doors.other, another)).toEqual({ status: 403, text: 'callback.replayed_nonce' });
    expect((await refusals(doors.other)).replayed_nonce).toBe((before.replayed_nonce ?? 0) + 1);
  });

  it('GIVEN /metrics THEN every refusal reason is listed, at 0 before the first', async () => {
    const counts = await refusals();
    expect(Object.keys(counts).sort()).toEqual(
      ['decrypt', 'malformed', 'replayed_nonce', 'signature', 'slow_body', 'stale', 'too_large'].sort(),
    );
  });
});

const shared = [
  ['Redis', process.env.REDIS_URL],
  ['PostgreSQL', process.env.POSTGRES_URL],
] as const;
for (const [name, url] of shared) {
  if (!url)
    console.warn(
      `Callback nonces on ${name} skipped: set ${name === 'Redis' ? 'REDIS_URL' : 'POSTGRES_URL'} to run it.`,
    );
  describe.skipIf(!url)(`callback nonces on ${name}: two connections, one memory`, () => {
    it('GIVEN a nonce claimed through one connection THEN the other sees its fingerprint', async () => {
      const namespace = `door-test-${randomBytes(4).toString('hex')}`;
      const [a, b] = [await openKeyv(url ?? '', { namespace }), await openKeyv(url ?? '', { namespace })];
      try {
        expect(await storeNonces(a)('1372623149', 'first', 60_000)).toBeUndefined();
        expect(await storeNonces(b)('1372623149', 'second', 60_000)).toBe('first');
        expect(await storeNonces(b)('99', 'other', 60_000)).toBeUndefined();
      } finally {
        await a.clear();
        await closeKeyv(a);
        await closeKeyv(b);
      }
    });
  });
}
