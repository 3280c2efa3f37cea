import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OpenIds } from '../../src/sandbox/provider-ids.js';
import { spawnGroup, stopGroup } from '../fixtures/child-process.js';

/** The encrypted userid a provider app of the sandbox's default provider sees for a member. */
function openUserId(corpId: string, userid: string): string {
  return new OpenIds('ww_sandbox_provider', { corpId } as never, () => new Set()).user(userid);
}

const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'cw-provider-install-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `npm start`'s entry point as a newcomer runs it: a provider mode, no account, the console, typed line by line. */
function startConsole(env: Record<string, string>) {
  const child = spawnGroup(join(ROOT, 'node_modules/.bin/tsx'), ['src/main.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      STORE_URL: `sqlite://${join(dir, `${env.WECOM_MODE}.sqlite`)}`,
      QR_DIR: join(dir, 'qr'),
      ADMINS: `console:local:${userInfo().username}`,
      LOG_LEVEL: 'info',
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  async function waitFor(test: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
    const until = performance.now() + timeoutMs;
    while (!test()) {
      if (gone()) throw new Error(`main exited:\n${stdout}\n${stderr}`);
      if (performance.now() > until) throw new Error(`no ${what}:\n${stdout}\n${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    out: () => stdout,
    err: () => stderr,
    type: (line: string) => child.stdin.write(`${line}\n`),
    /** Waits for `pattern` in stdout after `from` characters. */
    async expectOut(pattern: RegExp, from = 0): Promise<RegExpExecArray> {
      let found: RegExpExecArray | null = null;
      await waitFor(() => {
        found = pattern.exec(stdout.slice(from));
        return found !== null;
      }, String(pattern));
      return found as unknown as RegExpExecArray;
    },
    waitForErr: (text: string) => waitFor(() => stderr.includes(text), text),
    stop: () => stopGroup(child),
  };
}

/** Our start page (the link the chat shows) links on to WeCom's install page: the sandbox's, here. */
async function wecomInstallUrl(startLink: string): Promise<string> {
  const page = await fetch(startLink);
  expect(page.status).toBe(200);
  const href = /id="install" href="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  return href.replaceAll('&amp;', '&');
}

/** What the corp admin does with the link: picks the corp on the install page, then follows WeCom's redirect. */
async function installThroughPage(link: string, corpId: string) {
  const url = new URL(await wecomInstallUrl(link));
  const page = await fetch(url);
  expect(page.status).toBe(200);
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
  return { redirect, status: landed.status, body: await landed.text() };
}

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
        expect(wecomLink).toContain('/3rdapp/install?suite_id=');
        expect(wecomLink).toMatch(/redirect_uri=http%3A%2F%2F127\.0\.0\.1%3A\d+%2Fwecom%2Finstall/);
        const sandboxUrl = new URL(wecomLink).origin;

        const mark = bot.out().length;
        const landed = await installThroughPage(link, 'wwclinic');
        expect(landed.status).toBe(200);
        expect(landed.body).toContain('Sandbox Clinic');
        // The admin is told in chat.
        await bot.expectOut(/contactway is installed in Sandbox Clinic/, mark);

        // The chat's link once used: refused with a clear page.
        const spent = await fetch(link);
        expect(spent.status).toBe(400);
        expect(await spent.text()).toContain('already used');
        // The same state again (another auth_code for it): refused with a clear page.
        const reused = new URL(landed.redirect);
        reused.searchParams.set('auth_code', 'another-code');
        const refused = await fetch(reused);
        expect(refused.status).toBe(400);
        expect(await refused.text()).toContain('already used');
        const unknown = new URL(landed.redirect);
        unknown.searchParams.set('state', 'nosuchstate');
        expect((await fetch(unknown)).status).toBe(400);

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
        if (mode === 'third-party') {
          // The customer event comes to /wecom/suite with encrypted ids and reaches the requester, the member
          // named from the corp's directory beside their open id.
          await bot.expectOut(/added 张三 \(wo\w+\)\n\s+Customer\s+\S+ \(wm\w+\)/, beforeScan);
        }
        // 代开发's customer events go to the app's own callback URL, not served in provider modes yet.

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
      await bot.expectOut(/Corp\s+not bound[\s\S]*bound to no workspace: Sandbox Hospital/, before);
      bot.type('exit');
    } finally {
      await bot.stop();
    }
  }, 120_000);
});
