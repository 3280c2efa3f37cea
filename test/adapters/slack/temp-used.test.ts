import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { shownButton } from '../../fixtures/slack/buttons.js';
import { ALICE, type SlackHarness, startSlackHarness } from '../../fixtures/slack/harness.js';
import { type OpenedView, stateFromView, withValue } from '../../fixtures/slack/requests.js';

/**
 * Issue 19 item 2 on Slack, through the real Bolt over signed HTTP, the fake Slack Web API and the sandbox's
 * encrypted add callback: the notification of a used temp QR says so and its "New QR like this" button opens
 * the temp modal prefilled from it; the Home tab marks the way used with the same button.
 */
let h: SlackHarness;
beforeAll(async () => {
  h = await startSlackHarness();
});
afterAll(() => h?.close());

const alice = { platform: 'slack', workspaceId: ALICE.teamId, userId: ALICE.userId };
const textOf = (view: OpenedView | undefined) => JSON.stringify(view?.blocks ?? []);

async function createAndScan(remark: string): Promise<string> {
  const sent = await h.command(ALICE, 'temp zhangsan');
  const view = await h.openedView(sent.triggerId);
  let values = stateFromView(view);
  values = withValue(values, 'remark', { value: remark });
  values = withValue(values, 'state', { value: 'spring' });
  values = withValue(values, 'chat_expires_in', { value: '36h' });
  await h.submit(ALICE, view, values);
  const configId = await vi.waitFor(async () => {
    const found = (await h.core.service.list(alice)).find((r) => r.request.remark === remark);
    expect(found).toBeDefined();
    return found?.configId ?? '';
  });
  const scan = await h.core.sandbox?.scan(configId);
  expect(scan?.delivered).toBeTruthy();
  return configId;
}

describe('Slack: a used temp QR', () => {
  it('GIVEN a scanned temp QR THEN its notification says used and New QR like this opens the modal prefilled, which creates a new way', async () => {
    const configId = await createAndScan('fair-desk');
    const dm = await h.fake.waitFor(() =>
      h.fake
        .callsTo('chat.postMessage')
        .find(
          (c) =>
            JSON.stringify(c.args).includes('no longer works') && JSON.stringify(c.args).includes(configId),
        ),
    );
    expect(JSON.stringify(dm.args)).toContain('New QR like this');

    const opens = h.fake.callsTo('views.open').length;
    const click = await h.click(ALICE, 'contactway.again', shownButton(h.fake, 'again', configId), 'again-1');
    expect(click.status).toBe(200);
    const opened = await h.fake.waitFor(() => h.fake.callsTo('views.open')[opens]);
    const view = opened.result?.view as OpenedView;
    expect(view.callback_id).toBe('contactway_form');
    const shown = textOf(view);
    expect(shown).toContain('"initial_value":"fair-desk"');
    expect(shown).toContain('"initial_value":"spring"');
    expect(shown).toContain('"initial_value":"36h"');

    await h.submit(ALICE, view, stateFromView(view));
    const fresh = await vi.waitFor(async () => {
      const ways = (await h.core.service.list(alice)).filter((r) => r.request.remark === 'fair-desk');
      expect(ways).toHaveLength(2);
      return ways.find((r) => r.configId !== configId);
    });
    expect(fresh?.request.user).toEqual(['zhangsan']);
    expect(fresh?.stateTag).toBe('spring');
    expect(fresh?.request.chat_expires_in).toBe(36 * 3600);
  });

  it('GIVEN a used temp QR THEN the Home tab marks it used with New QR like this, not valid until', async () => {
    const configId = await createAndScan('home-desk');
    await h.openHome(ALICE);
    const home = await h.fake.waitFor(() => {
      const published = h.publishedHome(ALICE);
      return textOf(published).includes(`USED · ${configId}`) ? published : undefined;
    });
    const block = (home?.blocks ?? []).find((b) =>
      textOf({ blocks: [b] } as OpenedView).includes(`USED · ${configId}`),
    );
    expect(JSON.stringify(block)).toContain('used by');
    expect(JSON.stringify(block)).not.toContain('until');
    expect(shownButton(h.fake, 'again', configId)).toBeTruthy();
  });
});
