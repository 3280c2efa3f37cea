import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { contactEventXml } from '../../src/callbacks/index.js';
import { localizeNotification } from '../../src/callbacks/notification.js';
import { checkImage, MEDIA_ID_PREFIX } from '../../src/media/index.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { createMemoryKeyv, createRecordStore } from '../../src/store/index.js';
import { pngBytes } from '../fixtures/images.js';
import { tempRequest } from '../fixtures/temp-request.js';
import { alice, type Instance, post, startInstance, wecomPost } from './fixture.js';

/**
 * The welcome image on the callback path: sent by the media_id stored at creation (and kept fresh by the
 * refresh), never uploaded inside WeCom's 20 s; without a fresh one the welcome goes without it, and says so.
 */
let sandbox: Sandbox;
let bot: Instance;
const keyv = createMemoryKeyv();
beforeAll(async () => {
  sandbox = await startSandbox();
  bot = await startInstance(sandbox, keyv);
});
afterEach(() => sandbox.clearFaults());
afterAll(async () => {
  await bot?.callbacks.idle();
  await bot?.close();
  await sandbox?.close();
});

async function scanned(welcome: string | undefined, caption: string) {
  const image = checkImage(await pngBytes(caption), 'welcome_image', `${caption}.png`);
  const created = await bot.service.create(alice, tempRequest('zhangsan'), {
    ...(welcome ? { welcome } : {}),
    welcomeImage: image,
  });
  const way = created.record;
  const scan = await sandbox.scan(way.configId);
  const event = {
    changeType: 'add_external_contact' as const,
    corpId: sandbox.corpId,
    userId: 'zhangsan',
    externalUserId: scan.externalUserId,
    createTime: Math.floor(Date.now() / 1000),
    state: way.request.state,
    welcomeCode: scan.welcomeCode,
  };
  return { way, scan, event };
}

const deliver = async (event: Parameters<typeof contactEventXml>[0]) => {
  await post(bot.url, wecomPost(contactEventXml(event), { receiveId: sandbox.corpId }));
  await bot.callbacks.idle();
};
const uploads = () => sandbox.received('media/upload');

describe('welcome image on add', () => {
  it('GIVEN a way with a welcome image WHEN a customer adds THEN send_welcome_msg carries it by the media_id made at creation, and the notification names it', async () => {
    const { way, scan, event } = await scanned('Welcome!', 'prices');
    const uploaded = uploads().at(-1);
    const before = uploads().length;
    await deliver(event);
    const sent = sandbox.received('send_welcome_msg').at(-1);
    expect(sent?.attachments).toEqual([{ msgtype: 'image', image: { media_id: uploaded?.media_id } }]);
    expect(sandbox.customer(scan.externalUserId)?.welcome?.attachments).toEqual(sent?.attachments);
    expect(uploads().length).toBe(before);
    expect(way.configId).toBeTruthy();
    const en = JSON.stringify(localizeNotification(bot.notified.at(-1)!.notification, 'en'));
    expect(en).toContain('image “prices.png”');
  });

  it('GIVEN the stored media_id is gone WHEN a customer adds THEN the text goes without the image, nothing is uploaded, and a warning is logged', async () => {
    const { way, scan, event } = await scanned('Hello', 'hours');
    const record = await createRecordStore(keyv).get(way.configId);
    const image = record?.welcomeAttachments?.find((a) => a.kind === 'image');
    expect(image).toBeDefined();
    // As after a refresh that did not run: no media_id young enough in the store.
    await keyv.delete(`${MEDIA_ID_PREFIX}${image?.kind === 'image' ? image.sha256 : ''}`);
    const before = uploads().length;
    await deliver(event);
    const sent = sandbox.received('send_welcome_msg').at(-1);
    expect(sent?.text).toEqual({ content: 'Hello' });
    expect(sent?.attachments).toBeUndefined();
    expect(sandbox.customer(scan.externalUserId)?.welcome?.content).toBe('Hello');
    expect(uploads().length).toBe(before);
    expect(bot.logs.join('')).toMatch(/welcome image has no fresh media_id/);
  });

  it('GIVEN only an image and no fresh media_id THEN nothing is sent and the requester hears why', async () => {
    const { way, event } = await scanned(undefined, 'map');
    const record = await createRecordStore(keyv).get(way.configId);
    const image = record?.welcomeAttachments?.find((a) => a.kind === 'image');
    await keyv.delete(`${MEDIA_ID_PREFIX}${image?.kind === 'image' ? image.sha256 : ''}`);
    const before = sandbox.received('send_welcome_msg').length;
    await deliver(event);
    expect(sandbox.received('send_welcome_msg').length).toBe(before);
    const [customer] = await bot.callbacks.customers.listByWay(way.configId);
    expect(customer?.welcome.status).toBe('failed');
    const en = JSON.stringify(localizeNotification(bot.notified.at(-1)!.notification, 'en'));
    expect(en).toContain('welcome image was not ready');
  });
});
