import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { homeToSlackView } from '../../../adapters/slack/home.js';
import { NEW_TEMP_SHORTCUT } from '../../../adapters/slack/shortcut.js';
import { say } from '../../../src/base/i18n.js';
import type { HomeView } from '../../../src/chat/port.js';
import { IneligibleMemberError } from '../../../src/directory/ineligible.js';
import { DEFAULT_MEMBERS, type Sandbox, startSandbox } from '../../../src/sandbox/index.js';
import { directoryLoaded } from '../../fixtures/directory-loaded.js';
import { shownButton } from '../../fixtures/slack/buttons.js';
import { ALICE, BOB, type SlackHarness, startSlackHarness } from '../../fixtures/slack/harness.js';
import { type OpenedView, stateFromView, withValue } from '../../fixtures/slack/requests.js';

/**
 * Issue 14 on Slack, through the real Bolt over signed HTTP and the fake Slack Web API: member pickers
 * served by the options handler (block_suggestion), pre-flight before any form, the App Home
 * (app_home_opened → views.publish, refreshed after a change) and the "New temporary QR" shortcut.
 */

type Json = Record<string, unknown>;
const ROOT = { teamId: 'T_ACME', userId: 'U_ROOT', userName: 'root' };

let h: SlackHarness;

beforeAll(async () => {
  h = await startSlackHarness({ ADMINS: `slack:${ROOT.teamId}:${ROOT.userId}` });
  await directoryLoaded(h.core);
});
afterAll(() => h?.close());

const blockIds = (view: OpenedView) => view.blocks.map((b) => String(b.block_id));
const elementOf = (view: OpenedView, blockId: string) =>
  view.blocks.find((b) => b.block_id === blockId)?.element as Json | undefined;
const textOf = (view: OpenedView | undefined) => JSON.stringify(view?.blocks ?? []);

async function openTempForm(user = ALICE): Promise<OpenedView> {
  const sent = await h.command(user, 'temp');
  expect(sent.status).toBe(200);
  return h.openedView(sent.triggerId);
}

describe('Slack member picker', () => {
  it('GIVEN temp with no userid from an unmapped requester THEN the form opens with a member picker first', async () => {
    const view = await openTempForm();
    expect(blockIds(view)[0]).toBe('user');
    expect(elementOf(view, 'user')).toMatchObject({ type: 'external_select', action_id: 'value' });
    // A userid given on the command needs no picker.
    const typed = await h.command(ALICE, 'temp zhangsan');
    expect(blockIds(await h.openedView(typed.triggerId))).not.toContain('user');
  });

  // Which members are offered, narrowed by a userid, is the chat contract's (test/chat-contract.ts).
  it('GIVEN typing a Chinese name in the picker THEN the member as a plain_text option, answered within Slack’s 3 s', async () => {
    const view = await openTempForm();
    const byName = await h.suggest(ALICE, view, 'user', '李');
    expect(byName.status).toBe(200);
    expect(byName.elapsedMs).toBeLessThan(1_000);
    expect(byName.options).toEqual([
      { text: { type: 'plain_text', text: '李四 (lisi)', emoji: true }, value: 'lisi' },
    ]);
  });

  it('GIVEN a member picked and the form submitted THEN the QR is for that member', async () => {
    const view = await openTempForm();
    const values = withValue(stateFromView(view), 'user', { value: 'lisi' });
    const submitted = await h.submit(ALICE, view, values);
    expect(submitted.status).toBe(200);
    await h.fake.waitFor(() =>
      h.fake.calls.some((c) => c.method === 'views.update' && JSON.stringify(c.args.view).includes('lisi')),
    );
    const records = await h.core.service.list({
      platform: 'slack',
      workspaceId: ALICE.teamId,
      userId: ALICE.userId,
    });
    expect(records[0]?.request.user).toEqual(['lisi']);
    // Alice has not opened the Home tab: the creation costs no views.publish (she gets a fresh one on opening).
    expect(h.fake.callsTo('views.publish').filter((c) => c.args.user_id === ALICE.userId)).toEqual([]);
  });

  it('GIVEN an ineligible member submitted anyway (a stale picker) THEN the error is under the picker and nothing is created', async () => {
    const view = await openTempForm();
    const before = (
      await h.core.service.list({ platform: 'slack', workspaceId: ALICE.teamId, userId: ALICE.userId })
    ).length;
    const submitted = await h.submit(ALICE, view, withValue(stateFromView(view), 'user', { value: 'sunqi' }));
    const ack = JSON.parse(submitted.text) as { response_action: string; errors: Record<string, string> };
    expect(ack.response_action).toBe('errors');
    expect(ack.errors.user).toContain('not enabled for customer contact');
    const after = (
      await h.core.service.list({ platform: 'slack', workspaceId: ALICE.teamId, userId: ALICE.userId })
    ).length;
    expect(after).toBe(before);
  });

  it('GIVEN new THEN its members are a multi-member picker served the same way', async () => {
    const sent = await h.command(ALICE, 'new');
    const view = await h.openedView(sent.triggerId);
    expect(elementOf(view, 'user')).toMatchObject({ type: 'multi_external_select', action_id: 'value' });
    expect((await h.suggest(ALICE, view, 'user', '张')).options.map((o) => o.value)).toEqual(['zhangsan']);
  });
});

describe('Slack pre-flight', () => {
  it('GIVEN temp sunqi (not enabled for customer contact) THEN refused at once with the fix, before any form', async () => {
    const opens = h.fake.callsTo('views.open').length;
    const sent = await h.command(ALICE, 'temp sunqi');
    expect(sent.status).toBe(200);
    const ack = JSON.parse(sent.text) as { response_type: string; text: string };
    expect(ack.response_type).toBe('ephemeral');
    expect(ack.text).toContain('not enabled for customer contact');
    expect(ack.text).toContain('An admin must');
    await new Promise((r) => setTimeout(r, 100));
    expect(h.fake.callsTo('views.open')).toHaveLength(opens);
  });

  it('GIVEN temp sunqi THEN the message shows the whole refusal with the admin-console path, under a short header (issue 19)', async () => {
    const sent = await h.command(ALICE, 'temp sunqi');
    const ack = JSON.parse(sent.text) as { blocks: { type: string; text?: { text: string } }[] };
    const header = ack.blocks.find((b) => b.type === 'header')?.text?.text;
    expect(header).toBe('⚠️ This member cannot have a contact way yet');
    const body = ack.blocks.filter((b) => b.type === 'section').map((b) => b.text?.text ?? '');
    expect(body.join('\n')).toContain(say(new IneligibleMemberError('sunqi', 'not_enabled').human, 'en'));
    expect(body.join('\n')).toContain(
      '客户与上下游 → 客户联系 → 权限配置 (members who may use customer contact).',
    );
  });
});

describe('Slack App Home', () => {
  it('GIVEN bob opens the Home tab THEN his ways are published with the New QR buttons, newest first', async () => {
    const opened = await h.openHome(BOB);
    expect(opened.status).toBe(200);
    const home = await h.fake.waitFor(() => h.publishedHome(BOB));
    expect(home.type).toBe('home');
    expect(textOf(home)).toContain('contactway.open.temp');
    expect(textOf(home)).toContain('New temporary QR');
    expect(textOf(home)).toContain('New permanent QR');
    expect(textOf(home)).toContain('no contact ways yet');
    // Not an admin: no audit.
    expect(textOf(home)).not.toContain('Latest actions');
  });

  it('GIVEN bob creates a QR THEN his home is published again with it, and after he deletes it there, without it', async () => {
    const sent = await h.command(BOB, 'temp wangwu');
    const view = await h.openedView(sent.triggerId);
    const publishes = h.fake.callsTo('views.publish').length;
    await h.submit(BOB, view, stateFromView(view));
    const bob = { platform: 'slack', workspaceId: BOB.teamId, userId: BOB.userId };
    const configId = await vi.waitFor(async () => {
      const [record] = await h.core.service.list(bob);
      expect(record).toBeDefined();
      return record?.configId ?? '';
    });
    await h.fake.waitFor(
      () =>
        h.fake.callsTo('views.publish').length > publishes && textOf(h.publishedHome(BOB)).includes(configId),
    );
    const home = h.publishedHome(BOB);
    expect(textOf(home)).toContain('wangwu');
    expect(textOf(home)).toContain('contactway.show');

    const before = h.fake.callsTo('views.publish').length;
    const click = await h.homeClick(BOB, 'contactway.delete', shownButton(h.fake, 'delete', configId));
    expect(click.status).toBe(200);
    await h.fake.waitFor(
      () =>
        h.fake.callsTo('views.publish').length > before && !textOf(h.publishedHome(BOB)).includes(configId),
    );
  });

  it('GIVEN New temporary QR clicked in the home THEN the temp form opens on that click', async () => {
    await h.openHome(ALICE);
    await h.fake.waitFor(() => h.publishedHome(ALICE));
    const click = await h.homeClick(ALICE, 'contactway.open.temp', 'temp');
    const view = await h.openedView(click.triggerId);
    expect(view.callback_id).toBe('contactway_form');
    expect(blockIds(view)[0]).toBe('user');
  });

  it('GIVEN an admin opens the Home tab THEN the latest audit entries are there too', async () => {
    await h.openHome(ROOT);
    const home = await h.fake.waitFor(() => h.publishedHome(ROOT));
    expect(textOf(home)).toContain('Latest actions');
    expect(textOf(home)).toContain('All contact ways');
  });

  it('GIVEN an expired way THEN the home marks it', () => {
    const home: HomeView = {
      title: 'contactway',
      create: [],
      waysTitle: 'Your contact ways (1)',
      ways: [{ configId: 'c1', title: 'zhangsan', text: 'EXPIRED · c1', expired: true, actions: [] }],
    };
    const view = homeToSlackView(home);
    expect(JSON.stringify(view.blocks)).toContain('⌛ *zhangsan*');
    expect(view.blocks.length).toBeLessThanOrEqual(100);
  });
});

describe('Slack global shortcut', () => {
  it('GIVEN the New temporary QR shortcut THEN the temp form opens on its trigger', async () => {
    const ran = await h.shortcut(ALICE, NEW_TEMP_SHORTCUT);
    expect(ran.status).toBe(200);
    const view = await h.openedView(ran.triggerId);
    expect(view.callback_id).toBe('contactway_form');
    expect(blockIds(view)).toEqual(expect.arrayContaining(['user', 'expires_in', 'chat_expires_in']));
  });
});

describe('Slack picker limits on a large directory', () => {
  let big: Sandbox;
  let hb: SlackHarness;
  beforeAll(async () => {
    const many = Array.from({ length: 150 }, (_, i) => ({
      userid: `member${String(i).padStart(3, '0')}`,
      name: `成员${String(i).padStart(3, '0')}`,
      departments: [1],
      active: true,
    }));
    big = await startSandbox({ members: [...DEFAULT_MEMBERS, ...many] });
    hb = await startSlackHarness({
      WECOM_CORP_ID: big.corpId,
      WECOM_CORP_SECRET: big.corpSecret,
      WECOM_API_BASE: big.url,
    });
    await vi.waitFor(() => expect(hb.core.directory.status().members).toBeGreaterThan(150), {
      timeout: 5_000,
    });
  });
  afterAll(async () => {
    await hb?.close();
    await big?.close();
  });

  it('GIVEN 153 eligible members THEN at most 100 options, each within Slack’s text limit, narrowed by a Chinese name', async () => {
    const sent = await hb.command(ALICE, 'temp');
    const view = await hb.openedView(sent.triggerId);
    const all = await hb.suggest(ALICE, view, 'user', '');
    expect(all.options).toHaveLength(100);
    for (const o of all.options) {
      expect([...o.text.text].length).toBeLessThanOrEqual(75);
      expect(o.value.length).toBeLessThanOrEqual(150);
    }
    const narrowed = await hb.suggest(ALICE, view, 'user', '成员12');
    expect(narrowed.options.map((o) => o.value)).toEqual(
      Array.from({ length: 10 }, (_, i) => `member12${i}`),
    );
    // 150 userids start with `member`: still 100, those in userid order.
    const prefixed = await hb.suggest(ALICE, view, 'user', 'member');
    expect(prefixed.options).toHaveLength(100);
    expect(prefixed.options[0]?.value).toBe('member000');
  });
});
