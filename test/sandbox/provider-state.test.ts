import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type SandboxOptions, startSandbox } from '../../src/sandbox/index.js';
import { installViaPage, type Json, service, wecom } from './provider-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cw-sandbox-provider-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sandbox provider: state across restarts', () => {
  it('GIVEN an install, a ticket, tokens and a way THEN all still answer after a restart; the file holds no secret', async () => {
    const statePath = join(dir, 'sandbox.json');
    const options: SandboxOptions = { statePath, provider: { ticketIntervalMs: 0 } };
    const before = await startSandbox(options);
    const provider = before.provider!;
    const { ticket } = await provider.pushTicket();
    const suiteBody = {
      suite_id: provider.suite.suiteId,
      suite_secret: provider.suite.suiteSecret,
      suite_ticket: ticket,
    };
    const suite = (await service(before, 'get_suite_token', {}, suiteBody)).suite_access_token as string;
    const { authCode } = await installViaPage(before, suite, 'wwhospital');
    const ex = await service(
      before,
      'v2/get_permanent_code',
      { suite_access_token: suite },
      { auth_code: authCode },
    );
    const corp = { auth_corpid: (ex.auth_corp_info as Json).corpid, permanent_code: ex.permanent_code };
    const token = (await service(before, 'get_corp_token', { suite_access_token: suite }, corp))
      .access_token as string;
    const userid = provider.openUserId('wwhospital', 'zhangsan');
    const added = await wecom(before, 'externalcontact/add_contact_way', token, {
      type: 1,
      scene: 2,
      user: [userid],
    });
    expect(added.errcode).toBe(0);
    await before.close();

    const file = readFileSync(statePath, 'utf8');
    for (const secret of [ticket, suite, token, ex.permanent_code as string])
      expect(file).not.toContain(secret);

    const after = await startSandbox(options);
    try {
      expect(after.url).toBe(before.url);
      expect((await service(after, 'get_pre_auth_code', { suite_access_token: suite })).errcode).toBe(0);
      const renewed = await service(after, 'get_suite_token', {}, suiteBody);
      expect(renewed.suite_access_token).toEqual(expect.any(String));
      const again = await service(after, 'get_corp_token', { suite_access_token: suite }, corp);
      expect(again.access_token).toEqual(expect.any(String));
      const way = await wecom(after, 'externalcontact/get_contact_way', token, {
        config_id: added.config_id,
      });
      expect(way).toMatchObject({ errcode: 0, contact_way: { user: [userid] } });
      expect(after.provider!.installs()).toEqual([
        expect.objectContaining({ corpId: 'wwhospital', status: 'active' }),
      ]);
    } finally {
      await after.close();
    }
  });
});
