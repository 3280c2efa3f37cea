import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackRequester } from '../../adapters/slack/requester.js';
import {
  type CommandContext,
  checkSubmission,
  formFor,
  parseText,
  type Reply,
  runCommand,
} from '../../commands/index.js';
import type { FaultSpec, Sandbox } from '../../src/sandbox/index.js';
import type { Requester } from '../../src/store/index.js';
import { type LoggedBot, startLoggedBot } from '../fixtures/logged-bot.js';
import { type SlackUser, stateFromView } from '../fixtures/slack/requests.js';

/**
 * WeCom slow, down, answering -1 repeatedly, HTTP 5xx or garbage, through the real Slack adapter (signed
 * requests, Bolt, the fake Slack) on the real core: the requester's command and submission are acked
 * within Slack's 3 s, the final message arrives, says what happened in the requester's language and carries
 * no stack, and nothing half-created is left on our side (no record, no journal entry, and every contact
 * way WeCom lists has its record).
 */

const TIMEOUT_MS = 300;
/** Slack shows "operation_timeout" when a command or submission is not acked within 3 s. */
const SLACK_ACK_DEADLINE_MS = 3_000;
/** The final message: WeCom's timeout plus bounded retries (≤ 1.4 s of back-off) plus delivery. */
const REPLY_DEADLINE_MS = 8_000;
const STACK = /\bat .+\(.*:\d+:\d+\)|node_modules|\.ts:\d+/;

const ALICE: SlackUser = { teamId: 'T_ACME', userId: 'U_ALICE', userName: 'alice' };
const CHEN: SlackUser = { teamId: 'T_ACME', userId: 'U_CHEN', userName: 'chen' };
const ADMIN: Requester = { platform: 'console', workspaceId: 'local', userId: 'root' };

const SIGNING_SECRET = 'faults-signing-secret';
const slackCredentials = { botToken: 'xoxb-faults', signingSecret: SIGNING_SECRET };

interface Outcome {
  commandAckMs: number;
  submitAckMs: number;
  /** From the submission to the final message on the response_url. */
  replyMs: number;
  /** Everything the requester was sent for this command (response_url posts and the modal's last state). */
  text: string;
  /** Every Slack API call and response_url post the bot made during the flow, minus the modal's metadata. */
  sentToSlack: string;
}

/** `/contactway <text>`, the modal submitted as opened, and the final message, timed as Slack sees them. */
async function createThroughSlack(bot: LoggedBot, user: SlackUser, text: string): Promise<Outcome> {
  const slack = bot.slack!;
  const [callsBefore, responsesBefore] = [slack.fake.calls.length, slack.fake.responses.length];
  const uploadsBefore = slack.fake.dmUploadsTo(user.userId).length;
  const sent = await slack.command(user, text);
  expect(sent.status).toBe(200);
  const view = await slack.openedView(sent.triggerId);
  const submitted = await slack.submit(user, view, stateFromView(view));
  expect(submitted.status).toBe(200);
  expect(JSON.parse(submitted.text)).toMatchObject({ response_action: 'update' });
  // The final message: the QR in the requester's DM after a creation, else the ephemeral reply.
  const newUploads = () => slack.fake.dmUploadsTo(user.userId).slice(uploadsBefore);
  const reply = await slack.fake.waitFor(
    () => newUploads()[0] ?? slack.fake.responsesTo(sent.responseId)[0],
    REPLY_DEADLINE_MS,
  );
  // The modal's final state (the form re-rendered in another language is an earlier update).
  const update = await slack.fake.waitFor(() =>
    slack.fake
      .callsTo('views.update')
      .find(
        (c) =>
          c.args.view_id === view.id &&
          String((c.args.view as { callback_id?: string }).callback_id).endsWith('.status'),
      ),
  );
  return {
    commandAckMs: sent.elapsedMs,
    submitAckMs: submitted.elapsedMs,
    replyMs: reply.at - submitted.sentAt,
    text: JSON.stringify([
      slack.fake.responsesTo(sent.responseId).map((r) => r.body),
      newUploads().map((c) => c.args.blocks),
      update.args.view,
    ]),
    sentToSlack: JSON.stringify([
      // private_metadata carries Slack's own response_url back to Slack; it is not a message.
      slack.fake.calls
        .slice(callsBefore)
        .map((c) => JSON.stringify(c.args).replace(/"private_metadata":"(\\.|[^"\\])*"/g, '')),
      slack.fake.responses.slice(responsesBefore).map((r) => r.body),
    ]),
  };
}

/** Internals that belong in the operator's logs, never in a chat message. */
const INTERNALS = [
  /https?:\/\//,
  /127\.0\.0\.1/,
  /ECONNREFUSED/,
  /cgi-bin/,
  /WECOM_API_BASE/,
  /upstream garbage|<html/,
];

function expectClearFailure(outcome: Outcome, message: RegExp): void {
  expect(outcome.commandAckMs).toBeLessThan(SLACK_ACK_DEADLINE_MS);
  expect(outcome.submitAckMs).toBeLessThan(SLACK_ACK_DEADLINE_MS);
  expect(outcome.replyMs).toBeLessThan(REPLY_DEADLINE_MS);
  expect(outcome.text).toMatch(message);
  expect(outcome.text).not.toMatch(STACK);
  expect(outcome.text).not.toMatch(/Something went wrong on our side|系统内部出错/);
  for (const internal of INTERNALS) expect(outcome.sentToSlack).not.toMatch(internal);
}

/** `new` for two members through the console: a permanent way, which WeCom's list_contact_way shows. */
async function createPermanent(bot: LoggedBot): Promise<Reply> {
  const ctx: CommandContext = {
    requester: ADMIN,
    locale: 'en',
    timeZone: 'UTC',
    service: bot.core.service,
    sandbox: true,
  };
  const invocation = parseText('new');
  const form = formFor(invocation, 'en')!;
  const values = { ...Object.fromEntries(form.fields.map((f) => [f.id, f.default])), user: 'zhangsan,lisi' };
  const checked = checkSubmission(invocation, values, 'en');
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  return runCommand(ctx, invocation, checked.input);
}

/** Nothing orphaned on our side: every way WeCom lists has our record, and no record waits in the journal. */
async function expectNothingOrphaned(bot: LoggedBot): Promise<void> {
  const known = new Set((await bot.core.service.list(ADMIN)).map((r) => r.configId));
  const listed: string[] = [];
  for await (const id of bot.core.wecom.listAllContactWays()) listed.push(id);
  expect(listed.filter((id) => !known.has(id))).toEqual([]);
}

interface FaultCase {
  name: string;
  arrange(sandbox: Sandbox): void;
  en: RegExp;
  zh: RegExp;
  /** What the operator's log must show: where the bot called, and what came back. */
  logged: RegExp[];
}

const fault = (spec: FaultSpec) => (sandbox: Sandbox) =>
  sandbox.inject({ endpoint: 'add_contact_way', ...spec });

/** The URL the bot called, as the log names it (the sandbox listens on 127.0.0.1). */
const CALLED_URL = /http:\/\/127\.0\.0\.1:\d+\/cgi-bin\//;

const CASES: FaultCase[] = [
  {
    name: 'answering -1 (busy) on every retry',
    arrange: fault({ errcode: -1, times: 10 }),
    en: /WeCom is busy\. Try again in a moment\. \(WeCom errcode -1/,
    zh: /企业微信系统繁忙，请稍后重试。（企业微信错误码 -1/,
    logged: [/"errcode":-1/],
  },
  {
    name: 'answering HTTP 503',
    arrange: fault({ status: 503, times: 10 }),
    en: /WeCom answered HTTP 503: WeCom or a proxy in between is failing\. Try again in a few minutes/,
    zh: /企业微信返回 HTTP 503：企业微信或中间代理出错。请过几分钟再试/,
    logged: [/"status":503/, CALLED_URL],
  },
  {
    name: 'answering HTTP 502 (a proxy whose upstream is gone)',
    arrange: fault({ status: 502, times: 10 }),
    en: /WeCom answered HTTP 502: WeCom or a proxy in between is failing\. Try again in a few minutes/,
    zh: /企业微信返回 HTTP 502：企业微信或中间代理出错。请过几分钟再试/,
    logged: [/"status":502/, CALLED_URL],
  },
  {
    name: 'answering garbage (HTML labelled as JSON)',
    arrange: fault({ garbage: true, times: 10 }),
    en: /WeCom's answer was not in WeCom's format\. Tell whoever runs this bot/,
    zh: /企业微信返回的内容格式不对。请告知本机器人的管理员/,
    logged: [/upstream garbage/, CALLED_URL],
  },
  {
    name: 'never answering (a hung connection)',
    arrange: fault({ hang: true }),
    en: new RegExp(`WeCom did not answer within ${TIMEOUT_MS} ms\\. Try again in a few minutes`),
    zh: new RegExp(`企业微信在 ${TIMEOUT_MS} 毫秒内未响应。请过几分钟再试`),
    logged: [CALLED_URL],
  },
  {
    // Every call slower than WECOM_TIMEOUT_MS, the cached token expired meanwhile. (The sandbox applies its
    // latency before reading the request, so a late answer never creates a way there; real WeCom may create
    // one after we gave up, which add_contact_way's lack of an idempotency key makes impossible to detect.)
    name: 'slower than WECOM_TIMEOUT_MS',
    arrange: (sandbox) => {
      sandbox.expireTokens();
      sandbox.setLatency(TIMEOUT_MS * 4);
    },
    en: new RegExp(`WeCom did not answer within ${TIMEOUT_MS} ms\\. Try again in a few minutes`),
    zh: new RegExp(`企业微信在 ${TIMEOUT_MS} 毫秒内未响应。请过几分钟再试`),
    logged: [CALLED_URL],
  },
];

describe('WeCom faults through the Slack adapter', () => {
  let bot: LoggedBot;
  let sandbox: Sandbox;

  beforeAll(async () => {
    bot = await startLoggedBot({
      env: { WECOM_TIMEOUT_MS: String(TIMEOUT_MS), ADMINS: 'console:local:root' },
      slack: slackCredentials,
    });
    sandbox = bot.core.sandbox!;
    bot.slack!.fake.setLocale(CHEN.userId, 'zh-CN');
    // A first creation works: the token is cached and Chen's language is known, as on a running bot.
    await createThroughSlack(bot, CHEN, 'temp lisi');
    await createThroughSlack(bot, ALICE, 'temp lisi');
  });

  afterAll(async () => {
    await bot?.close();
  });

  for (const c of CASES) {
    it(`GIVEN WeCom ${c.name} THEN each requester hears it in their language within Slack's deadlines, and nothing is half-created`, async () => {
      const before = {
        alice: (await bot.core.service.list(slackRequester(ALICE.teamId, ALICE.userId))).length,
        chen: (await bot.core.service.list(slackRequester(CHEN.teamId, CHEN.userId))).length,
      };
      try {
        for (const [user, expected] of [
          [ALICE, c.en],
          [CHEN, c.zh],
        ] as const) {
          sandbox.clearFaults();
          c.arrange(sandbox);
          expectClearFailure(await createThroughSlack(bot, user, 'temp zhangsan'), expected);
        }
        sandbox.clearFaults();
        c.arrange(sandbox);
        expect((await createPermanent(bot)).status).toBe('error');
      } finally {
        sandbox.clearFaults();
        sandbox.setLatency(0);
      }
      expect((await bot.core.service.list(slackRequester(ALICE.teamId, ALICE.userId))).length).toBe(
        before.alice,
      );
      expect((await bot.core.service.list(slackRequester(CHEN.teamId, CHEN.userId))).length).toBe(
        before.chen,
      );
      await expectNothingOrphaned(bot);
      // The failure is in the logs for the operator, with where the bot called and what came back.
      const failures = bot.logs.lines.filter((l) => /wecom (call|http|answered|unreachable)/.test(l));
      for (const expected of c.logged) expect(failures.some((l) => expected.test(l))).toBe(true);
    });
  }

  it('GIVEN WeCom recovers THEN the next creation works and is stored', async () => {
    const outcome = await createThroughSlack(bot, ALICE, 'temp zhangsan');
    expect(outcome.text).toMatch(/config_id/);
    expect(await bot.core.service.list(slackRequester(ALICE.teamId, ALICE.userId))).toHaveLength(2);
    expect((await createPermanent(bot)).status).toBe('ok');
    await expectNothingOrphaned(bot);
  });
});

/** A port nothing listens on: taken from the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('WeCom down (nothing listening at WECOM_API_BASE)', () => {
  let bot: LoggedBot;

  beforeAll(async () => {
    bot = await startLoggedBot({
      env: {
        WECOM_CORP_ID: 'ww_down',
        WECOM_CORP_SECRET: 'down-secret',
        WECOM_API_BASE: `http://127.0.0.1:${await closedPort()}`,
        WECOM_TIMEOUT_MS: String(TIMEOUT_MS),
      },
      slack: slackCredentials,
    });
    bot.slack!.fake.setLocale(CHEN.userId, 'zh-CN');
  });

  afterAll(async () => {
    await bot?.close();
  });

  it('GIVEN WeCom cannot be reached THEN the requester is told so, in their language, and nothing is stored', async () => {
    // Chen's language is learned from users.info on the first command; the second one is answered in it.
    await createThroughSlack(bot, CHEN, 'temp zhangsan');
    for (const [user, expected] of [
      [ALICE, /Could not reach WeCom\. Try again in a few minutes/],
      [CHEN, /无法连接企业微信。请过几分钟再试/],
    ] as const) {
      expectClearFailure(await createThroughSlack(bot, user, 'temp zhangsan'), expected);
      expect(await bot.core.service.list(slackRequester(user.teamId, user.userId))).toEqual([]);
    }
    // The operator's log line has what the requester was spared: the URL and the network error.
    const unreachable = bot.logs.lines.filter((l) => l.includes('wecom unreachable'));
    expect(unreachable.some((l) => /http:\/\/127\.0\.0\.1:\d+\/cgi-bin\/gettoken/.test(l))).toBe(true);
    expect(unreachable.some((l) => l.includes('ECONNREFUSED'))).toBe(true);
  });
});
