import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LoggedBot, startLoggedBot } from '../fixtures/logged-bot.js';
import { type SlackUser, stateFromView } from '../fixtures/slack/requests.js';

/**
 * Each log line carries its own fields plus the request's `requestId`, nothing a previous line of the same
 * request wrote. Driven through the real Slack adapter: a creation whose add_contact_way WeCom answers -1
 * (busy) once, retried and then successful, must end with a `command finished` line that has no `errcode`.
 */

const ALICE: SlackUser = { teamId: 'T_LOGS', userId: 'U_ALICE', userName: 'alice' };
const SIGNING_SECRET = 'logs-signing-secret';

describe('log lines of one request do not inherit each other’s fields', () => {
  let bot: LoggedBot;

  beforeAll(async () => {
    bot = await startLoggedBot({ slack: { botToken: 'xoxb-logs', signingSecret: SIGNING_SECRET } });
  });
  afterAll(async () => {
    await bot?.close();
  });

  it('GIVEN a WeCom call retried after errcode -1 THEN the successful "command finished" line has no errcode', async () => {
    const slack = bot.slack!;
    bot.core.sandbox!.inject({ endpoint: 'add_contact_way', errcode: -1, times: 1 });
    const sent = await slack.command(ALICE, 'temp zhangsan');
    const view = await slack.openedView(sent.triggerId);
    expect((await slack.submit(ALICE, view, stateFromView(view))).status).toBe(200);
    // The modal's result comes last, after the QR reached the DM.
    await slack.fake.waitFor(() => slack.fake.statusOf(view.id), 8_000);

    const records = bot.logs.records();
    const retried = records.find((r) => r.msg === 'wecom call failed' && r.errcode === -1);
    expect(retried).toBeDefined();
    const finished = records.find(
      (r) => r.msg === 'command finished' && r.command === 'temp' && r.requestId === retried!.requestId,
    );
    expect(finished).toMatchObject({ outcome: 'ok', requestId: expect.any(String) });
    expect(finished).not.toHaveProperty('errcode');
    expect(finished).not.toHaveProperty('errmsg');
    expect(finished).not.toHaveProperty('endpoint');
  });
});
