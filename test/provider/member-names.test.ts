import { describe, expect, it } from 'vitest';
import { slackMainSuite } from '../fixtures/main-slack-process.js';
import { installThroughPage as install, linkIn, openUserId } from '../fixtures/provider/sandbox-pages.js';
import { acked, command, dms, openForm, pick, temp } from '../fixtures/provider/slack-provider.js';
import { ALICE } from '../fixtures/slack/harness.js';
import type { SlackUser } from '../fixtures/slack/requests.js';

/**
 * Member names in a provider mode (issue 22 item 6): after the 2022 id upgrade a third-party app's token takes
 * only its encrypted userids (`wo…`), yet people type `zhangsan` or pick 张三. `npm start` with
 * WECOM_MODE=third-party and Slack on the sandbox's provider platform, two workspaces bound to two corps.
 */
const suite = slackMainSuite('provider-names');
const WANG: SlackUser = { teamId: 'T_OTHER', userId: 'U_WANG', userName: 'wang' };
/** Not an admin: USER_MAP maps him to lisi (plaintext, as an admin types it), and CREATE_FOR=mapped holds him. */
const LEI: SlackUser = { teamId: 'T_OTHER', userId: 'U_LEI', userName: 'lei' };

/** The picker's options for `typed`, once the corp's directory is filled (its first fill runs in the background). */
async function options(publicUrl: string, user: SlackUser, typed: string) {
  const { view } = await openForm(suite.fake(), publicUrl, user, 'temp');
  const until = performance.now() + 30_000;
  for (;;) {
    const found = await pick(publicUrl, user, view, typed);
    if (found.length > 0 || performance.now() > until) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('WECOM_MODE=third-party: members by name, sent as the corp’s encrypted ids', () => {
  it('GIVEN two workspaces bound to two corps THEN pickers list each corp’s members; `temp zhangsan` is sent as the open id; the scan’s notification names 张三', async () => {
    const app = await suite.start({
      WECOM_MODE: 'third-party',
      ADMINS: `slack:${ALICE.teamId}:${ALICE.userId},slack:${WANG.teamId}:${WANG.userId}`,
      USER_MAP: `slack:${LEI.teamId}:${LEI.userId}=lisi`,
      CREATE_FOR: 'mapped',
    });
    await app.waitForLog('"ticketDelivered":true');
    const fake = suite.fake();
    const clinic = await install(linkIn(await command(fake, app.publicUrl, ALICE, 'install')), 'wwclinic');
    expect(clinic.status).toBe(200);
    expect(
      (await install(linkIn(await command(fake, app.publicUrl, WANG, 'install')), 'wwhospital')).status,
    ).toBe(200);
    await fake.waitFor(() => dms(fake, ALICE).includes('installed in Sandbox Clinic'), 20_000);
    await fake.waitFor(() => dms(fake, WANG).includes('installed in Sandbox Hospital'), 20_000);

    // The picker: each workspace sees its own corp's members, by name, valued with that corp's open ids.
    const clinicZhang = openUserId('wwclinic', 'zhangsan');
    const hospitalZhang = openUserId('wwhospital', 'zhangsan');
    const alicePicks = await options(app.publicUrl, ALICE, '张');
    expect(alicePicks.map((o) => o.value)).toContain(clinicZhang);
    expect(alicePicks.find((o) => o.value === clinicZhang)?.text.text).toBe(`张三 (${clinicZhang})`);
    expect(JSON.stringify(alicePicks)).not.toContain(hospitalZhang);
    const wangPicks = await options(app.publicUrl, WANG, '张');
    expect(wangPicks.map((o) => o.value)).toContain(hospitalZhang);
    expect(JSON.stringify(wangPicks)).not.toContain(clinicZhang);

    // Typed plaintext: resolved to the corp's open id (the sandbox refuses plaintext with 60111).
    const told = await temp(fake, app.publicUrl, ALICE, 'zhangsan');
    expect(told).toContain('Temporary QR for zhangsan');
    expect(told).not.toContain('60111');
    const configId = /[0-9a-f]{32}/.exec(told)?.[0] ?? '';
    expect(configId).not.toBe('');
    const stats = (await (await fetch(new URL('/sandbox/stats', clinic.sandboxUrl))).json()) as {
      calls: Record<string, number>;
    };
    expect(stats.calls.userid_to_openuserid).toBeGreaterThanOrEqual(1);
    // Pre-flight knows a typed plaintext member too: refused before any form, naming them as typed.
    expect(await acked(fake, app.publicUrl, ALICE, 'temp sunqi')).toContain(
      'sunqi is not enabled for customer contact',
    );
    // The same typed member in the other workspace becomes the other corp's id.
    expect(await temp(fake, app.publicUrl, WANG, 'zhangsan')).toContain('Temporary QR for zhangsan');

    // USER_MAP's plaintext member, in the other corp: his default member, sent as that corp's open id;
    // CREATE_FOR=mapped still holds him to it.
    expect(await temp(fake, app.publicUrl, LEI, '')).toContain('Temporary QR for lisi');
    const other = await temp(fake, app.publicUrl, LEI, 'zhangsan');
    expect(other).toContain('You can only create contact ways for yourself (lisi)');
    expect(other).not.toContain('Temporary QR for');

    // A customer scans: the event carries the open ids; it matches the way and names the member readably.
    const scan = await fetch(new URL('/sandbox/scan', clinic.sandboxUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ config_id: configId }),
    });
    expect(scan.status).toBe(200);
    const added = await fake.waitFor(() => {
      const text = dms(fake, ALICE);
      return text.includes(`张三 (${clinicZhang})`) ? text : undefined;
    }, 30_000);
    expect(added).toContain(`added 张三 (${clinicZhang})`);
    expect(dms(fake, WANG)).not.toContain('added 张三');
  }, 150_000);
});
