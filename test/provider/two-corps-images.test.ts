import { describe, expect, it } from 'vitest';
import { pngBytes } from '../fixtures/images.js';
import { slackMainSuite } from '../fixtures/main-slack-process.js';
import { installThroughPage as install, linkIn, openUserId } from '../fixtures/provider/sandbox-pages.js';
import { command, dms, temp } from '../fixtures/provider/slack-provider.js';
import { ALICE } from '../fixtures/slack/harness.js';
import { type SlackUser, withValue } from '../fixtures/slack/requests.js';

/**
 * A WeCom media_id belongs to the corp whose token uploaded it (provider modes §5.4; the sandbox answers 40007
 * to any other corp). `npm start` with WECOM_MODE=third-party and Slack on the sandbox, two workspaces bound to
 * two corps, the same picture as welcome image in both: each corp's welcome must carry a media_id of its own.
 */
const suite = slackMainSuite('two-corps-images');
const WANG: SlackUser = { teamId: 'T_OTHER', userId: 'U_WANG', userName: 'wang' };

describe('WECOM_MODE=third-party: welcome images per corp', () => {
  it('GIVEN two corps each with a temp way whose welcome has the same image WHEN customers scan THEN each welcome is sent with its image', async () => {
    const app = await suite.start({
      WECOM_MODE: 'third-party',
      ADMINS: `slack:${ALICE.teamId}:${ALICE.userId},slack:${WANG.teamId}:${WANG.userId}`,
    });
    await app.waitForLog('"ticketDelivered":true');
    const fake = suite.fake();
    const clinic = await install(linkIn(await command(fake, app.publicUrl, ALICE, 'install')), 'wwclinic');
    expect(clinic.status).toBe(200);
    const hospital = await install(linkIn(await command(fake, app.publicUrl, WANG, 'install')), 'wwhospital');
    expect(hospital.status).toBe(200);
    await fake.waitFor(() => dms(fake, ALICE).includes('installed in Sandbox Clinic'), 20_000);
    await fake.waitFor(() => dms(fake, WANG).includes('installed in Sandbox Hospital'), 20_000);

    // The same bytes in both corps: one kept image, but a media_id per corp.
    const bytes = await pngBytes('opening hours');
    const wayOf = async (user: SlackUser, corp: string) => {
      const file = fake.addPrivateFile('hours.png', bytes);
      const told = await temp(fake, app.publicUrl, user, openUserId(corp, 'zhangsan'), (values) =>
        withValue(values, 'welcome_image', {
          type: 'file_input',
          files: [
            {
              ...file,
              mimetype: 'image/png',
              filetype: 'png',
              size: 1,
              url_private: file.url_private_download,
            },
          ],
        }),
      );
      const configId = /\*config_id\*\\n([0-9a-f]{32})/.exec(told)?.[1] ?? '';
      expect(configId, told).not.toBe('');
      return configId;
    };
    const clinicWay = await wayOf(ALICE, 'wwclinic');
    const hospitalWay = await wayOf(WANG, 'wwhospital');

    for (const [user, way] of [
      [ALICE, clinicWay],
      [WANG, hospitalWay],
    ] as const) {
      const scan = await fetch(new URL('/sandbox/scan', clinic.sandboxUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ config_id: way }),
      });
      expect(scan.status).toBe(200);
      // The notification names the image as sent: send_welcome_msg took the media_id (else 40007, not sent).
      const told = await fake.waitFor(() => {
        const text = dms(fake, user);
        return /added/.test(text) ? text : undefined;
      }, 30_000);
      expect(told).toContain('hours.png');
    }
    const stats = (await (await fetch(new URL('/sandbox/stats', clinic.sandboxUrl))).json()) as {
      calls: Record<string, number>;
    };
    expect(stats.calls['media/upload']).toBeGreaterThanOrEqual(2);
    expect(app.output()).not.toMatch(/several corps|40007/);
  }, 150_000);
});
