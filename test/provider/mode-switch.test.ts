import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startConsole } from '../fixtures/provider/console-bot.js';
import { authorizeThroughQr, installThroughPage, openUserId } from '../fixtures/provider/sandbox-pages.js';

/**
 * The same store run in one provider mode, then the other (each mode's sandbox suite differs): the corps and
 * bindings the first suite installed are not the second's, whose token call would carry the other suite's
 * permanent code. The second mode starts with no corp, and its install binds the workspace anew.
 */
const dir = mkdtempSync(join(tmpdir(), 'cw-provider-switch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const STORE_URL = `sqlite://${join(dir, 'shared.sqlite')}`;
const LINK = /http:\/\/127\.0\.0\.1:\d+\/wecom\/install\?start=[a-f0-9]{32}/;

describe('WECOM_MODE=third-party, then WECOM_MODE=customized, on the same sqlite store', () => {
  it('GIVEN a corp installed and bound by the third-party suite THEN customized mode shows no binding, and its own install binds and works', async () => {
    const first = startConsole(dir, { WECOM_MODE: 'third-party', STORE_URL });
    try {
      await first.waitForErr('no corp has installed the app yet');
      first.type('install');
      const [link] = await first.expectOut(LINK);
      const mark = first.out().length;
      expect((await installThroughPage(link, 'wwclinic')).status).toBe(200);
      await first.expectOut(/contactway is installed in Sandbox Clinic/, mark);
      const before = first.out().length;
      first.type('status');
      await first.expectOut(/Corp\s+Sandbox Clinic[\s\S]*Token\s+ok/, before);
      first.type('exit');
    } finally {
      await first.stop();
    }

    const second = startConsole(dir, { WECOM_MODE: 'customized', STORE_URL });
    try {
      await second.waitForErr('simulated provider platform posts suite_ticket');
      const before = second.out().length;
      second.type('status');
      const [status] = await second.expectOut(/Corp\s+\S[^\n]*\n[\s\S]*Token\s+[^\n]+/, before);
      expect(status).toMatch(/Corp\s+not bound/);
      expect(status).not.toContain('Sandbox Clinic');
      expect(status).toMatch(/Token\s+none: this workspace is bound to no corp/);

      second.type('install');
      const [link] = await second.expectOut(LINK, before);
      const mark = second.out().length;
      const scanned = await authorizeThroughQr(link, 'wwhospital');
      expect(scanned.status).toBe(200);
      await second.expectOut(/contactway is installed in Sandbox Hospital/, mark);
      const afterInstall = second.out().length;
      second.type('status');
      await second.expectOut(/Corp\s+Sandbox Hospital[\s\S]*Token\s+ok/, afterInstall);

      // The token is this suite's, for the corp it installed: a temp code is made there.
      const member = openUserId('wwhospital', 'zhangsan');
      const beforeTemp = second.out().length;
      second.type(`temp ${member}`);
      second.type('');
      await second.expectOut(/config_id\s+[0-9a-f]{32}/, beforeTemp);
      second.type('exit');
    } finally {
      await second.stop();
    }
  }, 180_000);
});
