import { describe, expect, it } from 'vitest';
import { OpenIds } from '../../src/sandbox/provider-ids.js';
import { slackMainSuite } from '../fixtures/main-slack-process.js';
import { ALICE, SIGNING_SECRET } from '../fixtures/slack/harness.js';
import {
  type OpenedView,
  payloadBody,
  postToApp,
  type SlackUser,
  slashCommandBody,
  stateFromView,
  viewSubmissionPayload,
} from '../fixtures/slack/requests.js';

/** The encrypted userid the sandbox's provider apps see for a member of a corp. */
const openUserId = (corpId: string, userid: string) =>
  new OpenIds('ww_sandbox_provider', { corpId } as never, () => new Set()).user(userid);

/** `/contactway temp <member>`, the form submitted as it opened; what the person was told. */
async function temp(publicUrl: string, user: SlackUser, member: string): Promise<string> {
  const fake = suite.fake();
  const responseId = `temp-${++sequence}`;
  const triggerId = `${sequence}.${Date.now()}.trigger`;
  const body = slashCommandBody({
    user,
    text: `temp ${member}`,
    responseUrl: fake.responseUrl(responseId),
    triggerId,
  });
  const uploadsBefore = fake.dmUploadsTo(user.userId).length;
  expect((await postToApp(`${publicUrl}/slack/events`, body, { secret: SIGNING_SECRET })).status).toBe(200);
  const call = await fake.waitFor(() =>
    fake.callsTo('views.open').find((c) => c.args.trigger_id === triggerId),
  );
  const view = call.result?.view as OpenedView;
  const submission = payloadBody(viewSubmissionPayload(user, view, stateFromView(view)));
  await postToApp(`${publicUrl}/slack/events`, submission, { secret: SIGNING_SECRET });
  return fake.waitFor(
    () => fake.toldAbout({ viewId: view.id, responseId, userId: user.userId, uploadsBefore }),
    30_000,
  );
}

/**
 * `npm start` with WECOM_MODE=third-party and Slack (real Bolt, fake Slack), no provider account: two
 * workspaces' admins each install the app into a corp of the sandbox's provider platform from chat; each
 * workspace is bound to its own corp, its admin is told in a DM, and a corp's cancel_auth reaches only the
 * admin of the workspace bound to it.
 */
const suite = slackMainSuite('provider-install');
const WANG: SlackUser = { teamId: 'T_OTHER', userId: 'U_WANG', userName: 'wang' };

let sequence = 0;
async function command(publicUrl: string, user: SlackUser, text: string): Promise<string> {
  const responseId = `provider-${++sequence}`;
  const fake = suite.fake();
  const body = slashCommandBody({
    user,
    text,
    responseUrl: fake.responseUrl(responseId),
    triggerId: `${sequence}.${Date.now()}.trigger`,
  });
  const posted = await postToApp(`${publicUrl}/slack/events`, body, { secret: SIGNING_SECRET });
  expect(posted.status).toBe(200);
  const answer = await fake.waitFor(() => fake.responsesTo(responseId)[0], 20_000);
  return JSON.stringify(answer.body);
}

/** The DMs the app sent a user, as text. */
function dms(user: SlackUser): string {
  const dm = `D${user.userId.replace(/^U/, '')}`;
  return JSON.stringify(
    suite
      .fake()
      .callsTo('chat.postMessage')
      .filter((c) => c.args.channel === dm || c.args.channel === user.userId),
  );
}

/** Our start page (the link the chat shows) links on to WeCom's install page: the sandbox's, here. */
async function wecomInstallUrl(startLink: string): Promise<string> {
  const page = await fetch(startLink);
  expect(page.status).toBe(200);
  const href = /id="install" href="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  return href.replaceAll('&amp;', '&');
}

async function install(
  link: string,
  corpId: string,
): Promise<{ status: number; body: string; redirect: string }> {
  const url = new URL(await wecomInstallUrl(link));
  const form = new URLSearchParams(url.searchParams);
  form.set('corp_id', corpId);
  const click = await fetch(new URL('/3rdapp/install', url), {
    method: 'POST',
    body: form,
    redirect: 'manual',
  });
  expect(click.status).toBe(302);
  const redirect = click.headers.get('location') ?? '';
  const landed = await fetch(redirect);
  return { status: landed.status, body: await landed.text(), redirect };
}

/** The install link in a reply (Slack's text escapes & as &amp;). */
const linkIn = (text: string) =>
  /http:\/\/127\.0\.0\.1:\d+\/wecom\/install\?start=[a-f0-9]{32}/.exec(text)?.[0] ?? '';

describe('WECOM_MODE=third-party with Slack on the sandbox’s provider platform', () => {
  it('GIVEN two workspaces WHEN each admin runs /contactway install THEN each is bound to its own corp; cancel_auth tells only its admin', async () => {
    const app = await suite.start({
      WECOM_MODE: 'third-party',
      ADMINS: `slack:${ALICE.teamId}:${ALICE.userId},slack:${WANG.teamId}:${WANG.userId}`,
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

    // The clinic cancels: Alice hears it, Wang does not.
    const cancel = await fetch(new URL('/sandbox/provider/auth-event', sandboxUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ corp_id: 'wwclinic', info_type: 'cancel_auth' }),
    });
    expect(cancel.status).toBe(200);
    await suite.fake().waitFor(() => dms(ALICE).includes('no longer authorizes contactway'), 20_000);
    expect(dms(WANG)).not.toContain('no longer authorizes');
    expect(await command(app.publicUrl, ALICE, 'status')).toMatch(/lost/);
  }, 120_000);
});
