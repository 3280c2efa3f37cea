import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactEventXml } from '../../src/callbacks/index.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { type MiniprogramPresets, parseMiniprograms } from '../../src/service/miniprograms.js';
import { createMemoryKeyv } from '../../src/store/index.js';
import { pngBytes } from '../fixtures/images.js';
import { tempRequest } from '../fixtures/temp-request.js';
import { alice, type Instance, post, startInstance, wecomPost } from './fixture.js';

/**
 * A welcome mini-program whose cover is a file (MINIPROGRAMS pic_path): sent with the media_id uploaded at
 * startup and kept fresh like a welcome image, never uploaded inside WeCom's 20 s.
 */
const dir = mkdtempSync(join(tmpdir(), 'cw-welcome-cover-'));
let sandbox: Sandbox;
let bot: Instance;

beforeAll(async () => {
  const path = join(dir, 'booking.png');
  writeFileSync(path, await pngBytes('booking cover'));
  const presets = parseMiniprograms(
    JSON.stringify({
      booking: {
        appid: 'wx8bd80126147dfAAA',
        page: 'pages/book/index',
        title: 'Book a visit',
        pic_path: path,
      },
    }),
  );
  if (typeof presets === 'string') throw new Error(presets);
  sandbox = await startSandbox();
  bot = await startInstance(sandbox, createMemoryKeyv(), { miniprograms: presets as MiniprogramPresets });
});

afterAll(async () => {
  await bot?.callbacks.idle();
  await bot?.close();
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('welcome mini-program with a cover file', () => {
  it('GIVEN a way with it WHEN a customer adds THEN send_welcome_msg carries the cover by the media_id uploaded at startup', async () => {
    const uploads = () => sandbox.received('media/upload');
    for (let i = 0; i < 600 && uploads().length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    const [upload] = uploads();
    const { record: way } = await bot.service.create(alice, tempRequest('zhangsan'), {
      welcome: 'Hi',
      rich: { welcomeMiniprograms: ['booking'] },
    });
    const scan = await sandbox.scan(way.configId);
    const event = contactEventXml({
      changeType: 'add_external_contact',
      corpId: sandbox.corpId,
      userId: 'zhangsan',
      externalUserId: scan.externalUserId,
      createTime: Math.floor(Date.now() / 1000),
      state: way.request.state,
      welcomeCode: scan.welcomeCode,
    });
    await post(bot.url, wecomPost(event, { receiveId: sandbox.corpId }));
    await bot.callbacks.idle();
    expect(sandbox.received('send_welcome_msg').at(-1)?.attachments).toEqual([
      {
        msgtype: 'miniprogram',
        miniprogram: {
          appid: 'wx8bd80126147dfAAA',
          page: 'pages/book/index',
          title: 'Book a visit',
          pic_media_id: upload?.media_id,
        },
      },
    ]);
    expect(uploads()).toHaveLength(1);
  });
});
