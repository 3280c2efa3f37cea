import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackRequester } from '../../../adapters/slack/requester.js';
import { shownButton } from '../../fixtures/slack/buttons.js';
import { BOB, SIGNING_SECRET, type SlackHarness, startSlackHarness } from '../../fixtures/slack/harness.js';
import {
  blockActionsPayload,
  clickedInConnectChannel,
  homeButtonPayload,
  type OpenedView,
  type OrgWideInstall,
  orgWide,
  orgWideViewSubmissionPayload,
  payloadBody,
  postToApp,
  type SlackUser,
  slashCommandBody,
  stateFromView,
  viewSubmissionPayload,
  withValue,
} from '../../fixtures/slack/requests.js';

/**
 * Who asks, when the person is not a plain member of the workspace the app is installed in (issue 17, item
 * 10), through real Bolt over HTTP with payloads shaped as Slack sends them:
 * - a Slack Connect guest: their command and submission name their own workspace, their clicks the host's;
 * - a member of an Enterprise Grid org the app is installed in org-wide: `team` null, the org in `enterprise`.
 * Each must be one requester from the command to the buttons, and nobody else.
 */

let h: SlackHarness;

beforeAll(async () => {
  h = await startSlackHarness();
});

afterAll(async () => {
  await h?.close();
});

/** The workspace the app is installed in (the fake Slack's auth.test team). */
const HOST = 'T_ACME';
const responseText = (responseId: string) =>
  JSON.stringify(h.fake.responsesTo(responseId).map((r) => r.body));
const waitForResponse = (responseId: string) => h.fake.waitFor(() => h.fake.responsesTo(responseId)[0]);
const created = () => h.core.sandbox!.stats().calls.add_contact_way ?? 0;

async function post(payload: Record<string, unknown>) {
  const sent = await postToApp(h.eventsUrl, payloadBody(payload), { secret: SIGNING_SECRET });
  expect(sent.status).toBe(200);
  return sent;
}

/** Sends a genuine command and waits for its answer: anything sent before it has been handled by then. */
async function settle(): Promise<void> {
  const sentinel = await h.command(BOB, 'help');
  await waitForResponse(sentinel.responseId);
  await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('A Slack Connect guest', () => {
  // Gus works at a partner company; its workspace shares #partners with Acme, where the app is installed.
  const GUS: SlackUser = { teamId: 'T_PARTNER', userId: 'U_GUS', userName: 'gus' };
  const gus = slackRequester(GUS.teamId, GUS.userId);
  let configId = '';

  const click = (user: SlackUser, actionId: string, value: string, responseId: string) =>
    post(
      clickedInConnectChannel(
        blockActionsPayload(
          user,
          { action_id: actionId, value },
          h.fake.responseUrl(responseId),
          'C_PARTNERS',
        ),
        HOST,
      ),
    );

  it('GIVEN his command (team_id = his workspace) and his submission (view.app_installed_team_id = the host) THEN his way is created and filed under him', async () => {
    const sent = await h.command(GUS, 'temp zhangsan');
    const view = await h.openedView(sent.triggerId);
    const payload = viewSubmissionPayload(GUS, view, stateFromView(view));
    expect(payload).toMatchObject({ team: { id: 'T_PARTNER' }, view: { app_installed_team_id: HOST } });
    const before = created();

    const result = await post(payload);
    expect(result.text).not.toContain('shown to someone else');
    expect(JSON.parse(result.text)).toMatchObject({ response_action: 'update' });
    await h.fake.waitFor(() => h.fake.statusOf(view.id));
    expect(created()).toBe(before + 1);

    const [record] = await h.core.service.list(gus);
    expect(record).toBeDefined();
    configId = record!.configId;
    expect(JSON.stringify(h.fake.dmUploadsTo(GUS.userId).at(-1)?.args.blocks)).toContain(configId);
    // Not under the host's workspace: a host member with his user id would be someone else.
    expect(await h.core.service.list(slackRequester(HOST, GUS.userId))).toEqual([]);

    const listed = await h.command(GUS, 'list');
    await waitForResponse(listed.responseId);
    expect(responseText(listed.responseId)).toContain(configId);
  });

  it('GIVEN his "Show QR again" in the shared channel (team = the host, user.team_id = his) THEN it is his', async () => {
    expect(configId).not.toBe('');
    await click(GUS, 'contactway.show', shownButton(h.fake, 'show', configId), 'gus-show');
    await waitForResponse('gus-show');
    expect(responseText('gus-show')).toContain(configId);
    expect(responseText('gus-show')).not.toContain('not found');
  });

  it('GIVEN the same user id from a third workspace, or a host member, THEN his form and his buttons are refused and nothing is created or deleted', async () => {
    expect(configId).not.toBe('');
    const sent = await h.command(GUS, 'temp lisi');
    const view = await h.openedView(sent.triggerId);
    const before = created();
    for (const other of [
      { ...GUS, teamId: 'T_THIRD' },
      { ...GUS, teamId: HOST },
    ]) {
      const refused = await post(viewSubmissionPayload(other, view, stateFromView(view)));
      expect(refused.text).toContain('This form or button was shown to someone else');
    }
    await settle();
    expect(created()).toBe(before);

    for (const [other, responseId] of [
      [{ ...GUS, teamId: 'T_THIRD' }, 'third-delete'],
      [{ ...GUS, teamId: HOST }, 'host-same-id-delete'],
      [BOB, 'bob-delete'],
    ] as const) {
      // His button, clicked by anyone else: the one refusal, whatever workspace they click from.
      await click(other, 'contactway.delete', shownButton(h.fake, 'delete', configId), responseId);
      await waitForResponse(responseId);
      expect(responseText(responseId)).toContain('This form or button was shown to someone else');
    }
    expect((await h.core.service.list(gus)).map((r) => r.configId)).toEqual([configId]);
    expect(h.core.sandbox!.contactWay(configId)).toBeDefined();
  });

  it('GIVEN his own "Delete" in the shared channel THEN it is deleted', async () => {
    expect(configId).not.toBe('');
    await click(GUS, 'contactway.delete', shownButton(h.fake, 'delete', configId), 'gus-delete');
    await waitForResponse('gus-delete');
    expect(responseText('gus-delete')).toContain(`Deleted ${configId}`);
    expect(await h.core.service.list(gus)).toEqual([]);
  });

  it('GIVEN "New temporary QR" clicked in his App Home (team = the host) THEN the form opens, and its submission is his', async () => {
    await h.openHome(GUS);
    const home = await h.fake.waitFor(() => h.publishedHome(GUS));
    const clicked = clickedInConnectChannel(
      homeButtonPayload(GUS, home, { action_id: 'contactway.open.temp', value: 'temp' }),
      HOST,
    );
    await post(clicked);
    const view = await h.openedView(String(clicked.trigger_id));
    const values = withValue(stateFromView(view), 'user', { value: 'zhangsan' });
    const result = await post(viewSubmissionPayload(GUS, view, values));
    expect(result.text).not.toContain('shown to someone else');
    await h.fake.waitFor(() => h.fake.statusOf(view.id));
    expect(await h.core.service.list(gus)).toHaveLength(1);
    // His Home is republished with it: the change is his, and so is the Home he opened.
    const [record] = await h.core.service.list(gus);
    await h.fake.waitFor(() => JSON.stringify(h.publishedHome(GUS)?.blocks).includes(record!.configId));
  });
});

describe('Enterprise Grid, app installed org-wide', () => {
  // Mei works in the Sales workspace of the Acme Group org; Slack may report her home workspace or the org.
  const MEI: SlackUser = { teamId: 'T_SALES', userId: 'W_MEI', userName: 'mei' };
  const org = slackRequester('E_ACME', MEI.userId);
  let configId = '';

  async function gridCommand(user: SlackUser, enterpriseId: string, text: string, n: string) {
    const triggerId = `grid-${n}.trigger`;
    const body = slashCommandBody({
      user,
      text,
      responseUrl: h.fake.responseUrl(`grid-${n}`),
      triggerId,
      enterpriseId,
    });
    const sent = await postToApp(h.eventsUrl, body, { secret: SIGNING_SECRET });
    expect(sent.status).toBe(200);
    return { responseId: `grid-${n}`, triggerId };
  }

  /** Opens a form by command and submits it as an org-wide install receives it. */
  async function submitOrgWide(
    install: OrgWideInstall,
    n: string,
  ): Promise<{ view: OpenedView; text: string }> {
    const { triggerId } = await gridCommand(MEI, 'E_ACME', 'temp zhangsan', n);
    const view = await h.openedView(triggerId);
    const result = await post(orgWideViewSubmissionPayload(MEI, view, stateFromView(view), install));
    return { view, text: result.text };
  }

  it('GIVEN view.app_installed_team_id and user.team_id both the org (E…) THEN her way is created, filed under the org, and her list finds it', async () => {
    const before = created();
    const { view, text } = await submitOrgWide(
      {
        enterpriseId: 'E_ACME',
        installedTeamId: 'T_SALES',
        homeTeamId: 'E_ACME',
        appInstalledTeamId: 'E_ACME',
      },
      'org-1',
    );
    expect(text).not.toContain('shown to someone else');
    await h.fake.waitFor(() => h.fake.statusOf(view.id));
    expect(created()).toBe(before + 1);
    const [record] = await h.core.service.list(org);
    expect(record).toBeDefined();
    configId = record!.configId;

    const listed = await gridCommand(MEI, 'E_ACME', 'list', 'org-list');
    await waitForResponse(listed.responseId);
    expect(responseText(listed.responseId)).toContain(configId);
  });

  it('GIVEN the same command from another workspace of the org THEN it is still hers: the org-wide install is one installation', async () => {
    const elsewhere = { ...MEI, teamId: 'T_SUPPORT' };
    const listed = await gridCommand(elsewhere, 'E_ACME', 'list', 'org-list-2');
    await waitForResponse(listed.responseId);
    expect(responseText(listed.responseId)).toContain(configId);
  });

  it('GIVEN her button with team null and user.team_id her home workspace THEN it finds her way', async () => {
    expect(configId).not.toBe('');
    const payload = orgWide(
      blockActionsPayload(
        MEI,
        { action_id: 'contactway.show', value: shownButton(h.fake, 'show', configId) },
        h.fake.responseUrl('org-show'),
      ),
      { enterpriseId: 'E_ACME', homeTeamId: 'T_MEI_HOME' },
    );
    await post(payload);
    await waitForResponse('org-show');
    expect(responseText('org-show')).toContain(configId);
    expect(responseText('org-show')).not.toContain('not found');
  });

  it('GIVEN the same user id in another org THEN her form and her button are refused', async () => {
    expect(configId).not.toBe('');
    const { triggerId } = await gridCommand(MEI, 'E_ACME', 'temp lisi', 'org-2');
    const view = await h.openedView(triggerId);
    const before = created();
    const stranger: OrgWideInstall = {
      enterpriseId: 'E_OTHER',
      installedTeamId: 'T_OTHER',
      homeTeamId: 'E_OTHER',
    };
    const refused = await post(orgWideViewSubmissionPayload(MEI, view, stateFromView(view), stranger));
    expect(refused.text).toContain('This form or button was shown to someone else');

    await post(
      orgWide(
        blockActionsPayload(
          MEI,
          { action_id: 'contactway.delete', value: shownButton(h.fake, 'delete', configId) },
          h.fake.responseUrl('org-x'),
        ),
        stranger,
      ),
    );
    await waitForResponse('org-x');
    expect(responseText('org-x')).toContain('This form or button was shown to someone else');
    await settle();
    expect(created()).toBe(before);
    expect((await h.core.service.list(org)).map((r) => r.configId)).toEqual([configId]);
  });
});
