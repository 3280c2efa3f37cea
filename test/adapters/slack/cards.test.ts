import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackRequester } from '../../../adapters/slack/requester.js';
import { ALICE, type SlackHarness, startSlackHarness } from '../../fixtures/slack/harness.js';
import { type OpenedView, stateFromView, withValue } from '../../fixtures/slack/requests.js';

/**
 * Issue 21 through Slack's door: a view_submission of the temp modal with a closing link, welcome cards and a
 * unionid reaches WeCom (the sandbox) as the seed's fields; a bad card is an inline error under its block, in
 * the modal, and nothing is created. The Home tab describes the cards.
 */

const BOOKING = { appid: 'wx8bd80126147dfAAA', page: 'pages/book/index', title: '预约', pic_media_id: 'M1' };
let h: SlackHarness;

beforeAll(async () => {
  h = await startSlackHarness({ MINIPROGRAMS: JSON.stringify({ booking: BOOKING }) });
});
afterAll(async () => {
  await h?.close();
});

async function openTemp(): Promise<OpenedView> {
  const sent = await h.command(ALICE, 'temp zhangsan');
  expect(sent.status).toBe(200);
  return h.openedView(sent.triggerId);
}

/** Polls an async probe until it answers, for at most 20 s (a loaded machine is slow, never wrong). */
async function until<T>(probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('condition not met in 20 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const adds = () => h.core.sandbox!.received('add_contact_way');

describe('Slack: cards in the temp modal', () => {
  it('GIVEN a closing link, welcome cards and a unionid THEN add_contact_way carries conclusions.link and unionid, and the way keeps its welcome cards', async () => {
    const view = await openTemp();
    let state = stateFromView(view);
    state = withValue(state, 'closing_link', { value: 'Hours | https://clinic.example/hours' });
    state = withValue(state, 'welcome_links', { value: 'Prices | https://clinic.example/prices' });
    state = withValue(state, 'welcome_miniprograms', { value: 'booking' });
    state = withValue(state, 'unionid', { value: 'oxTWIuGaIt6gTKsQRLau2M0AAAA' });
    const result = await h.submit(ALICE, view, state);
    expect(JSON.parse(result.text)).toMatchObject({ response_action: 'update' });
    const add = await h.fake.waitFor(() => adds().find((b) => b.unionid === 'oxTWIuGaIt6gTKsQRLau2M0AAAA'));
    expect(add.conclusions).toEqual({ link: { title: 'Hours', url: 'https://clinic.example/hours' } });
    // Stored after WeCom answered: waited for, not assumed.
    const way = await until(async () =>
      (await h.core.service.list(slackRequester(ALICE.teamId, ALICE.userId))).find(
        (w) => w.request.unionid === 'oxTWIuGaIt6gTKsQRLau2M0AAAA',
      ),
    );
    expect(way?.welcomeAttachments?.map((a) => a.kind)).toEqual(['link', 'miniprogram']);

    await h.openHome(ALICE);
    const home = await h.fake.waitFor(() => {
      const text = JSON.stringify(h.publishedHome(ALICE)?.blocks ?? []);
      return text.includes('closing: link “Hours”') ? text : undefined;
    });
    expect(home).toContain('welcome: 2 card(s)');
  });

  it('GIVEN a closing link to javascript: and an unknown-shaped preset THEN inline errors under both blocks and nothing created', async () => {
    const before = adds().length;
    const view = await openTemp();
    let state = stateFromView(view);
    state = withValue(state, 'closing_link', { value: 'X | javascript:alert(1)' });
    state = withValue(state, 'welcome_miniprograms', { value: 'no such!' });
    const result = await h.submit(ALICE, view, state);
    const ack = JSON.parse(result.text) as { response_action: string; errors: Record<string, string> };
    expect(ack.response_action).toBe('errors');
    expect(ack.errors.closing_link).toContain('http:// or https://');
    expect(ack.errors.welcome_miniprograms).toContain('preset name');
    expect(adds().length).toBe(before);
  });
});
