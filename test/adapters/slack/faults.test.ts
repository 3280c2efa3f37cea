import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackRequester } from '../../../adapters/slack/requester.js';
import { type LoggedBot, startLoggedBot } from '../../fixtures/logged-bot.js';
import { type SlackUser, stateFromView } from '../../fixtures/slack/requests.js';

/**
 * Slack fails while the QR is being delivered: the response_url has expired, and files.* , chat.* and
 * views.update answer errors, so nothing reaches the requester. The contact way is stored all the same, the
 * logs say what was lost (with the config_id), and once Slack works again `list` names it and `show`
 * brings the QR back.
 */

const ALICE: SlackUser = { teamId: 'T_ACME', userId: 'U_ALICE', userName: 'alice' };
const alice = slackRequester(ALICE.teamId, ALICE.userId);
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

let bot: LoggedBot;

beforeAll(async () => {
  bot = await startLoggedBot({
    slack: { botToken: 'xoxb-slack-faults', signingSecret: 'slack-faults-secret' },
  });
});

afterAll(async () => {
  await bot?.close();
});

describe('Slack fails while posting the QR', () => {
  let configId = '';

  it('GIVEN every way to reach the requester fails THEN the contact way is still created and stored, and the loss is logged', async () => {
    const slack = bot.slack!;
    // The response_url Slack gave has expired (404), so delivery falls back to chat.postEphemeral, then a DM.
    const sent = await slack.command(ALICE, 'temp zhangsan', 'expired-qr');
    const view = await slack.openedView(sent.triggerId);
    // Each queued failure answers the next call to that method: the QR upload's completion, both message
    // fallbacks, and the modal's result update.
    slack.fake.failNext('files.completeUploadExternal', 'internal_error');
    slack.fake.failNext('chat.postEphemeral', 'channel_not_found');
    slack.fake.failNext('chat.postMessage', 'internal_error');
    slack.fake.failNext('views.update', 'internal_error');
    const submitted = await slack.submit(ALICE, view, stateFromView(view));
    expect(submitted.status).toBe(200);
    expect(submitted.elapsedMs).toBeLessThan(3_000);

    await slack.fake.waitFor(() =>
      slack.fake.callsTo('views.update').find((c) => c.args.view_id === view.id),
    );
    for (const method of [
      'files.completeUploadExternal',
      'chat.postEphemeral',
      'chat.postMessage',
      'views.update',
    ])
      expect(slack.fake.callsTo(method).map((c) => c.result?.ok)).toEqual([false]);
    expect(slack.fake.responses).toEqual([]);

    const [record] = await bot.core.service.list(alice);
    expect(record).toMatchObject({ requester: alice, isTemp: true, status: 'active' });
    configId = record!.configId;
    expect(bot.core.sandbox!.contactWay(configId)).toBeDefined();

    const logs = bot.logs.records();
    expect(logs.find((r) => String(r.msg).startsWith('Slack QR upload failed'))).toMatchObject({ configId });
    expect(logs.some((r) => r.msg === 'Slack reply could not be delivered by any means')).toBe(true);
  });

  it('GIVEN Slack works again THEN list names the contact way and show uploads its QR to the requester', async () => {
    const slack = bot.slack!;
    const list = await slack.command(ALICE, 'list');
    await slack.fake.waitFor(() => slack.fake.responsesTo(list.responseId)[0]);
    expect(JSON.stringify(slack.fake.responsesTo(list.responseId))).toContain(configId);

    const uploadsBefore = slack.fake.callsTo('files.completeUploadExternal').length;
    const show = await slack.command(ALICE, `show ${configId}`);
    await slack.fake.waitFor(() => slack.fake.responsesTo(show.responseId)[0]);
    expect(JSON.stringify(slack.fake.responsesTo(show.responseId))).toContain(configId);
    const complete = await slack.fake.waitFor(
      () => slack.fake.callsTo('files.completeUploadExternal')[uploadsBefore],
    );
    expect(complete.result?.ok).toBe(true);
    expect(complete.args.channel_id).toBe('D_ALICE');
    const [file] = complete.args.files as { id: string }[];
    expect(slack.fake.uploads.get(file!.id)?.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  });
});
