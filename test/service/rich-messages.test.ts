import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FormValues, parseText, runCommand } from '../../commands/index.js';
import { type Core, startCore } from '../../src/app.js';
import { createLogger } from '../../src/base/logger.js';
import { announceCallbacks, withCallbacks } from '../../src/callbacks/mount.js';
import { loadConfig } from '../../src/config.js';
import { type OpsServer, startOpsServer } from '../../src/ops/index.js';
import type { Requester } from '../../src/store/index.js';
import { submitForm } from '../fixtures/submit-form.js';

/**
 * Issue 21 items 2–7 for link and mini-program cards and unionid: through the commands' forms as every adapter
 * submits them, the service and the real WeCom client against the embedded sandbox, whose received bodies are
 * checked field by field against the seed (../shared/seed-add_contact_way.txt), and the welcome message sent by
 * the callbacks when the sandbox plays a customer's scan.
 */

const BOOKING = {
  appid: 'wx8bd80126147dfAAA',
  page: '/path/index.html',
  title: '预约挂号',
  pic_media_id: 'MEDIA_ID',
};
// Ends in 0000: the sandbox's corp has not associated it (90206).
const STRANGER = { ...BOOKING, appid: 'wx8bd8012614700000', title: 'Not ours' };

const alice: Requester = { platform: 'console', workspaceId: 'local', userId: 'alice' };
const dir = mkdtempSync(join(tmpdir(), 'contactway-rich-'));
let core: Core;
let server: OpsServer;

beforeAll(async () => {
  const config = loadConfig({
    STORE_URL: 'memory:',
    JOURNAL_PATH: join(dir, 'pending.jsonl'),
    QR_DIR: join(dir, 'qr'),
    MINIPROGRAMS: JSON.stringify({ booking: BOOKING, stranger: STRANGER }),
  });
  const logger = createLogger({
    level: 'silent',
    destination: new Writable({ write: (_c, _e, done) => done() }),
  });
  core = await startCore(config, logger);
  server = await startOpsServer({
    port: 0,
    host: '127.0.0.1',
    handler: withCallbacks(core.callbacks, core.ops.handler, logger),
    logger,
  });
  announceCallbacks({ callbacks: core.callbacks!, port: server.port, logger, sandbox: core.sandbox });
});
afterAll(async () => {
  await server.close();
  await core.close();
  rmSync(dir, { recursive: true, force: true });
});

const ctx = (locale: 'en' | 'zh' = 'en') => ({
  requester: alice,
  locale,
  timeZone: 'UTC',
  service: core.service,
  sandbox: true,
});

async function run(text: string, values: FormValues, locale: 'en' | 'zh' = 'en') {
  const invocation = parseText(text);
  return runCommand(ctx(locale), invocation, submitForm(invocation, values));
}

const adds = () => core.sandbox!.received('add_contact_way');
const lastAdd = () => adds().at(-1) as Record<string, unknown>;

describe('closing cards on temp', () => {
  it('GIVEN a closing text and link card THEN add_contact_way carries conclusions.text and .link as the seed names them, and show describes them', async () => {
    const reply = await run('temp zhangsan', {
      conclusions: '谢谢光临',
      closing_link: '消息标题 | https://example.link.com/path | 消息描述 | https://example.pic.com/path',
    });
    expect(reply.status).toBe('ok');
    expect(lastAdd().conclusions).toEqual({
      text: { content: '谢谢光临' },
      link: {
        title: '消息标题',
        picurl: 'https://example.pic.com/path',
        desc: '消息描述',
        url: 'https://example.link.com/path',
      },
    });
    const shown = await runCommand(ctx(), parseText(`show ${reply.configId}`));
    const closing = shown.facts.find((f) => f.label === 'Closing message')?.value;
    expect(closing).toContain('“谢谢光临”');
    expect(closing).toContain('link “消息标题”');
    // get_contact_way echoes what WeCom keeps.
    const { live } = await core.service.show(alice, reply.configId!);
    expect(live?.conclusions?.link?.title).toBe('消息标题');
  });

  it('GIVEN a mini-program preset THEN conclusions.miniprogram is the preset, field by field, and nothing else is sent', async () => {
    const reply = await run('temp zhangsan', { closing_miniprogram: 'booking' });
    expect(reply.status).toBe('ok');
    expect(lastAdd().conclusions).toEqual({ miniprogram: BOOKING });
    const shown = await runCommand(ctx(), parseText(`show ${reply.configId}`));
    expect(shown.facts.find((f) => f.label === 'Closing message')?.value).toBe(
      'mini-program “booking” (预约挂号)',
    );
  });

  it('GIVEN a link and a mini-program together THEN the form names the mini-program field and says WeCom sends one card', async () => {
    const before = adds().length;
    const invocation = parseText('temp zhangsan');
    const { checkSubmission } = await import('../../commands/index.js');
    const checked = checkSubmission(
      invocation,
      { closing_link: 'T | https://e.com', closing_miniprogram: 'booking', expires_in: '0' },
      'zh',
    );
    expect(checked.ok).toBe(false);
    const errors = checked.ok ? [] : checked.errors;
    expect(errors.find((e) => e.field === 'closing_miniprogram')?.message).toContain('图片 > 链接 > 小程序');
    // Every bad field at once: the duration too.
    expect(errors.map((e) => e.field)).toContain('expires_in');
    expect(adds().length).toBe(before);
  });

  it.each([
    ['a title over 128 bytes', `${'标'.repeat(43)} | https://e.com`, /title must be at most 128 bytes/],
    ['a javascript: URL', 'T | javascript:alert(1)', /URL must be an http:\/\/ or https:\/\/ address/],
    ['no URL', 'Only a title', /URL .*http/],
    [
      'a description over 512 bytes',
      `T | https://e.com | ${'d'.repeat(513)}`,
      /desc must be at most 512 bytes/,
    ],
  ])(
    'GIVEN a closing link with %s THEN a field error naming closing_link and the limit',
    (_, link, message) => {
      const invocation = parseText('temp zhangsan');
      expect(() => submitForm(invocation, { closing_link: link })).toThrow(message);
    },
  );

  it('GIVEN an unknown preset THEN an error naming the field and the configured presets, and WeCom is never called', async () => {
    const before = adds().length;
    const reply = await run('temp zhangsan', { closing_miniprogram: 'nosuch' });
    expect(reply.status).toBe('error');
    expect(reply.fieldErrors).toEqual([
      {
        field: 'closing_miniprogram',
        message: 'unknown mini-program "nosuch"; configured: booking, stranger',
      },
    ]);
    expect(adds().length).toBe(before);
  });

  it('GIVEN a preset WeCom has not associated with the corp THEN 90206 explained in the requester language', async () => {
    const reply = await run('temp zhangsan', { closing_miniprogram: 'stranger' }, 'zh');
    expect(reply.status).toBe('error');
    expect(reply.text).toContain('小程序未关联到本企业');
  });
});

describe('unionid on temp', () => {
  it('GIVEN a unionid THEN add_contact_way carries it as the seed does; a malformed one is a field error', async () => {
    const reply = await run('temp zhangsan', { unionid: 'oxTWIuGaIt6gTKsQRLau2M0AAAA' });
    expect(reply.status).toBe('ok');
    expect(lastAdd().unionid).toBe('oxTWIuGaIt6gTKsQRLau2M0AAAA');
    expect(() => submitForm(parseText('temp zhangsan'), { unionid: 'o x!' })).toThrow(
      /unionid: 1–64 letters/,
    );
  });

  it('GIVEN WeCom answers 41057 THEN the reply says to bind a WeChat developer account in 客户联系', async () => {
    core.sandbox!.inject({ endpoint: 'add_contact_way', errcode: 41057 });
    const reply = await run('temp zhangsan', { unionid: 'oxTWIuGaIt6gTKsQRLau2M0AAAA' });
    expect(reply.status).toBe('error');
    expect(reply.text).toContain('No WeChat developer account is bound');
    expect(reply.text).toContain('客户联系');
  });
});

describe('welcome attachments', () => {
  it('GIVEN welcome links and a preset WHEN a customer scans THEN send_welcome_msg carries them after the text, the sandbox records them and its landing page shows both messages', async () => {
    const reply = await run('temp lisi', {
      welcome: '欢迎！',
      welcome_links: 'Hours | https://clinic.example/hours\nPrices | https://clinic.example/prices | 2026',
      welcome_miniprograms: 'booking',
      conclusions: 'Bye',
    });
    expect(reply.status).toBe('ok');
    const res = await fetch(`${core.sandbox!.url}/sandbox/scan`, {
      method: 'POST',
      body: JSON.stringify({ config_id: reply.configId }),
    });
    const scan = (await res.json()) as { external_userid: string };
    await core.callbacks!.idle();
    const sent = core.sandbox!.received('send_welcome_msg').at(-1) as Record<string, unknown>;
    expect(sent.text).toEqual({ content: '欢迎！' });
    expect(sent.attachments).toEqual([
      { msgtype: 'link', link: { title: 'Hours', url: 'https://clinic.example/hours' } },
      { msgtype: 'link', link: { title: 'Prices', desc: '2026', url: 'https://clinic.example/prices' } },
      { msgtype: 'miniprogram', miniprogram: BOOKING },
    ]);
    expect(core.sandbox!.customer(scan.external_userid)?.welcome?.attachments).toHaveLength(3);
    const [customer] = await core.callbacks!.customers.listByWay(reply.configId!);
    expect(customer?.welcome.status).toBe('sent');
    const page = await (await fetch(`${core.sandbox!.url}/sandbox/c/${reply.configId}`)).text();
    expect(page).toContain('Welcome message / 欢迎语');
    expect(page).toContain('Prices');
    expect(page).toContain('预约挂号');
    expect(page).toContain('Closing message / 结束语');
  });

  it('GIVEN ten cards THEN a field error naming the limit of 9, and nothing created', () => {
    const links = Array.from({ length: 10 }, (_, i) => `L${i} | https://e.com/${i}`).join('\n');
    expect(() => submitForm(parseText('new'), { user: 'zhangsan', welcome_links: links })).toThrow(
      /at most 9 attachments/,
    );
  });

  it('GIVEN only cards and no welcome text on new THEN the way is created with them', async () => {
    const reply = await run('new', { user: 'zhangsan', welcome_miniprograms: 'booking' });
    expect(reply.status).toBe('ok');
    const record = await core.service.way(alice, reply.configId!);
    expect(record.welcomeAttachments).toEqual([{ kind: 'miniprogram', name: 'booking', ...BOOKING }]);
    expect(reply.facts.find((f) => f.label === 'Welcome message')?.value).toBe(
      'mini-program “booking” (预约挂号)',
    );
  });
});

describe('edit: keep, replace or remove each card', () => {
  it('GIVEN a temp way with text and a link THEN an edit keeps, replaces and removes the card, the text always kept', async () => {
    const made = await run('temp wangwu', { conclusions: 'Bye', closing_link: 'Old | https://old.example' });
    const id = made.configId!;
    const updates = () => core.sandbox!.received('update_contact_way');
    const before = updates().length;
    // Opened with its current values and saved as is: nothing changes, nothing is sent.
    const { edit } = await import('../../commands/edit.js');
    const current = await edit.current!({ service: core.service, requester: alice }, { config_id: id });
    expect(current.closing_link).toBe('Old | https://old.example');
    const kept = await run(`edit ${id}`, current);
    expect(kept.title).toContain('Nothing changed');
    expect(updates().length).toBe(before);
    // Replaced by a mini-program: the link field cleared with `-`, the text kept with the new card.
    const replaced = await run(`edit ${id}`, { closing_link: '-', closing_miniprogram: 'booking' });
    expect(replaced.status).toBe('ok');
    expect(updates().at(-1)?.conclusions).toEqual({ text: { content: 'Bye' }, miniprogram: BOOKING });
    // Removed: only the text goes to WeCom, which replaces conclusions whole.
    const removed = await run(`edit ${id}`, { closing_miniprogram: '-' });
    expect(removed.status).toBe('ok');
    expect(updates().at(-1)?.conclusions).toEqual({ text: { content: 'Bye' } });
    const { live } = await core.service.show(alice, id);
    expect(live?.conclusions).toEqual({ text: { content: 'Bye' } });
  });

  it('GIVEN a way whose closing message is only a card THEN removing it is refused: WeCom cannot clear a closing message', async () => {
    const made = await run('temp wangwu', { closing_link: 'Only | https://only.example' });
    const reply = await run(`edit ${made.configId}`, { closing_link: '-' });
    expect(reply.status).toBe('error');
    expect(reply.fieldErrors?.[0]).toMatchObject({ field: 'closing_link' });
    expect(reply.fieldErrors?.[0]?.message).toContain('not clear it');
  });

  it('GIVEN a permanent way THEN a closing card is refused on its field', async () => {
    const made = await run('new', { user: 'zhangsan' });
    const reply = await run(`edit ${made.configId}`, { closing_link: 'T | https://e.com' });
    expect(reply.fieldErrors?.[0]).toMatchObject({ field: 'closing_link' });
  });

  it('GIVEN welcome links THEN an edit replaces them and `-` removes them, the mini-programs kept', async () => {
    const made = await run('new', {
      user: 'zhangsan',
      welcome_links: 'A | https://a.example',
      welcome_miniprograms: 'booking',
    });
    const id = made.configId!;
    await run(`edit ${id}`, { welcome_links: 'B | https://b.example' });
    expect(
      (await core.service.way(alice, id)).welcomeAttachments?.map((a) => a.kind === 'link' && a.title),
    ).toEqual(['B', false]);
    await run(`edit ${id}`, { welcome_links: '-' });
    expect((await core.service.way(alice, id)).welcomeAttachments?.map((a) => a.kind)).toEqual([
      'miniprogram',
    ]);
  });
});
