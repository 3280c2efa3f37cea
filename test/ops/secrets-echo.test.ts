import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecrets } from '../../src/base/secrets.js';
import { configSecrets, loadConfig } from '../../src/config.js';
import { asOpened } from '../fixtures/console-lines.js';
import { startConsoleSession } from '../fixtures/console-session.js';
import { eventually, startLoggedBot } from '../fixtures/logged-bot.js';
import { type SlackUser, stateFromView } from '../fixtures/slack/requests.js';

/**
 * Issue 17 item 7: an upstream (WeCom, or a proxy in front of it) that echoes credentials back — the corp
 * secret, the callback Token and EncodingAESKey, the access token — in an errmsg or an error page. Before,
 * only the credentials sent with that one request were scrubbed, so the corp secret and the callback pair
 * reached the log lines verbatim. Through the doors a person uses: a console session and a signed Slack
 * request, with every log line, the terminal and every Slack message checked.
 */

const CORP_SECRET = 'EchoCorpSecret9Qz4WmK2vX7pL1nB8tR5y';
const CALLBACK_TOKEN = 'EchoCbToken7Kq2Z';
const AES_KEY = 'EchoAesKey0123456789abcdefghijklmnopqrstuvw';
const ACCESS_TOKEN = 'EchoAccessToken-fetched-at-runtime-42';
const SLACK_BOT_TOKEN = 'xoxb-1111-2222-EchoSlackBotToken';
const SLACK_SIGNING_SECRET = 'EchoSigningSecret5f3e0c5d2a7b9e1f';
const SECRETS = { CORP_SECRET, CALLBACK_TOKEN, AES_KEY, ACCESS_TOKEN, SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET };

let server: Server;
let base: string;
const seenPaths: string[] = [];

beforeAll(async () => {
  // A WeCom that issues a token, then answers add_contact_way with an errmsg quoting every credential, and
  // everything else (the directory's reads) with a proxy error page that starts with the callback pair.
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const endpoint = new URL(req.url ?? '/', 'http://x').pathname.split('/').pop() ?? '';
      seenPaths.push(endpoint);
      if (endpoint === 'gettoken') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(
          JSON.stringify({ errcode: 0, errmsg: 'ok', access_token: ACCESS_TOKEN, expires_in: 7200 }),
        );
      }
      if (endpoint === 'add_contact_way') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(
          JSON.stringify({
            errcode: 40003,
            errmsg: `invalid userid; debug: corpsecret ${CORP_SECRET} token ${CALLBACK_TOKEN} key ${AES_KEY} at ${ACCESS_TOKEN}`,
          }),
        );
      }
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`${AES_KEY}|${CALLBACK_TOKEN} <html>proxy error for ${CORP_SECRET}</html>`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const WECOM_ENV = () => ({
  WECOM_CORP_ID: 'ww_echo',
  WECOM_CORP_SECRET: CORP_SECRET,
  WECOM_CALLBACK_TOKEN: CALLBACK_TOKEN,
  WECOM_CALLBACK_AES_KEY: AES_KEY,
  WECOM_API_BASE: base,
  WECOM_TIMEOUT_MS: '1000',
});

function leaks(outputs: string[]): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(SECRETS)) {
    const hits = outputs.filter((text) => text.includes(value)).map((text) => text.slice(0, 300));
    if (hits.length > 0) found[name] = hits;
  }
  return found;
}

describe('secrets echoed by an upstream (issue 17 item 7)', () => {
  it('GIVEN WeCom echoes every credential WHEN a console user runs temp THEN no log line and no reply carries one', async () => {
    const session = await startConsoleSession({ ...WECOM_ENV(), LOG_LEVEL: 'debug' });
    try {
      const transcript = await session.run([...asOpened('temp zhangsan'), 'exit']);
      expect(transcript).toMatch(/40003/);
      // The directory's first fill ran into the proxy page too.
      await eventually(async () => session.logs.lines.some((l) => l.includes('not in WeCom')));
      const lines = session.logs.lines;
      expect(lines.some((l) => l.includes('"errcode":40003'))).toBe(true);
      expect(lines.join('\n')).toContain('[redacted]');
      expect(leaks([transcript, ...lines])).toEqual({});
    } finally {
      await session.close();
    }
  });

  it('GIVEN the same WeCom WHEN a Slack user submits temp THEN no log line and no Slack message carries one', async () => {
    const bot = await startLoggedBot({
      env: WECOM_ENV(),
      slack: { botToken: SLACK_BOT_TOKEN, signingSecret: SLACK_SIGNING_SECRET },
    });
    try {
      const slack = bot.slack!;
      const alice: SlackUser = { teamId: 'T_ECHO', userId: 'U_ALICE', userName: 'alice' };
      const sent = await slack.command(alice, 'temp zhangsan');
      const view = await slack.openedView(sent.triggerId);
      const submitted = await slack.submit(alice, view, stateFromView(view));
      const reply = await slack.fake.waitFor(() => slack.fake.responsesTo(sent.responseId)[0]);
      await eventually(async () => bot.logs.lines.some((l) => l.includes('not in WeCom')));
      expect(JSON.stringify(reply)).toMatch(/40003/);
      const messages = [
        submitted.text,
        ...slack.fake.calls.map(({ args: { token: _token, ...args }, result }) =>
          JSON.stringify({ args, result }),
        ),
        ...slack.fake.responses.map((r) => JSON.stringify(r.body)),
      ];
      expect(bot.logs.lines.some((l) => l.includes('"errcode":40003'))).toBe(true);
      expect(leaks([...messages, ...bot.logs.lines])).toEqual({});
    } finally {
      await bot.close();
    }
  });
});

describe('the secrets registry', () => {
  it('scrubs raw, JSON-escaped and URL-encoded forms, a store URL password, and skips values too short to cut', () => {
    const secrets = createSecrets(
      ...configSecrets(
        loadConfig({
          STORE_URL: 'redis://:p%40ss-w0rd-long@redis.internal:6379',
          WECOM_CALLBACK_TOKEN: 'abc',
          WECOM_CALLBACK_AES_KEY: AES_KEY,
        }),
      ),
    );
    secrets.remember(ACCESS_TOKEN);
    const quoted = 'k"ey\\with-quotes';
    secrets.add(quoted);
    expect(secrets.scrub('pw p@ss-w0rd-long and p%40ss-w0rd-long')).toBe('pw [redacted] and [redacted]');
    expect(secrets.scrub(JSON.stringify({ m: `x ${quoted} ${AES_KEY}` }))).toBe(
      '{"m":"x [redacted] [redacted]"}',
    );
    expect(secrets.scrub(`?k=${encodeURIComponent(AES_KEY)}&t=${ACCESS_TOKEN}`)).toBe(
      '?k=[redacted]&t=[redacted]',
    );
    // A 3-letter Token would cut "abc" out of every word that holds it.
    expect(secrets.scrub('abcdef')).toBe('abcdef');
  });
});
