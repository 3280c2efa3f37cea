import { describe, expect, it } from 'vitest';
import { slackIdentityOf } from '../../../adapters/slack/requester.js';
import {
  appHomeOpenedEvent,
  blockActionsPayload,
  blockSuggestionPayload,
  clickedInConnectChannel,
  globalShortcutPayload,
  type OpenedView,
  orgWide,
  orgWideViewSubmissionPayload,
  type SlackUser,
  slashCommandBody,
  viewSubmissionPayload,
} from '../../fixtures/slack/requests.js';

/**
 * The one rule for who sent a Slack payload (adapters/slack/requester.ts), over every kind of payload the
 * adapter listens to, in the shapes Slack sends: one person must be one requester from command to button.
 * The listeners run it on the payloads through real Bolt in slack-connect.test.ts; this covers the kinds
 * and installs that file does not drive end to end.
 */

const view: OpenedView = { id: 'V1', blocks: [], team_id: 'T_ACME', app_installed_team_id: 'T_ACME' };
const button = { action_id: 'contactway.show', value: 'cfg' };
const url = 'https://hooks.slack.test/r';

const command = (user: SlackUser, enterpriseId?: string) =>
  Object.fromEntries(
    new URLSearchParams(
      slashCommandBody({
        user,
        text: 'list',
        responseUrl: url,
        triggerId: 't',
        ...(enterpriseId ? { enterpriseId } : {}),
      }),
    ),
  );

/** Every kind of payload one person can send, as the app receives them from an ordinary workspace. */
function everyKind(user: SlackUser): Record<string, unknown>[] {
  return [
    command(user),
    viewSubmissionPayload(user, view, {}),
    blockActionsPayload(user, button, url),
    blockSuggestionPayload(user, view, { block_id: 'user', value: 'zh' }),
    globalShortcutPayload(user, 'new_temp_qr'),
    appHomeOpenedEvent(user),
  ];
}

describe('slackIdentityOf', () => {
  it('GIVEN a member of an ordinary workspace THEN every payload kind gives the key records have always had', () => {
    const alice: SlackUser = { teamId: 'T_ACME', userId: 'U_ALICE', userName: 'alice' };
    for (const payload of everyKind(alice))
      expect(slackIdentityOf(payload)).toEqual({ workspaceId: 'T_ACME', userId: 'U_ALICE' });
  });

  it('GIVEN a Slack Connect guest THEN his own workspace, though submissions name the host installation and clicks the host team', () => {
    const gus: SlackUser = { teamId: 'T_PARTNER', userId: 'U_GUS', userName: 'gus' };
    const payloads = [
      command(gus),
      viewSubmissionPayload(gus, view, {}),
      clickedInConnectChannel(blockActionsPayload(gus, button, url), 'T_ACME'),
      clickedInConnectChannel(blockSuggestionPayload(gus, view, { block_id: 'user', value: 'zh' }), 'T_ACME'),
      clickedInConnectChannel(globalShortcutPayload(gus, 'new_temp_qr'), 'T_ACME'),
    ];
    for (const payload of payloads)
      expect(slackIdentityOf(payload)).toEqual({ workspaceId: 'T_PARTNER', userId: 'U_GUS' });
  });

  it('GIVEN an org-wide install THEN the org, whichever workspace or home team each payload names', () => {
    const mei: SlackUser = { teamId: 'T_SALES', userId: 'W_MEI', userName: 'mei' };
    const org = { enterpriseId: 'E_ACME', installedTeamId: 'T_SALES' };
    const payloads = [
      command(mei, 'E_ACME'),
      command({ ...mei, teamId: 'T_SUPPORT' }, 'E_ACME'),
      orgWideViewSubmissionPayload(mei, view, {}, { ...org, homeTeamId: 'T_MEI_HOME' }),
      orgWideViewSubmissionPayload(
        mei,
        view,
        {},
        { ...org, homeTeamId: 'E_ACME', appInstalledTeamId: 'E_ACME' },
      ),
      orgWide(blockActionsPayload(mei, button, url), { enterpriseId: 'E_ACME', homeTeamId: 'T_MEI_HOME' }),
      orgWide(blockSuggestionPayload(mei, view, { block_id: 'user', value: 'zh' }), {
        enterpriseId: 'E_ACME',
        homeTeamId: 'E_ACME',
      }),
      orgWide(globalShortcutPayload(mei, 'new_temp_qr'), {
        enterpriseId: 'E_ACME',
        homeTeamId: 'T_MEI_HOME',
      }),
      {
        ...appHomeOpenedEvent(mei),
        authorizations: [
          { enterprise_id: 'E_ACME', team_id: 'T_SALES', is_bot: true, is_enterprise_install: true },
        ],
      },
    ];
    for (const payload of payloads)
      expect(slackIdentityOf(payload)).toEqual({ workspaceId: 'E_ACME', userId: 'W_MEI' });
  });

  it('GIVEN a Grid org with the app installed in one workspace THEN that workspace, as before, whatever user.team_id says', () => {
    const lin: SlackUser = { teamId: 'T_SALES', userId: 'W_LIN', userName: 'lin' };
    const grid = {
      team: { id: 'T_SALES', domain: 'sales', enterprise_id: 'E_ACME' },
      enterprise: { id: 'E_ACME' },
    };
    const asGridMember = (payload: Record<string, unknown>, userTeam: string) => ({
      ...payload,
      ...grid,
      user: { ...(payload.user as object), team_id: userTeam },
    });
    const payloads = [
      { ...command(lin), enterprise_id: 'E_ACME', is_enterprise_install: 'false' },
      asGridMember(viewSubmissionPayload(lin, view, {}), 'E_ACME'),
      asGridMember(blockActionsPayload(lin, button, url), 'E_ACME'),
      asGridMember(blockActionsPayload(lin, button, url), 'T_LIN_HOME'),
      asGridMember(blockSuggestionPayload(lin, view, { block_id: 'user', value: 'zh' }), 'T_LIN_HOME'),
    ];
    for (const payload of payloads)
      expect(slackIdentityOf(payload)).toEqual({ workspaceId: 'T_SALES', userId: 'W_LIN' });
  });

  it('GIVEN a body of no kind Slack sends THEN no identity', () => {
    for (const body of [
      undefined,
      null,
      'x',
      {},
      { type: 'block_actions' },
      { type: 'block_actions', user: {} },
    ])
      expect(slackIdentityOf(body)).toBeUndefined();
  });
});
