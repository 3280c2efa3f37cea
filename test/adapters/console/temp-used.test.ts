import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatDriver } from '../../chat/chat-contract.js';
import { consoleDriver } from '../../fixtures/console/driver.js';

/**
 * Issue 19 item 2, through the console: a temp QR a customer has scanned is shown as used (by whom, when),
 * its dead QR is never offered again, `list` says used, and `again <config_id>` opens the temp form
 * prefilled from it, which creates a new way.
 */
let driver: ChatDriver;
beforeAll(async () => {
  driver = await consoleDriver.start({ env: {} });
});
afterAll(() => driver.close());

const configIdOf = (text: string) => /config_id\s+([0-9a-f]{32})/.exec(text)?.[1] ?? '';

describe('console: a used temp QR', () => {
  it('GIVEN a scanned temp QR THEN show says used with no QR, list says used, and again makes a new one like it', async () => {
    await driver.command('alice', 'temp zhangsan');
    const created = await driver.submit('alice', {
      expires_in: '3d',
      chat_expires_in: '36h',
      remark: 'fair-desk',
      state: 'spring',
      welcome: 'Hello from the fair',
    });
    const configId = configIdOf(created.text);
    expect(configId).toMatch(/^[0-9a-f]{32}$/);
    expect(created.text).toContain('QR:');

    const scanned = await driver.command('alice', `scan ${configId}`);
    expect(scanned.text).toContain('scanned');
    const [note] = await driver.notifications('alice');
    expect(note).toContain('no longer works');
    expect(note).toContain(`again ${configId}`);

    const shown = await driver.command('alice', `show ${configId}`);
    expect(shown.text).toMatch(
      /Used by \S.* \(wm[^)]+\) at \d{4}-\d\d-\d\d \d\d:\d\d UTC — this QR no longer works/,
    );
    expect(shown.text).not.toContain('QR:');
    expect(shown.text).not.toMatch(/https?:\/\//);
    expect(shown.text).toContain(`again ${configId}`);

    const listed = await driver.command('alice', 'list');
    const line = listed.text.split('\n').find((l) => l.includes(configId)) ?? '';
    expect(line).toContain('used by');
    expect(line).not.toContain('until');

    const opened = await driver.command('alice', `again ${configId}`);
    expect(opened.text).toContain('Temporary QR');
    // Each field asked with the used way's value as what Enter keeps: accept them all.
    let out = '';
    for (let i = 0; i < 7; i++) out += (await driver.command('alice', '')).text;
    const fresh = configIdOf(out);
    expect(fresh).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh).not.toBe(configId);
    expect(out).toContain('zhangsan');
    expect(out).toMatch(/Session lasts\s+36h/);
    expect(out).toContain('fair-desk');
    expect(out).toMatch(/State\s+spring~/);
    const record = await driver.core.service.way(driver.requester('alice'), fresh);
    expect(record?.welcome).toBe('Hello from the fair');
    expect(record?.request.expires_in).toBe(3 * 86_400);
    expect(record?.stateTag).toBe('spring');
  }, 30_000);

  it("GIVEN someone else's used way THEN again refuses it as not found", async () => {
    await driver.command('alice', 'temp zhangsan');
    const configId = configIdOf((await driver.submit('alice')).text);
    const refused = await driver.command('bob', `again ${configId}`);
    expect(refused.text).toMatch(/not found|No contact way/i);
    expect(refused.text).not.toContain('Temporary QR');
  }, 30_000);
});
