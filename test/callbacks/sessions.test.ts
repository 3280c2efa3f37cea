import { afterEach, describe, expect, it } from 'vitest';
import type { ChatDriver } from '../chat/chat-contract.js';
import { consoleDriver } from '../fixtures/console/driver.js';

/**
 * What a requester does with the customers a QR brought, through the console adapter on the embedded
 * sandbox (the sandbox posts WeCom's encrypted events to the bot's /wecom/callback): `show` lists them with
 * their session state, `list` counts them, `close <config_id>` ends the only open session, and an admin's
 * `sync` recovers a customer whose add event never reached us.
 */

let d: ChatDriver | undefined;
afterEach(async () => {
  await d?.close();
  d = undefined;
});

const configIdIn = (text: string) => /\b([0-9a-f]{32})\b/.exec(text)?.[1] ?? '';

async function tempFor(driver: ChatDriver, member: string): Promise<string> {
  await driver.command('alice', `temp ${member}`);
  return configIdIn((await driver.submit('alice')).text);
}

describe('welcome message field', () => {
  it('GIVEN temp with a welcome message typed in the form THEN the customer who scans is greeted with it, and edit changes it', async () => {
    d = await consoleDriver.start({});
    await d.command('alice', 'temp zhangsan');
    const configId = configIdIn((await d.submit('alice', { welcome: '您好，欢迎光临！' })).text);
    await d.notifications('alice');
    const scan = await d.core.sandbox!.scan(configId);
    await d.core.callbacks!.idle();
    expect(d.core.sandbox!.customer(scan.externalUserId)?.welcome?.content).toBe('您好，欢迎光临！');
    expect((await d.notifications('alice')).join('\n')).toMatch(/Welcome message sent/);

    await d.command('alice', `edit ${configId}`);
    await d.submit('alice', { welcome: 'Hello again' });
    expect((await d.core.service.show(d.requester('alice'), configId)).record.welcome).toBe('Hello again');
  });
});

describe('customers of a way', () => {
  it('GIVEN a scanned way THEN show lists the customer with an open session, list counts it, close ends it and show says so', async () => {
    d = await consoleDriver.start({});
    const configId = await tempFor(d, 'zhangsan');
    const scan = await d.core.sandbox!.scan(configId);
    await d.core.callbacks!.idle();

    const shown = await d.command('alice', `show ${configId}`);
    expect(shown.text).toContain(`${scan.name} (${scan.externalUserId})`);
    expect(shown.text).toMatch(/Customers \(1\)/);
    expect(shown.text).toMatch(/session open until/);
    expect((await d.command('alice', 'list')).text).toMatch(new RegExp(`${configId} .*1 customer\\(s\\)`));

    // No customer named: the way's only open session.
    expect((await d.command('alice', `close ${configId}`)).text).toMatch(/Ended the temporary session/);
    expect((await d.command('alice', `show ${configId}`)).text).toMatch(/session ended by close/);
    // Nothing left to end: said plainly, WeCom not called.
    expect((await d.command('alice', `close ${configId}`)).text).toMatch(/no open session/);
  });

  it('GIVEN two open sessions THEN close asks which customer, and takes a name', async () => {
    d = await consoleDriver.start({});
    const configId = await d.core.service
      .create(d.requester('alice'), { type: 1, scene: 2, user: ['zhangsan'], is_temp: true })
      .then((r) => r.record.configId);
    // A temp QR is spent by its first scan in WeCom: two customers means a second add of the same way,
    // which the callback can still report (the sandbox refuses the second scan, so record both directly).
    const first = await d.core.sandbox!.scan(configId, { name: '李雷' });
    await d.core.callbacks!.idle();
    const [one] = await d.core.callbacks!.customers.listByWay(configId);
    await d.core.callbacks!.customers.put({ ...one!, externalUserId: 'wmSECOND', name: '韩梅梅' });

    const asked = await d.command('alice', `close ${configId}`);
    expect(asked.text).toMatch(/2 open sessions/);
    expect(asked.text).toContain(first.externalUserId);
    // By name (the sandbox opened 李雷's session at the scan; 韩梅梅's exists only in our records).
    const ended = await d.command('alice', `close ${configId} 李雷`);
    expect(ended.text).toMatch(/Ended the temporary session between zhangsan and 李雷/);
    expect((await d.command('alice', `close ${configId} 王五`)).text).toMatch(/no customer "王五"/);
  });

  it('GIVEN a customer added while the callback was unreachable THEN an admin’s sync records it, matched by state', async () => {
    d = await consoleDriver.start({ env: { ADMINS: 'console:local:alice' } });
    const configId = await tempFor(d, 'lisi');
    // The sandbox has no callback URL for a moment: the scan happens at WeCom, the event is lost.
    d.core.sandbox!.disconnectCallbacks();
    const scan = await d.core.sandbox!.scan(configId);
    expect(scan.delivered).toBeUndefined();
    expect(await d.core.callbacks!.customers.listByWay(configId)).toEqual([]);

    const synced = await d.command('alice', 'sync');
    expect(synced.text).toMatch(/1 recovered/);
    const [found] = await d.core.callbacks!.customers.listByWay(configId);
    expect(found).toMatchObject({
      externalUserId: scan.externalUserId,
      userId: 'lisi',
      source: 'sync',
      session: 'open',
    });
    // Twice is harmless.
    expect((await d.command('alice', 'sync')).text).toMatch(/0 recovered/);
  });
});
