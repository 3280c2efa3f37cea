import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startConsole as startBot } from '../fixtures/provider/console-bot.js';
import {
  authorizeThroughQr,
  installThroughPage,
  openUserId,
  wecomInstallUrl,
} from '../fixtures/provider/sandbox-pages.js';

const dir = mkdtempSync(join(tmpdir(), 'cw-provider-install-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const startConsole = (env: Record<string, string>) => startBot(dir, env);

describe.each(['third-party', 'customized'])(
  'WECOM_MODE=%s npm start with no account: the sandbox plays the provider platform',
  (mode) => {
    it('GIVEN the console THEN install → redirect → bound → temp in that corp → scan → notification; the used state is refused; cancel_auth tells the admin', async () => {
      const bot = startConsole({ WECOM_MODE: mode });
      try {
        // The newcomer is told how to install.
        await bot.waitForErr('no corp has installed the app yet');
        bot.type('status');
        await bot.expectOut(/Suite ticket\s+\d+s old/);
        bot.type('install');
        const [link] = await bot.expectOut(/http:\/\/127\.0\.0\.1:\d+\/wecom\/install\?start=[a-f0-9]{32}/);
        const wecomLink = await wecomInstallUrl(link);
        const sandboxUrl = new URL(wecomLink).origin;
        const mark = bot.out().length;
        if (mode === 'customized') {
          const scanned = await authorizeThroughQr(link, 'wwclinic');
          expect(scanned.status).toBe(200);
          expect(scanned.body).toContain('Authorized');
        } else {
          expect(wecomLink).toContain('/3rdapp/install?suite_id=');
          expect(wecomLink).toMatch(/redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A\d+%2Fwecom%2Finstall/);
          const landed = await installThroughPage(link, 'wwclinic');
          expect(landed.status).toBe(200);
          expect(landed.body).toContain('Sandbox Clinic');
          // The same state again (another auth_code for it): refused with a clear page.
          const reused = new URL(landed.redirect);
          reused.searchParams.set('auth_code', 'another-code');
          const refused = await fetch(reused);
          expect(refused.status).toBe(400);
          expect(await refused.text()).toContain('already used');
          const unknown = new URL(landed.redirect);
          unknown.searchParams.set('state', 'nosuchstate');
          expect((await fetch(unknown)).status).toBe(400);
        }
        // The admin is told in chat.
        await bot.expectOut(/contactway is installed in Sandbox Clinic/, mark);

        // The chat's link once used: refused with a clear page.
        const spent = await fetch(link);
        expect(spent.status).toBe(400);
        expect(await spent.text()).toContain('already used');

        const before = bot.out().length;
        bot.type('status');
        await bot.expectOut(
          /Corp\s+Sandbox Clinic[^\n]*· w[pw]\S+\n\s+Agent id\s+1000005[\s\S]*Token\s+ok/,
          before,
        );

        // temp in that corp, for the member's id as the app sees it (the 2022 id upgrade: plaintext is 60111).
        const beforeTemp = bot.out().length;
        bot.type(`temp ${openUserId('wwclinic', 'zhangsan')}`);
        bot.type('');
        const [, configId] = await bot.expectOut(/config_id\s+([0-9a-f]{32})/, beforeTemp);
        const beforeScan = bot.out().length;
        bot.type(`scan ${configId}`);
        await bot.expectOut(new RegExp(`scanned ${configId}`), beforeScan);
        // The customer event (third-party: on /wecom/suite; 代开发: on the app's own /wecom/callback) comes with
        // encrypted ids and reaches the requester, the member named from the corp's directory beside their open id.
        await bot.expectOut(/added 张三 \(wo\w+\)\n\s+Customer\s+\S+ \(wm\w+\)/, beforeScan);

        // cancel_auth from the corp: the bound workspace's admin hears it.
        const beforeCancel = bot.out().length;
        const info = (await (await fetch(new URL('/sandbox/provider', sandboxUrl))).json()) as unknown;
        expect(JSON.stringify(info)).toContain('wwclinic');
        const cancel = await fetch(new URL('/sandbox/provider/auth-event', sandboxUrl), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ corp_id: 'wwclinic', info_type: 'cancel_auth' }),
        });
        expect(cancel.status).toBe(200);
        await bot.expectOut(/Sandbox Clinic[^\n]* no longer authorizes contactway/, beforeCancel);
        const beforeLost = bot.out().length;
        bot.type('status');
        await bot.expectOut(/Token\s+lost/, beforeLost);
        bot.type('exit');
      } finally {
        await bot.stop();
      }
    }, 120_000);
  },
);

describe('WECOM_MODE=third-party: WeCom refuses the permanent code (40084) before any cancel_auth arrives', () => {
  it('GIVEN a bound corp whose authorization WeCom revoked THEN the tenant is lost, the admin is told once, and later requests never call WeCom for it', async () => {
    const bot = startConsole({ WECOM_MODE: 'third-party', STORE_URL: 'memory:' });
    try {
      await bot.waitForErr('no corp has installed the app yet');
      bot.type('install');
      const [link] = await bot.expectOut(/http:\/\/127\.0\.0\.1:\d+\/wecom\/install\?start=[a-f0-9]{32}/);
      const sandboxUrl = new URL(await wecomInstallUrl(link)).origin;
      const mark = bot.out().length;
      expect((await installThroughPage(link, 'wwclinic')).status).toBe(200);
      await bot.expectOut(/contactway is installed in Sandbox Clinic/, mark);
      const member = openUserId('wwclinic', 'zhangsan');
      const beforeTemp = bot.out().length;
      bot.type(`temp ${member}`);
      bot.type('');
      await bot.expectOut(/config_id\s+[0-9a-f]{32}/, beforeTemp);

      // The cancel_auth push is lost (no URL), WeCom forgets the install, and the corp token expires.
      const post = (path: string, body: unknown) =>
        fetch(new URL(path, sandboxUrl), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      expect((await post('/sandbox/provider/suite-url', { url: null })).status).toBe(200);
      expect(
        (await post('/sandbox/provider/auth-event', { corp_id: 'wwclinic', info_type: 'cancel_auth' }))
          .status,
      ).toBe(200);
      expect((await post('/sandbox/expire-tokens', { code: 42001 })).status).toBe(200);

      const beforeLost = bot.out().length;
      bot.type(`temp ${member}`);
      bot.type('');
      await bot.expectOut(/no longer authorizes/, beforeLost);
      await bot.expectOut(/Sandbox Clinic[^\n]* no longer authorizes contactway/, beforeLost);
      const statsBefore = await (await fetch(new URL('/sandbox/stats', sandboxUrl))).text();

      // No retry: the next request fails at once, without asking WeCom for a token.
      const beforeAgain = bot.out().length;
      bot.type(`temp ${member}`);
      bot.type('');
      await bot.expectOut(/no longer authorizes this app/, beforeAgain);
      expect(await (await fetch(new URL('/sandbox/stats', sandboxUrl))).text()).toBe(statsBefore);
      expect(bot.out().match(/🔔[^\n]*no longer authorizes contactway/g)).toHaveLength(1);
      bot.type('exit');
    } finally {
      await bot.stop();
    }
  }, 120_000);
});

describe('WECOM_MODE=third-party: an install from WeCom’s app market (create_auth without a state)', () => {
  it('GIVEN the corp installed without a link THEN it is stored unbound and status says an admin must bind it', async () => {
    const bot = startConsole({ WECOM_MODE: 'third-party', STORE_URL: 'memory:' });
    try {
      await bot.waitForErr('no corp has installed the app yet');
      bot.type('install');
      const [link] = await bot.expectOut(/http:\/\/127\.0\.0\.1:\d+\/wecom\/install\?start=[a-f0-9]{32}/);
      const sandboxUrl = new URL(await wecomInstallUrl(link)).origin;
      const market = await fetch(new URL('/sandbox/provider/install', sandboxUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ corp_id: 'wwhospital' }),
      });
      expect(market.status).toBe(200);
      await bot.waitForErr('corp installed (permanent code stored)');
      const before = bot.out().length;
      bot.type('status');
      const [said] = await bot.expectOut(
        /Corp\s+not bound[\s\S]*1 corp\(s\) installed[^\n]*bound to no workspace[^\n]*\n[^\n]*/,
        before,
      );
      // Which corps is theirs, not every workspace admin's: neither the name nor the id is shown.
      expect(said).not.toMatch(/Hospital|wwhospital/);
      bot.type('exit');
    } finally {
      await bot.stop();
    }
  }, 120_000);
});
