import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { slackRequester } from '../../adapters/slack/requester.js';
import { ALICE, type SlackHarness, startSlackHarness } from '../fixtures/slack/harness.js';
import { type SlackUser, stateFromView, withValue } from '../fixtures/slack/requests.js';

/**
 * Editing `expires_in` moves the record's expiry, as WeCom moves the QR's (issue 10, item 14): from the time
 * of the edit. Through the real Bolt app; the clock is faked (Date only: timers and I/O stay real) before the
 * core starts, so the service, the WeCom sandbox and the signed requests all share it and nothing sleeps.
 */

const T0 = Date.parse('2025-05-02T08:00:00Z');
let h: SlackHarness;

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'], now: T0 });
  h = await startSlackHarness();
});
afterAll(async () => {
  await h?.close();
  vi.useRealTimers();
});

const who = (user: SlackUser) => slackRequester(user.teamId, user.userId);

/** Submits the form and resolves with what the requester was told (the modal's result, the DM, ephemerals). */
async function submitForm(text: string, values: (v: ReturnType<typeof stateFromView>) => object) {
  const sent = await h.command(ALICE, text);
  const view = await h.openedView(sent.triggerId);
  const submission = {
    viewId: view.id,
    responseId: sent.responseId,
    userId: ALICE.userId,
    uploadsBefore: h.fake.dmUploadsTo(ALICE.userId).length,
  };
  await h.submit(ALICE, view, values(stateFromView(view)) as never);
  return h.fake.waitFor(() => h.fake.toldAbout(submission));
}

async function listText(): Promise<string> {
  const sent = await h.command(ALICE, 'list');
  await h.fake.waitFor(() => h.fake.responsesTo(sent.responseId)[0]);
  return JSON.stringify(h.fake.responsesTo(sent.responseId).map((r) => r.body));
}

describe('editing expires_in', () => {
  it('GIVEN an 8-second temp way extended to 14 days THEN a minute later it is not expired and can still be edited', async () => {
    const created = await submitForm('temp zhangsan', (v) => withValue(v, 'expires_in', { value: '8' }));
    expect(created).toContain('Temporary QR for zhangsan');
    const [record] = await h.core.service.list(who(ALICE));
    const configId = record!.configId;
    expect(record!.expiresAt).toBe(new Date(T0 + 8_000).toISOString());

    vi.setSystemTime(T0 + 2_000);
    const extended = await submitForm(`edit ${configId}`, (v) =>
      withValue(v, 'expires_in', { value: '14d' }),
    );
    expect(extended).toContain(`Updated ${configId}`);
    const [after] = await h.core.service.list(who(ALICE));
    // From the edit, not from the creation: WeCom counts the new lifetime from the update.
    expect(after!.expiresAt).toBe(new Date(T0 + 2_000 + 14 * 86_400_000).toISOString());

    vi.setSystemTime(T0 + 60_000);
    const [later] = await h.core.service.list(who(ALICE));
    expect(later!.expired).toBe(false);
    expect(await listText()).not.toMatch(/expired/i);

    const edited = await submitForm(`edit ${configId}`, (v) =>
      withValue(v, 'remark', { value: 'still alive' }),
    );
    expect(edited).toContain(`Updated ${configId}`);
    expect(h.core.sandbox!.contactWay(configId)).toMatchObject({ request: { remark: 'still alive' } });
  });
});
