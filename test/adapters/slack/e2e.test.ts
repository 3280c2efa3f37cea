import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackRequester } from '../../../adapters/slack/requester.js';
import { shownButton } from '../../fixtures/slack/buttons.js';
import {
  ALICE,
  BOB,
  CHEN,
  SIGNING_SECRET,
  type SlackHarness,
  startSlackHarness,
} from '../../fixtures/slack/harness.js';
import {
  type OpenedView,
  postToApp,
  type SlackUser,
  type StateValues,
  slashCommandBody,
  stateFromView,
  withValue,
} from '../../fixtures/slack/requests.js';

/**
 * End to end through real Bolt over HTTP: signed requests in, a fake Slack Web API and the WeCom sandbox
 * behind the real core. Tests in this file run in order and share one app. What every adapter does (field
 * errors named, someone else's config_id, Delete, reopening after errors, late language and user groups) is
 * the chat contract's (test/chat-contract.ts); this file keeps what is Slack's own.
 */

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const EVE: SlackUser = { teamId: 'T_ACME', userId: 'U_EVE', userName: 'eve' };

let h: SlackHarness;

beforeAll(async () => {
  h = await startSlackHarness();
  h.fake.setLocale(CHEN.userId, 'zh-CN');
});

afterAll(async () => {
  await h?.close();
});

const who = (user: SlackUser) => slackRequester(user.teamId, user.userId);

const responseText = (responseId: string) => h.responseText(responseId);
const waitForResponse = (responseId: string) => h.waitForResponse(responseId);

/** Opens the form for a command and returns the view as Slack holds it. */
async function openForm(user: SlackUser, text: string): Promise<{ view: OpenedView; responseId: string }> {
  const sent = await h.command(user, text);
  expect(sent.status).toBe(200);
  return { view: await h.openedView(sent.triggerId), responseId: sent.responseId };
}

async function submitExpectingErrors(user: SlackUser, view: OpenedView, values: StateValues) {
  const result = await h.submit(user, view, values);
  expect(result.status).toBe(200);
  const ack = JSON.parse(result.text) as { response_action: string; errors: Record<string, string> };
  expect(ack.response_action).toBe('errors');
  return ack.errors;
}

function blockIds(view: OpenedView): string[] {
  return view.blocks.map((b) => String(b.block_id));
}

let aliceConfigId = '';
let bobConfigId = '';

describe('Slack adapter: /contactway temp → modal → QR', () => {
  it('GIVEN /contactway temp zhangsan THEN the ack is immediate and views.open follows at once with every temp field and its default', async () => {
    const sent = await h.command(ALICE, 'temp zhangsan');
    expect(sent.status).toBe(200);
    expect(sent.text).toBe('');
    expect(sent.elapsedMs).toBeLessThan(1000);
    const open = await h.fake.waitFor(() =>
      h.fake.callsTo('views.open').find((c) => c.args.trigger_id === sent.triggerId),
    );
    expect(open.at - sent.sentAt).toBeLessThan(1000);

    const view = await h.openedView(sent.triggerId);
    expect(view.type).toBe('modal');
    expect(view.callback_id).toBe('contactway_form');
    expect(String(view.private_metadata).length).toBeLessThanOrEqual(3000);
    expect(blockIds(view)).toEqual([
      'expires_in',
      'chat_expires_in',
      'remark',
      'state',
      'skip_verify',
      'conclusions',
      'image',
      'closing_link',
      'closing_miniprogram',
      'welcome',
      'welcome_links',
      'welcome_miniprograms',
      'welcome_image',
      'unionid',
      'remove_images',
    ]);
    const element = (id: string) =>
      view.blocks.find((b) => b.block_id === id)?.element as Record<string, unknown>;
    expect(element('expires_in')).toMatchObject({ type: 'plain_text_input', initial_value: '7d' });
    expect(element('chat_expires_in')).toMatchObject({ type: 'plain_text_input', initial_value: '24h' });
    expect(element('remark')).toMatchObject({ type: 'plain_text_input', max_length: 30 });
    expect(element('conclusions')).toMatchObject({ type: 'plain_text_input', multiline: true });
    expect(element('welcome_image')).toMatchObject({ type: 'file_input' });
    expect(element('skip_verify')).toMatchObject({
      type: 'checkboxes',
      initial_options: [{ value: 'true' }],
    });
  });

  it("GIVEN the modal submitted as opened THEN the QR PNG, facts and buttons go to the requester's DM, the modal shows the result, no channel summary repeats it, and the config_id is stored for them", async () => {
    const { view, responseId } = await openForm(ALICE, 'temp zhangsan');
    const result = await h.submit(ALICE, view, stateFromView(view));
    expect(result.status).toBe(200);
    expect(result.elapsedMs).toBeLessThan(1000);
    expect(JSON.parse(result.text)).toMatchObject({ response_action: 'update' });

    const complete = await h.fake.waitFor(() => h.fake.callsTo('files.completeUploadExternal')[0]);
    const dm = h.fake.callsTo('conversations.open').at(-1);
    expect(dm?.args.users).toBe(ALICE.userId);
    expect(complete.args.channel_id).toBe('D_ALICE');
    const files = complete.args.files as { id: string }[];
    const bytes = h.fake.uploads.get(files[0]!.id);
    expect(bytes?.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);

    const stored = await h.core.service.list(who(ALICE));
    expect(stored).toHaveLength(1);
    aliceConfigId = stored[0]!.configId;
    expect(stored[0]!.request.user).toEqual(['zhangsan']);

    // The DM message holds the QR with the facts and the buttons (only the requester sees their DM).
    const dmBlocks = JSON.stringify(complete.args.blocks);
    expect(dmBlocks).toContain(aliceConfigId);
    expect(dmBlocks).toContain('contactway.delete');
    expect(dmBlocks).toContain('"confirm"');
    // The modal shows the result too.
    const update = await h.fake.waitFor(() => h.fake.statusOf(view.id));
    expect(JSON.stringify(update.args.view)).toContain(aliceConfigId);
    // A third copy in the channel would only cost a Slack call per creation. The modal's result is sent after
    // the delivery (summary included, when there is one), so none can still be on its way.
    expect(h.fake.responsesTo(responseId)).toEqual([]);
  });
});

describe('Slack adapter: inline errors, by field kind, in the requester language', () => {
  it('GIVEN a bad duration, a remark over 30 characters and a boolean that is neither THEN each is reported under its own block and nothing is created', async () => {
    const { view } = await openForm(ALICE, 'temp zhangsan');
    const before = h.core.sandbox!.stats().calls.add_contact_way;
    let values = stateFromView(view);
    values = withValue(values, 'expires_in', { value: 'soon' });
    values = withValue(values, 'remark', { value: 'x'.repeat(31) });
    values = withValue(values, 'skip_verify', { selected_options: [{ value: 'n/a' }] });
    const errors = await submitExpectingErrors(ALICE, view, values);
    expect(Object.keys(errors).sort()).toEqual(['expires_in', 'remark', 'skip_verify']);
    expect(errors.expires_in).toMatch(/7d/);
    expect(errors.remark).toMatch(/30/);
    expect(errors.skip_verify).toMatch(/yes or no/);
    expect(h.core.sandbox!.stats().calls.add_contact_way).toBe(before);
    expect(await h.core.service.list(who(ALICE))).toHaveLength(1);
  });

  it('GIVEN /contactway new with a bad member userid THEN the members field gets the error', async () => {
    const { view } = await openForm(ALICE, 'new');
    expect(blockIds(view)).toContain('user');
    const errors = await submitExpectingErrors(
      ALICE,
      view,
      withValue(stateFromView(view), 'user', { value: 'zhangsan, bad/id!' }),
    );
    expect(Object.keys(errors)).toEqual(['user']);
    expect(errors.user).toMatch(/letters, digits/);
  });

  it('GIVEN a bad userid argument THEN no modal opens and the requester is told why, ephemerally', async () => {
    const sent = await h.command(ALICE, 'temp bad/id!');
    expect(sent.status).toBe(200);
    const reply = await waitForResponse(sent.responseId);
    expect(reply.body.response_type).toBe('ephemeral');
    expect(responseText(sent.responseId)).toMatch(/user/);
    expect(h.fake.callsTo('views.open').some((c) => c.args.trigger_id === sent.triggerId)).toBe(false);
  });

  it('GIVEN a requester whose Slack locale is zh-CN THEN the form is re-rendered in Chinese and errors are in Chinese', async () => {
    const sent = await h.command(CHEN, 'temp zhangsan');
    const view = await h.openedView(sent.triggerId);
    const update = await h.fake.waitFor(() =>
      h.fake.callsTo('views.update').find((c) => c.args.view_id === view.id),
    );
    expect(update.args.hash).toBe(view.hash);
    const zhView = { ...(update.result?.view as OpenedView) };
    expect(JSON.stringify(zhView.title)).toContain('临时会话二维码');
    const errors = await submitExpectingErrors(
      CHEN,
      zhView,
      withValue(stateFromView(zhView), 'expires_in', { value: 'soon' }),
    );
    expect(errors.expires_in).toMatch(/须为时长/);

    // Known now: the next form opens in Chinese straight away.
    const again = await h.command(CHEN, 'temp lisi');
    expect(JSON.stringify((await h.openedView(again.triggerId)).title)).toContain('临时会话二维码');
  });
});

describe('Slack adapter: one submission, one contact way', () => {
  it('GIVEN the same view submitted twice (a replay) THEN WeCom is called once and one record exists', async () => {
    const { view } = await openForm(CHEN, 'temp wangwu');
    const before = h.core.sandbox!.stats().calls.add_contact_way ?? 0;
    const uploadsBefore = h.fake.dmUploadsTo(CHEN.userId).length;
    const values = stateFromView(view);
    const [first, second] = await Promise.all([h.submit(CHEN, view, values), h.submit(CHEN, view, values)]);
    expect([first.status, second.status]).toEqual([200, 200]);
    // Both are answered (the QR in the DM), with the same contact way.
    const answers = await h.fake.waitFor(() => {
      const uploads = h.fake.dmUploadsTo(CHEN.userId).slice(uploadsBefore);
      return uploads.length >= 2 && uploads;
    });
    expect(h.core.sandbox!.stats().calls.add_contact_way).toBe(before + 1);
    const stored = await h.core.service.list(who(CHEN));
    expect(stored).toHaveLength(1);
    for (const upload of answers) expect(JSON.stringify(upload.args.blocks)).toContain(stored[0]!.configId);
  });
});

describe('Slack adapter: WeCom failures', () => {
  it('GIVEN WeCom refuses with 48002 THEN the requester gets the explanation, never a stack, and nothing is stored', async () => {
    const { view, responseId } = await openForm(BOB, 'temp zhangsan');
    h.core.sandbox!.inject({ errcode: 48002, endpoint: 'add_contact_way' });
    const result = await h.submit(BOB, view, stateFromView(view));
    expect(result.status).toBe(200);
    await waitForResponse(responseId);
    const text = responseText(responseId);
    expect(text).toContain('WeCom forbids this call');
    expect(text).toContain('Temporary sessions (is_temp) are only for medical-industry corps');
    expect(text).not.toMatch(/\bat [\w.<>]+ \(|node_modules|\.ts:\d+/);
    expect(await h.core.service.list(who(BOB))).toHaveLength(0);
    const update = await h.fake.waitFor(() =>
      h.fake.callsTo('views.update').find((c) => c.args.view_id === view.id),
    );
    expect(JSON.stringify(update.args.view)).toContain('WeCom forbids this call');
  });

  it('GIVEN WeCom takes 4 s THEN the command ack, views.open and the submission ack are still immediate', async () => {
    h.core.sandbox!.setLatency(4000);
    try {
      const sent = await h.command(BOB, 'temp lisi');
      expect(sent.elapsedMs).toBeLessThan(1000);
      const view = await h.openedView(sent.triggerId);
      const open = h.fake.callsTo('views.open').find((c) => c.args.trigger_id === sent.triggerId)!;
      expect(open.at - sent.sentAt).toBeLessThan(1000);
      const result = await h.submit(BOB, view, stateFromView(view));
      expect(result.elapsedMs).toBeLessThan(1000);
      expect(JSON.parse(result.text)).toMatchObject({ response_action: 'update' });
      // The result reaches him in the modal (and the QR in his DM).
      const status = await h.fake.waitFor(() => h.fake.statusOf(view.id), 10_000);
      const stored = await h.core.service.list(who(BOB));
      expect(stored).toHaveLength(1);
      expect(JSON.stringify(status.args.view)).toContain(stored[0]!.configId);
      expect(JSON.stringify(h.fake.dmUploadsTo(BOB.userId).at(-1)?.args.blocks)).toContain(
        stored[0]!.configId,
      );
      bobConfigId = stored[0]!.configId;
    } finally {
      h.core.sandbox!.setLatency(0);
    }
  });
});

describe('Slack adapter: list, show and delete are the requester’s own', () => {
  it('GIVEN alice and bob each own a contact way WHEN alice lists THEN she sees only hers, ephemerally', async () => {
    expect(aliceConfigId).not.toBe('');
    expect(bobConfigId).not.toBe('');
    const sent = await h.command(ALICE, 'list');
    expect(sent.text).toBe('');
    const reply = await waitForResponse(sent.responseId);
    expect(reply.body.response_type).toBe('ephemeral');
    expect(responseText(sent.responseId)).toContain(aliceConfigId);
    expect(responseText(sent.responseId)).not.toContain(bobConfigId);
  });

  it('GIVEN edit <config_id> THEN its yes/no choice is a static_select and a changed remark is saved', async () => {
    const { view } = await openForm(BOB, `edit ${bobConfigId}`);
    const skip = view.blocks.find((b) => b.block_id === 'skip_verify')?.element as Record<string, unknown>;
    expect(skip.type).toBe('static_select');
    const values = withValue(
      withValue(stateFromView(view), 'remark', { value: 'spring fair' }),
      'skip_verify',
      { selected_option: { value: 'false' } },
    );
    const result = await h.submit(BOB, view, values);
    expect(JSON.parse(result.text)).toMatchObject({ response_action: 'update' });
    const status = await h.fake.waitFor(() => h.fake.statusOf(view.id));
    expect(JSON.stringify(status.args.view)).toContain('spring fair');
    const [record] = await h.core.service.list(who(BOB));
    expect(record?.request).toMatchObject({ remark: 'spring fair', skip_verify: false });
  });

  it('GIVEN edit <config_id> again THEN the modal opens with the current values and says Save; one change sends WeCom only that field; saved as opened, nothing is sent', async () => {
    const { view } = await openForm(BOB, `edit ${bobConfigId}`);
    expect(view.submit).toMatchObject({ text: 'Save' });
    const element = (id: string) =>
      view.blocks.find((b) => b.block_id === id)?.element as Record<string, unknown>;
    expect(element('remark')).toMatchObject({ initial_value: 'spring fair' });
    expect(element('skip_verify')).toMatchObject({ initial_option: { value: 'false' } });
    expect(element('user')).toMatchObject({ initial_options: [{ value: 'lisi' }] });
    expect(element('expires_in')).toMatchObject({ initial_value: '7d' });
    expect(element('chat_expires_in')).toMatchObject({ initial_value: '24h' });
    const hint = view.blocks.find((b) => b.block_id === 'remark')?.hint as { text: string };
    expect(hint.text).toContain('Type - to clear it');

    const sandbox = h.core.sandbox!;
    const updates = () => sandbox.received('update_contact_way');
    const before = updates().length;
    const changed = withValue(stateFromView(view), 'remark', { value: 'autumn fair' });
    expect(JSON.parse((await h.submit(BOB, view, changed)).text)).toMatchObject({
      response_action: 'update',
    });
    await h.fake.waitFor(() => h.fake.statusOf(view.id));
    expect(updates().slice(before)).toEqual([{ config_id: bobConfigId, remark: 'autumn fair' }]);
    const [record] = await h.core.service.list(who(BOB));
    expect(record?.request).toMatchObject({ remark: 'autumn fair', skip_verify: false });

    const again = await openForm(BOB, `edit ${bobConfigId}`);
    const result = await h.submit(BOB, again.view, stateFromView(again.view));
    // Nothing to wait for at WeCom: the ack itself is the answer.
    expect(JSON.parse(result.text)).toMatchObject({ response_action: 'update' });
    expect(result.text).toContain('Nothing changed');
    expect(updates().length).toBe(before + 1);
  });

  it('GIVEN bob WHEN he deletes alice’s contact way by command THEN he is refused and it survives', async () => {
    const sent = await h.command(BOB, `delete ${aliceConfigId}`);
    await waitForResponse(sent.responseId);
    expect(responseText(sent.responseId)).toContain('not found');

    // The button is the contract's (test/chat-contract.ts).

    expect((await h.core.service.list(who(ALICE))).map((r) => r.configId)).toEqual([aliceConfigId]);
    expect(h.core.sandbox!.contactWay(aliceConfigId)).toBeDefined();
  });

  it('GIVEN alice clicks "Show QR again" THEN the QR is uploaded to her again', async () => {
    const uploads = h.fake.callsTo('files.completeUploadExternal').length;
    await h.click(ALICE, 'contactway.show', shownButton(h.fake, 'show', aliceConfigId), 'alice-show');
    await waitForResponse('alice-show');
    expect(responseText('alice-show')).toContain(aliceConfigId);
    expect(h.fake.callsTo('files.completeUploadExternal').length).toBe(uploads + 1);
  });

  it('GIVEN help, close without arguments and an unknown command THEN each answers ephemerally', async () => {
    for (const text of ['help', '', 'close', 'frobnicate']) {
      const sent = await h.command(ALICE, text);
      expect(sent.status).toBe(200);
      const reply = await waitForResponse(sent.responseId);
      expect(reply.body.response_type).toBe('ephemeral');
    }
  });
});

describe('Slack adapter: delivery fallbacks', () => {
  it('GIVEN an expired response_url THEN the reply goes out as chat.postEphemeral to the requester in that channel', async () => {
    const body = slashCommandBody({
      user: BOB,
      text: 'list',
      responseUrl: h.fake.responseUrl('expired-1'),
      triggerId: 'x.1',
    });
    expect((await postToApp(h.eventsUrl, body, { secret: SIGNING_SECRET })).status).toBe(200);
    const call = await h.fake.waitFor(() =>
      h.fake.callsTo('chat.postEphemeral').find((c) => c.args.user === BOB.userId),
    );
    expect(call.args.channel).toBe('C_GENERAL');
    expect(JSON.stringify(call.args.blocks)).toContain(bobConfigId);
  });

  it('GIVEN the QR upload is refused (missing scope) THEN the ephemeral reply carries the QR link instead', async () => {
    h.fake.failNext('files.getUploadURLExternal', 'missing_scope');
    await h.click(BOB, 'contactway.show', shownButton(h.fake, 'show', bobConfigId), 'bob-show-noscope');
    await waitForResponse('bob-show-noscope');
    const text = responseText('bob-show-noscope');
    expect(text).toContain('/sandbox/qr/');
    expect(text).not.toContain('direct messages');
  });
});

describe('Slack adapter: forms that cannot be used', () => {
  it('GIVEN views.open answers expired_trigger_id THEN the requester is asked to run the command again', async () => {
    h.fake.failNext('views.open', 'expired_trigger_id');
    const sent = await h.command(BOB, 'temp zhangsan');
    await waitForResponse(sent.responseId);
    expect(responseText(sent.responseId)).toContain('did not let us open the form in time');
  });

  it('GIVEN a submission whose private_metadata is not ours THEN the modal says it has expired and nothing runs', async () => {
    const { view } = await openForm(BOB, 'temp zhangsan');
    const before = h.core.sandbox!.stats().calls.add_contact_way;
    const result = await h.submit(
      BOB,
      { ...view, private_metadata: 'from another app version' },
      stateFromView(view),
    );
    expect(JSON.parse(result.text)).toMatchObject({ response_action: 'update' });
    expect(result.text).toContain('This form or button has expired');
    expect(h.core.sandbox!.stats().calls.add_contact_way).toBe(before);
  });
});

describe('Slack adapter: request verification', () => {
  it('GIVEN forged, stale and unsigned requests THEN each gets 401 and nothing happens', async () => {
    const callsBefore = h.fake.calls.length;
    const body = (id: string) =>
      slashCommandBody({
        user: EVE,
        text: 'temp zhangsan',
        responseUrl: h.fake.responseUrl(id),
        triggerId: `${id}.trigger`,
      });
    const forged = await postToApp(h.eventsUrl, body('forged'), { secret: 'not-the-secret' });
    const stale = await postToApp(h.eventsUrl, body('stale'), {
      secret: SIGNING_SECRET,
      timestampS: Math.floor(Date.now() / 1000) - 6 * 60,
    });
    const unsigned = await postToApp(h.eventsUrl, body('unsigned'));
    expect([forged.status, stale.status, unsigned.status]).toEqual([401, 401, 401]);

    // A genuine request afterwards is processed, so anything the refused ones triggered would have shown by now.
    const genuine = await h.command(BOB, 'help');
    await waitForResponse(genuine.responseId);
    const newCalls = h.fake.calls.slice(callsBefore);
    expect(newCalls.filter((c) => c.method === 'views.open')).toEqual([]);
    expect(h.fake.responses.filter((r) => ['forged', 'stale', 'unsigned'].includes(r.id))).toEqual([]);
    expect(await h.core.service.list(who(EVE))).toEqual([]);
  });

  it('GIVEN GET /healthz THEN it answers 200 ok', async () => {
    const response = await fetch(`${h.baseUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok');
  });
});

describe('Slack adapter: access by user group', () => {
  it('GIVEN ACCESS_SLACK_USERGROUPS THEN members of the group get in and others are refused', async () => {
    const restricted = await startSlackHarness({ ACCESS_SLACK_USERGROUPS: 'S_SALES' });
    try {
      restricted.fake.setUsergroup('S_SALES', [ALICE.userId]);
      const mine = await restricted.command(ALICE, 'list');
      await restricted.fake.waitFor(() => restricted.fake.responsesTo(mine.responseId)[0]);
      expect(JSON.stringify(restricted.fake.responsesTo(mine.responseId))).not.toContain('not allowed');
      const his = await restricted.command(BOB, 'list');
      await restricted.fake.waitFor(() => restricted.fake.responsesTo(his.responseId)[0]);
      expect(JSON.stringify(restricted.fake.responsesTo(his.responseId))).toContain(
        'not allowed to use contactway',
      );
      // Membership is a lookup, too slow before the modal: his form opens, then turns into the refusal.
      const sent = await restricted.command(BOB, 'temp zhangsan');
      const view = await restricted.openedView(sent.triggerId);
      const update = await restricted.fake.waitFor(() =>
        restricted.fake.callsTo('views.update').find((c) => c.args.view_id === view.id),
      );
      expect(update.args.hash).toBe(view.hash);
      expect(JSON.stringify(update.args.view)).toContain('not allowed to use contactway');
      // Membership is read once per group and cached, not on every command.
      expect(restricted.fake.callsTo('usergroups.users.list')).toHaveLength(1);
    } finally {
      await restricted.close();
    }
  });
});
