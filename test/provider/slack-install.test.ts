import { describe, expect, it } from 'vitest';
import { slackMainSuite } from '../fixtures/main-slack-process.js';
import {
  installThroughPage as install,
  linkIn,
  openUserId,
  wecomInstallUrl,
} from '../fixtures/provider/sandbox-pages.js';
import * as provider from '../fixtures/provider/slack-provider.js';
import { ALICE } from '../fixtures/slack/harness.js';
import type { SlackUser } from '../fixtures/slack/requests.js';

/**
 * `npm start` with WECOM_MODE=third-party and Slack (real Bolt, fake Slack), no provider account: two
 * workspaces' admins each install the app into a corp of the sandbox's provider platform from chat; each
 * workspace is bound to its own corp, its admin is told in a DM, and a corp's cancel_auth reaches every admin
 * of the workspace bound to it (not only the one who installed it), and no other workspace's.
 */
const suite = slackMainSuite('provider-install');
const WANG: SlackUser = { teamId: 'T_OTHER', userId: 'U_WANG', userName: 'wang' };
/** Alice's workspace's other admin: she did not install, yet hears that the corp left. */
const CAROL: SlackUser = { teamId: ALICE.teamId, userId: 'U_CAROL', userName: 'carol' };
const command = (url: string, user: SlackUser, text: string) =>
  provider.command(suite.fake(), url, user, text);
const temp = (url: string, user: SlackUser, member: string) => provider.temp(suite.fake(), url, user, member);
const dms = (user: SlackUser) => provider.dms(suite.fake(), user);

describe('WECOM_MODE=third-party with Slack on the sandbox’s provider platform', () => {
  it('GIVEN two workspaces WHEN each admin runs /contactway install THEN each is bound to its own corp; cancel_auth tells the admins of its workspace only', async () => {
    const app = await suite.start({
      WECOM_MODE: 'third-party',
      ADMINS: [ALICE, CAROL, WANG].map((u) => `slack:${u.teamId}:${u.userId}`).join(','),
    });
    await app.waitForLog('"ticketDelivered":true');

    // Not an admin: refused.
    const bob: SlackUser = { teamId: ALICE.teamId, userId: 'U_BOB', userName: 'bob' };
    expect(await command(app.publicUrl, bob, 'install')).toMatch(/Only admins/);

    const aliceLink = linkIn(await command(app.publicUrl, ALICE, 'install'));
    expect(aliceLink).not.toBe('');
    const sandboxUrl = new URL(await wecomInstallUrl(aliceLink)).origin;
    const wangLink = linkIn(await command(app.publicUrl, WANG, 'install'));
    expect(wangLink).not.toBe('');

    const clinic = await install(aliceLink, 'wwclinic');
    expect(clinic.status).toBe(200);
    expect(clinic.body).toContain('Sandbox Clinic');
    const hospital = await install(wangLink, 'wwhospital');
    expect(hospital.status).toBe(200);

    await suite.fake().waitFor(() => dms(ALICE).includes('installed in Sandbox Clinic'), 20_000);
    await suite.fake().waitFor(() => dms(WANG).includes('installed in Sandbox Hospital'), 20_000);
    expect(dms(ALICE)).not.toContain('Sandbox Hospital');

    // Each workspace's status names its own corp.
    const aliceStatus = await command(app.publicUrl, ALICE, 'status');
    expect(aliceStatus).toContain('Sandbox Clinic');
    expect(aliceStatus).not.toContain('Sandbox Hospital');
    expect(aliceStatus).toMatch(/1000005/);
    const wangStatus = await command(app.publicUrl, WANG, 'status');
    expect(wangStatus).toContain('Sandbox Hospital');

    // Each workspace works in its own corp: its members' ids there are accepted, the other corp's are not.
    const clinicMember = openUserId('wwclinic', 'zhangsan');
    const hospitalMember = openUserId('wwhospital', 'zhangsan');
    expect(await temp(app.publicUrl, ALICE, clinicMember)).toContain(`Temporary QR for ${clinicMember}`);
    expect(await temp(app.publicUrl, WANG, hospitalMember)).toContain(`Temporary QR for ${hospitalMember}`);
    // A workspace bound to no corp does not fall back on another workspace's.
    const stranger: SlackUser = { teamId: 'T_THIRD', userId: 'U_LI', userName: 'li' };
    expect(await temp(app.publicUrl, stranger, clinicMember)).toContain('bound to no WeCom corp');
    const crossed = await temp(app.publicUrl, ALICE, hospitalMember);
    expect(crossed).toContain('60111');
    expect(crossed).not.toContain('Temporary QR for');

    // The redirect loaded again is the same install; another code with that state is refused.
    expect((await fetch(clinic.redirect)).status).toBe(200);
    const reused = new URL(clinic.redirect);
    reused.searchParams.set('auth_code', 'someothercode');
    const refused = await fetch(reused);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('already used');

    // The clinic cancels: Alice and Carol (both admins of the bound workspace) hear it, Wang does not.
    const cancel = await fetch(new URL('/sandbox/provider/auth-event', sandboxUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ corp_id: 'wwclinic', info_type: 'cancel_auth' }),
    });
    expect(cancel.status).toBe(200);
    await suite.fake().waitFor(() => dms(ALICE).includes('no longer authorizes contactway'), 20_000);
    await suite.fake().waitFor(() => dms(CAROL).includes('no longer authorizes contactway'), 20_000);
    expect(dms(WANG)).not.toContain('no longer authorizes');
    expect(await command(app.publicUrl, ALICE, 'status')).toMatch(/lost/);
  }, 120_000);
});
