import { describe, expect, it } from 'vitest';
import { slackMainSuite } from '../fixtures/main-slack-process.js';
import { installThroughPage as install, linkIn, openUserId } from '../fixtures/provider/sandbox-pages.js';
import * as provider from '../fixtures/provider/slack-provider.js';
import { ALICE, SIGNING_SECRET } from '../fixtures/slack/harness.js';
import { appHomeOpenedEvent, postToApp, type SlackUser } from '../fixtures/slack/requests.js';

/**
 * Many corps in one process (issue 22, item 5): `npm start` with WECOM_MODE=third-party and Slack (real Bolt,
 * fake Slack) on the sandbox's provider platform, two workspaces bound to two corps, both admins in ADMINS.
 * Each admin sees and touches only its own corp's ways; another corp's way is "not found", never "forbidden".
 */
const suite = slackMainSuite('two-corps');
const WANG: SlackUser = { teamId: 'T_OTHER', userId: 'U_WANG', userName: 'wang' };
const command = (url: string, user: SlackUser, text: string) =>
  provider.command(suite.fake(), url, user, text);
const temp = (url: string, user: SlackUser, member: string) => provider.temp(suite.fake(), url, user, member);
const dms = (user: SlackUser) => provider.dms(suite.fake(), user);
const configIdIn = (told: string) => /\*config_id\*\\n([0-9a-f]{32})/.exec(told)?.[1] ?? '';

/** The App Home the bot publishes for this user after the tab is opened, as JSON text. */
async function home(publicUrl: string, user: SlackUser): Promise<string> {
  const fake = suite.fake();
  const before = fake.callsTo('views.publish').length;
  const body = JSON.stringify(appHomeOpenedEvent(user));
  expect(
    (await postToApp(`${publicUrl}/slack/events`, body, { secret: SIGNING_SECRET, json: true })).status,
  ).toBe(200);
  const published = await fake.waitFor(
    () =>
      fake
        .callsTo('views.publish')
        .slice(before)
        .find((c) => c.args.user_id === user.userId),
    20_000,
  );
  return JSON.stringify(published.args.view);
}

describe('WECOM_MODE=third-party: two workspaces bound to two corps', () => {
  it('GIVEN each admin made a temp way in its corp THEN list, Home, show, edit and delete see only that corp’s; an unbound workspace sees nothing', async () => {
    const app = await suite.start({
      WECOM_MODE: 'third-party',
      ADMINS: `slack:${ALICE.teamId}:${ALICE.userId},slack:${WANG.teamId}:${WANG.userId}`,
    });
    await app.waitForLog('"ticketDelivered":true');
    const { publicUrl } = app;

    expect((await install(linkIn(await command(publicUrl, ALICE, 'install')), 'wwclinic')).status).toBe(200);
    expect((await install(linkIn(await command(publicUrl, WANG, 'install')), 'wwhospital')).status).toBe(200);
    await suite.fake().waitFor(() => dms(ALICE).includes('installed in Sandbox Clinic'), 20_000);
    await suite.fake().waitFor(() => dms(WANG).includes('installed in Sandbox Hospital'), 20_000);

    const clinicWay = configIdIn(await temp(publicUrl, ALICE, openUserId('wwclinic', 'zhangsan')));
    const hospitalWay = configIdIn(await temp(publicUrl, WANG, openUserId('wwhospital', 'zhangsan')));
    expect(clinicWay).not.toBe('');
    expect(hospitalWay).not.toBe('');

    // Both are admins: each one's list is "everyone's"… of its own corp.
    const aliceList = await command(publicUrl, ALICE, 'list');
    expect(aliceList).toContain(clinicWay);
    expect(aliceList).not.toContain(hospitalWay);
    const wangList = await command(publicUrl, WANG, 'list');
    expect(wangList).toContain(hospitalWay);
    expect(wangList).not.toContain(clinicWay);

    // The other corp's way does not exist for them: not found, the same answer as a made-up id.
    for (const verb of ['show', 'edit', 'delete']) {
      const crossed = await command(publicUrl, ALICE, `${verb} ${hospitalWay}`);
      expect(crossed, verb).toContain('was not found among your contact ways');
      expect(crossed, verb).not.toMatch(/forbidden|Only the owner/i);
    }
    expect(await command(publicUrl, WANG, `show ${hospitalWay}`)).toContain(hospitalWay);

    // An admin's sync lists its own corp's ways at WeCom: the other corp's stay out of its list.
    expect(await command(publicUrl, WANG, 'sync')).not.toContain(clinicWay);
    expect(await command(publicUrl, WANG, 'list')).not.toContain(clinicWay);

    // The Home tab: the corp's ways only, and an audit trail without the other corp's actions.
    const aliceHome = await home(publicUrl, ALICE);
    expect(aliceHome).toContain(clinicWay);
    expect(aliceHome).toContain('All contact ways (1)');
    expect(aliceHome).not.toContain(WANG.userId);
    const wangHome = await home(publicUrl, WANG);
    expect(wangHome).toContain(hospitalWay);
    expect(wangHome).not.toContain(clinicWay);
    expect(wangHome).not.toContain(ALICE.userId);

    // A workspace bound to no corp while others are: told to install, shown nothing.
    const stranger: SlackUser = { teamId: 'T_THIRD', userId: 'U_LI', userName: 'li' };
    const strangerList = await command(publicUrl, stranger, 'list');
    expect(strangerList).toContain('bound to no WeCom corp');
    expect(strangerList).not.toContain(clinicWay);
    expect(strangerList).not.toContain(hospitalWay);
    expect(await command(publicUrl, stranger, `show ${clinicWay}`)).toContain('bound to no WeCom corp');
  }, 120_000);
});
