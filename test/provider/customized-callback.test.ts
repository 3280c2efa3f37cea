import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contactEventXml } from '../../src/callbacks/event.js';
import { pushEncrypted, verifyUrl } from '../../src/sandbox/suite-push.js';
import { startConsole } from '../fixtures/provider/console-bot.js';
import {
  authorizeThroughQr,
  openUserId,
  postJson,
  wecomInstallUrl,
} from '../fixtures/provider/sandbox-pages.js';

const dir = mkdtempSync(join(tmpdir(), 'cw-customized-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The pair the provider gives every 代开发 app's callback URL (服务商后台 → 代开发应用 → 回调配置). */
const TOKEN = 'dkCallbackToken42';
const AES_KEY = 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZ';

/** `temp <member>`, the form filled field by field with only a welcome message typed; answers the config_id. */
async function tempWithWelcome(bot: ReturnType<typeof startConsole>, member: string, welcome: string) {
  const before = bot.out().length;
  for (const line of [
    `temp ${member}`,
    'f',
    ...Array(9).fill(''), // expires_in … closing_miniprogram keep their defaults
    welcome,
    ...Array(5).fill(''), // welcome_links … unionid, remove_images
  ])
    bot.type(line);
  const [, configId] = await bot.expectOut(/config_id\s+([0-9a-f]{32})/, before);
  return configId as string;
}

describe('WECOM_MODE=customized (代开发) npm start with no account: customer events on the app’s own /wecom/callback', () => {
  it('GIVEN two corps installed WHEN a customer scans the bound corp’s QR THEN the requester is told and the welcome goes out with that corp’s token; an unknown corp’s event is refused and counted; change_auth updates the visible range; after cancel_auth its events are refused', async () => {
    const bot = startConsole(dir, {
      WECOM_MODE: 'customized',
      STORE_URL: 'memory:',
      PORT: '0',
      WECOM_CALLBACK_TOKEN: TOKEN,
      WECOM_CALLBACK_AES_KEY: AES_KEY,
    });
    try {
      await bot.waitForErr('no corp has installed the app yet');
      bot.type('install');
      const [link] = await bot.expectOut(/http:\/\/127\.0\.0\.1:\d+\/wecom\/install\?start=[a-f0-9]{32}/);
      const botUrl = new URL(link).origin;
      const sandboxUrl = new URL(await wecomInstallUrl(link)).origin;
      const mark = bot.out().length;
      expect((await authorizeThroughQr(link, 'wwclinic')).status).toBe(200);
      await bot.expectOut(/contactway is installed in Sandbox Clinic/, mark);
      // A second corp, from the app market: the bot can no longer fall back on "the one corp installed", so an
      // event handled outside its own corp would fail to greet.
      const errMark = bot.err().length;
      expect(
        (await postJson(sandboxUrl, '/sandbox/provider/install', { corp_id: 'wwhospital' })).status,
      ).toBe(200);
      await bot.waitForErr('corp installed (permanent code stored)', errMark);
      const corps = (await (await fetch(new URL('/sandbox/provider', sandboxUrl))).json()) as {
        corps: { corp_id: string; open_corp_id: string }[];
      };
      const clinic = corps.corps.find((c) => c.corp_id === 'wwclinic')?.open_corp_id ?? '';
      expect(clinic).not.toBe('wwclinic');

      const beforeStatus = bot.out().length;
      bot.type('status');
      await bot.expectOut(/Visible to\s+departments 1\n/, beforeStatus);

      // The URL check when the provider saves the app's callback URL: echostr for the provider's corp id.
      const callbackUrl = `${botUrl}/wecom/callback`;
      const check = await verifyUrl({
        url: callbackUrl,
        token: TOKEN,
        encodingAesKey: AES_KEY,
        receiveId: 'ww_sandbox_provider',
      });
      expect(check.ok).toBe(true);

      const configId = await tempWithWelcome(
        bot,
        openUserId('wwclinic', 'zhangsan'),
        'Hello from the clinic',
      );
      const beforeScan = bot.out().length;
      bot.type(`scan ${configId}`);
      await bot.expectOut(new RegExp(`scanned ${configId}`), beforeScan);
      await bot.expectOut(
        /added 张三 \(wo\w+\)\n\s+Customer\s+\S+ \(wm\w+\)[\s\S]*Welcome message sent\./,
        beforeScan,
      );
      // WeCom's side: the greeting was taken with the clinic's token (another corp's knows no such welcome_code).
      const landing = await (await fetch(new URL(`/sandbox/c/${configId}`, sandboxUrl))).text();
      expect(landing).toContain('Hello from the clinic');

      // An event encrypted for a corp that never installed the app: refused, counted, nothing told.
      const beforeForged = bot.out().length;
      const forged = await pushEncrypted(
        {
          url: callbackUrl,
          token: TOKEN,
          encodingAesKey: AES_KEY,
          receiveId: 'wwnotinstalled',
          toUserName: 'wwnotinstalled',
        },
        contactEventXml({
          changeType: 'add_external_contact',
          corpId: 'wwnotinstalled',
          userId: 'zhangsan',
          externalUserId: 'wmforged',
          createTime: Math.floor(Date.now() / 1000),
          welcomeCode: 'FORGED',
        }),
      );
      expect(forged).toEqual({ status: 400, body: 'callback.wrong_receive_id' });
      const metrics = await (await fetch(`${botUrl}/metrics`)).text();
      expect(metrics).toMatch(/contactway_callback_refused_total\{reason="decrypt"\} 1\b/);
      expect(bot.out().slice(beforeForged)).not.toContain('wmforged');

      // change_auth: the corp admin narrows what the app sees; the bot re-reads get_auth_info.
      const beforeChange = bot.err().length;
      const change = await postJson(sandboxUrl, '/sandbox/provider/auth-event', {
        corp_id: 'wwclinic',
        info_type: 'change_auth',
        visible: { parties: [2] },
      });
      expect(change.status).toBe(200);
      await bot.waitForErr('authorization re-read', beforeChange);
      const afterChange = bot.out().length;
      bot.type('status');
      await bot.expectOut(/Agent id\s+1000005\n\s+Visible to\s+departments 2\n/, afterChange);

      // Once the corp cancels, its app's events are refused like an unknown corp's.
      const beforeCancel = bot.err().length;
      const cancel = await postJson(sandboxUrl, '/sandbox/provider/auth-event', {
        corp_id: 'wwclinic',
        info_type: 'cancel_auth',
      });
      expect(cancel.status).toBe(200);
      await bot.waitForErr('its permanent code is deleted', beforeCancel);
      const late = await pushEncrypted(
        { url: callbackUrl, token: TOKEN, encodingAesKey: AES_KEY, receiveId: clinic, toUserName: clinic },
        contactEventXml({
          changeType: 'del_follow_user',
          corpId: clinic,
          userId: openUserId('wwclinic', 'zhangsan'),
          externalUserId: 'wmafter',
          createTime: Math.floor(Date.now() / 1000),
        }),
      );
      expect(late).toEqual({ status: 400, body: 'callback.wrong_receive_id' });
      const after = await (await fetch(`${botUrl}/metrics`)).text();
      expect(after).toMatch(/contactway_callback_refused_total\{reason="decrypt"\} 2\b/);
      bot.type('exit');
    } finally {
      await bot.stop();
    }
  }, 180_000);
});
