import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackRequester } from '../../../adapters/slack/requester.js';
import { linkRequestId } from '../../../src/store/index.js';
import { shownButton } from '../../fixtures/slack/buttons.js';
import { ALICE, BOB, CHEN, type SlackHarness, startSlackHarness } from '../../fixtures/slack/harness.js';
import { type SlackUser, stateFromView } from '../../fixtures/slack/requests.js';

/**
 * Self-service linking through signed Slack requests and the fake Slack (issue 19 item 9): with
 * CREATE_FOR=mapped, unlinked alice is told how to link; her `link zhangsan` reaches the admin (bob) as a
 * DM with Approve and Decline; his click (a signed block_actions carrying the DM button's token) links her,
 * and her `temp` then needs no userid.
 */

let h: SlackHarness;
beforeAll(async () => {
  h = await startSlackHarness({ CREATE_FOR: 'mapped', ADMINS: `slack:${BOB.teamId}:${BOB.userId}` });
});
afterAll(() => h?.close());

const who = (user: SlackUser) => slackRequester(user.teamId, user.userId);
const ALICE_KEY = `slack:${ALICE.teamId}:${ALICE.userId}`;
const ALICE_REQUEST = linkRequestId(ALICE_KEY);

/** What a slash command without a form answered, through its response_url. */
async function commandReply(user: SlackUser, text: string): Promise<string> {
  const sent = await h.command(user, text);
  expect(sent.status).toBe(200);
  await h.fake.waitFor(() => h.fake.responsesTo(sent.responseId)[0]);
  return JSON.stringify(h.fake.responsesTo(sent.responseId).map((r) => r.body));
}

/** Opens the command's form, submits it as opened, and waits for what the requester is told. */
async function submitAsOpened(user: SlackUser, text: string): Promise<string> {
  const sent = await h.command(user, text);
  const view = await h.openedView(sent.triggerId);
  const uploadsBefore = h.fake.dmUploadsTo(user.userId).length;
  expect((await h.submit(user, view, stateFromView(view))).status).toBe(200);
  return h.fake.waitFor(() =>
    h.fake.toldAbout({ viewId: view.id, responseId: sent.responseId, userId: user.userId, uploadsBefore }),
  );
}

/** Clicks a button shown in a DM, as Slack posts it; resolves with what the click was answered. */
async function click(user: SlackUser, kind: string, value: string, responseId: string): Promise<string> {
  expect((await h.click(user, `contactway.${kind}`, value, responseId)).status).toBe(200);
  await h.fake.waitFor(() => h.fake.responsesTo(responseId)[0]);
  return JSON.stringify(h.fake.responsesTo(responseId).map((r) => r.body));
}

/** The DMs the app posted to a user (chat.postMessage to their DM channel). */
const dmsTo = (user: SlackUser) =>
  JSON.stringify(
    h.fake.callsTo('chat.postMessage').filter((c) => c.args.channel === `D${user.userId.replace(/^U/, '')}`),
  );

describe('self-service linking on Slack', () => {
  it('GIVEN CREATE_FOR=mapped and alice unlinked WHEN she submits temp THEN she is told to run link', async () => {
    const told = await submitAsOpened(ALICE, 'temp zhangsan');
    // Slack's text is escaped mrkdwn: the backticks and angle brackets arrive as ˋ, &lt; and &gt;.
    expect(told).toContain('none is linked to you yet: run ˋlink &lt;your WeCom userid&gt;ˋ to ask an admin');
  });

  it('WHEN alice runs link zhangsan THEN she is told the admins were asked and bob gets a DM with Approve', async () => {
    expect(await commandReply(ALICE, 'link zhangsan')).toContain('Asked the admins to link you to zhangsan');
    await h.fake.waitFor(() => dmsTo(BOB).includes('contactway.approve-link'));
    expect(dmsTo(BOB)).toContain(`alice (${ALICE_KEY}) asks to be linked to the WeCom member zhangsan`);
    expect(h.core.service.mappedUser(who(ALICE))).toBeUndefined();
  });

  it('GIVEN bob’s Approve button WHEN chen (not whom it was sent to) clicks it THEN nothing is linked', async () => {
    const token = shownButton(h.fake, 'approve-link', ALICE_REQUEST);
    const reply = await click(CHEN, 'approve-link', token, 'chen-approve');
    expect(reply).not.toContain('Linked');
    expect(h.core.service.mappedUser(who(ALICE))).toBeUndefined();
  });

  it('WHEN bob clicks Approve THEN alice is linked and told so', async () => {
    const token = shownButton(h.fake, 'approve-link', ALICE_REQUEST);
    expect(await click(BOB, 'approve-link', token, 'bob-approve')).toContain(
      `Linked ${ALICE_KEY} to zhangsan`,
    );
    expect(h.core.service.mappedUser(who(ALICE))).toBe('zhangsan');
    await h.fake.waitFor(() => dmsTo(ALICE).includes('Linked to zhangsan'));
  });

  it('WHEN the same Approve is clicked again THEN it says the request was answered', async () => {
    const token = shownButton(h.fake, 'approve-link', ALICE_REQUEST);
    expect(await click(BOB, 'approve-link', token, 'bob-approve-again')).toContain('already answered');
  });

  it('GIVEN alice linked WHEN she runs temp with no userid THEN the QR is for zhangsan', async () => {
    const told = await submitAsOpened(ALICE, 'temp');
    expect(told).toContain('Temporary QR for zhangsan');
    const [record] = await h.core.service.list(who(ALICE));
    expect(record?.request.user).toEqual(['zhangsan']);
  });

  it('WHEN alice asks for lisi and bob declines THEN nothing changes and she is told', async () => {
    await commandReply(ALICE, 'link lisi');
    await h.fake.waitFor(() => dmsTo(BOB).includes('to the WeCom member lisi'));
    const token = shownButton(h.fake, 'decline-link', ALICE_REQUEST);
    expect(await click(BOB, 'decline-link', token, 'bob-decline')).toContain('Declined linking');
    await h.fake.waitFor(() => dmsTo(ALICE).includes('Link request declined'));
    expect(h.core.service.mappedUser(who(ALICE))).toBe('zhangsan');
  });

  it('GIVEN a non-admin WHEN she links someone else THEN she is refused', async () => {
    expect(await commandReply(ALICE, `link <@${CHEN.userId}|chen> lisi`)).toContain(
      'Only admins can link another chat user',
    );
    expect(h.core.service.mappedUser(who(CHEN))).toBeUndefined();
  });

  it('WHEN bob links chen by mention THEN chen is linked directly', async () => {
    expect(await commandReply(BOB, `link <@${CHEN.userId}|chen> lisi`)).toContain(
      `Linked slack:${CHEN.teamId}:${CHEN.userId} to lisi`,
    );
    expect(h.core.service.mappedUser(who(CHEN))).toBe('lisi');
  });

  it('WHEN alice unlinks THEN she is unlinked; chen cannot unlink alice', async () => {
    expect(await commandReply(CHEN, `unlink ${ALICE_KEY}`)).toContain('Only admins can unlink');
    expect(await commandReply(ALICE, 'unlink')).toContain('Unlinked you from zhangsan');
    expect(h.core.service.mappedUser(who(ALICE))).toBeUndefined();
  });

  it('THEN the audit trail holds the request, the approval, the decline, the link and the unlink', async () => {
    const lines = (await h.core.service.auditTrail(who(BOB), 100)).map(
      (e) => `${e.actor} ${e.action} ${e.target ?? ''} ${e.result}`,
    );
    expect(lines).toContain(`${ALICE_KEY} link.request zhangsan ok`);
    expect(lines).toContain(`slack:${BOB.teamId}:${BOB.userId} link.approve ${ALICE_KEY} ok`);
    expect(lines).toContain(`slack:${BOB.teamId}:${BOB.userId} link.decline ${ALICE_KEY} ok`);
    expect(lines).toContain(
      `slack:${BOB.teamId}:${BOB.userId} link slack:${CHEN.teamId}:${CHEN.userId}=lisi ok`,
    );
    expect(lines).toContain(`${ALICE_KEY} unlink ${ALICE_KEY} ok`);
  });
});
