import Keyv from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WecomError } from '../../src/base/errors.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { MEDIA_TTL_MS } from '../../src/sandbox/media.js';
import { createCustomerClient } from '../../src/wecom/customers.js';
import {
  corpSecretTokenSource,
  createMediaClient,
  createWecomClient,
  type WecomClientOptions,
} from '../../src/wecom/index.js';
import { JPEG_BYTES, PDF_BYTES, pngBytes, pngOfSize } from '../fixtures/images.js';

/** media/upload and the media_ids it hands out, through the real clients over HTTP. */

let sandbox: Sandbox;
let options: WecomClientOptions;

beforeAll(async () => {
  sandbox = await startSandbox();
  options = {
    baseUrl: sandbox.url,
    tokens: corpSecretTokenSource({ corpId: sandbox.corpId, corpSecret: sandbox.corpSecret }),
    cache: new Keyv(),
    sleep: async () => {},
    timeoutMs: 20_000,
  };
});

afterAll(async () => {
  await sandbox.close();
});

const DAY_MS = 24 * 3600 * 1000;

async function rejection(promise: Promise<unknown>): Promise<WecomError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WecomError);
  return error as WecomError;
}

function tempWay(mediaId: string) {
  return {
    type: 1 as const,
    scene: 2 as const,
    user: ['zhangsan'],
    is_temp: true,
    conclusions: { text: { content: '谢谢' }, image: { media_id: mediaId } },
  };
}

describe('sandbox media/upload', () => {
  it('GIVEN a PNG and a JPEG THEN each gets a media_id and created_at, and the multipart part is parsed', async () => {
    const media = createMediaClient(options);
    const png = await media.uploadImage({
      bytes: await pngBytes(),
      filename: 'hours.png',
      contentType: 'image/png',
    });
    const jpg = await media.uploadImage({
      bytes: JPEG_BYTES,
      filename: 'price.jpg',
      contentType: 'image/jpeg',
    });
    expect(png.mediaId).not.toBe(jpg.mediaId);
    expect(Math.abs(png.createdAtMs - Date.now())).toBeLessThan(DAY_MS);
    expect(sandbox.received('media/upload').at(-1)).toMatchObject({
      type: 'image',
      bytes: expect.any(Number),
    });
  });

  it('GIVEN bytes that are not JPG/PNG THEN 40005; GIVEN 5 bytes or more than 10 MB THEN 40006', async () => {
    const media = createMediaClient(options);
    const pdf = await rejection(
      media.uploadImage({ bytes: PDF_BYTES, filename: 'x.png', contentType: 'image/png' }),
    );
    expect(pdf.errcode).toBe(40005);
    expect(pdf.human.en).toMatch(/JPG or PNG/);
    const tiny = await rejection(
      media.uploadImage({ bytes: pngOfSize(5), filename: 'x.png', contentType: 'image/png' }),
    );
    expect(tiny.errcode).toBe(40006);
    const big = await rejection(
      media.uploadImage({
        bytes: pngOfSize(10 * 1024 * 1024 + 1),
        filename: 'x.png',
        contentType: 'image/png',
      }),
    );
    expect(big.errcode).toBe(40006);
    expect(big.human.zh).toMatch(/10 MB/);
    // Exactly 10 MB is allowed.
    await media.uploadImage({
      bytes: pngOfSize(10 * 1024 * 1024),
      filename: 'x.png',
      contentType: 'image/png',
    });
  });

  it('GIVEN a body that is not multipart, or no part named media THEN 41005', async () => {
    const token = await createWecomClient(options).accessToken();
    const url = `${sandbox.url}/cgi-bin/media/upload?access_token=${token}&type=image`;
    const notMultipart = await fetch(url, { method: 'POST', body: 'hello' }).then((r) => r.json());
    expect(notMultipart).toMatchObject({ errcode: 41005 });
    const form = new FormData();
    form.append('file', new Blob([await pngBytes()], { type: 'image/png' }), 'a.png');
    const wrongName = await fetch(url, { method: 'POST', body: form }).then((r) => r.json());
    expect(wrongName).toMatchObject({ errcode: 41005 });
    const typeVoice = await fetch(url.replace('type=image', 'type=voice'), { method: 'POST', body: form });
    expect(await typeVoice.json()).toMatchObject({ errcode: 40004 });
  });

  it('GIVEN a media_id THEN add_contact_way takes it, get_contact_way answers a pic_url serving the image, and the landing page shows it', async () => {
    const bytes = await pngBytes('closing image');
    const { mediaId } = await createMediaClient(options).uploadImage({
      bytes,
      filename: 'closing.png',
      contentType: 'image/png',
    });
    const wecom = createWecomClient(options);
    const { config_id } = await wecom.addContactWay(tempWay(mediaId));
    const way = await wecom.getContactWay(config_id);
    const picUrl = way.conclusions?.image?.pic_url;
    expect(picUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/sandbox\/media\//);
    const served = await fetch(picUrl as string);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);
    const page = await fetch(`${sandbox.url}/sandbox/c/${config_id}`).then((r) => r.text());
    expect(page).toContain('结束语');
    expect(page).toContain('<img class="closing-image"');
    expect(page).toContain('谢谢');
  });

  it('GIVEN an unknown media_id THEN add_contact_way answers 40007', async () => {
    const error = await rejection(
      createWecomClient(options).addContactWay(tempWay('3sandbox_never_uploaded')),
    );
    expect(error.errcode).toBe(40007);
    expect(error.human.en).toMatch(/3 days/);
  });

  it('GIVEN 3 simulated days THEN the media_id answers 40007 on update and welcome, and a new upload works', async () => {
    const local = await startSandbox();
    try {
      const opts = { ...options, baseUrl: local.url, cache: new Keyv() };
      const media = createMediaClient(opts);
      const wecom = createWecomClient(opts);
      const first = await media.uploadImage({
        bytes: JPEG_BYTES,
        filename: 'a.jpg',
        contentType: 'image/jpeg',
      });
      const { config_id } = await wecom.addContactWay(tempWay(first.mediaId));
      local.advanceClock(MEDIA_TTL_MS - 60_000);
      // Still alive a minute before the three days are up.
      await wecom.updateContactWay({ config_id, conclusions: { image: { media_id: first.mediaId } } });
      local.advanceClock(60_000);
      const expired = await rejection(
        wecom.updateContactWay({ config_id, conclusions: { image: { media_id: first.mediaId } } }),
      );
      expect(expired.errcode).toBe(40007);
      // The picture WeCom took earlier stays visible.
      const way = await wecom.getContactWay(config_id);
      expect((await fetch(way.conclusions?.image?.pic_url as string)).status).toBe(200);
      const again = await media.uploadImage({
        bytes: JPEG_BYTES,
        filename: 'a.jpg',
        contentType: 'image/jpeg',
      });
      await wecom.updateContactWay({ config_id, conclusions: { image: { media_id: again.mediaId } } });

      // A welcome message with an expired image is refused; with a fresh one it is recorded as sent.
      const other = await wecom.addContactWay({ type: 1, scene: 2, user: ['lisi'] });
      const scan = await local.scan(other.config_id);
      const customers = createCustomerClient(opts);
      const stale = await rejection(
        customers.sendWelcomeMsg({
          welcome_code: scan.welcomeCode,
          attachments: [{ msgtype: 'image', image: { media_id: first.mediaId } }],
        }),
      );
      expect(stale.errcode).toBe(40007);
      await customers.sendWelcomeMsg({
        welcome_code: scan.welcomeCode,
        text: { content: '欢迎' },
        attachments: [{ msgtype: 'image', image: { media_id: again.mediaId } }],
      });
      expect(local.customer(scan.externalUserId)?.welcome).toMatchObject({
        content: '欢迎',
        attachments: [{ msgtype: 'image', image: { media_id: again.mediaId } }],
      });
    } finally {
      await local.close();
    }
  });

  it('GIVEN 10 attachments or an unknown msgtype THEN 41064 / 41065 (the sandbox checks what a client skips)', async () => {
    const token = await createWecomClient(options).accessToken();
    const wecom = createWecomClient(options);
    const way = await wecom.addContactWay({ type: 1, scene: 2, user: ['wangwu'] });
    const scan = await sandbox.scan(way.config_id);
    const post = (attachments: unknown[]) =>
      fetch(`${sandbox.url}/cgi-bin/externalcontact/send_welcome_msg?access_token=${token}`, {
        method: 'POST',
        body: JSON.stringify({ welcome_code: scan.welcomeCode, attachments }),
      }).then((r) => r.json());
    const link = { msgtype: 'link', link: { title: 't', url: 'https://example.com' } };
    expect(await post(Array.from({ length: 10 }, () => link))).toMatchObject({ errcode: 41064 });
    expect(await post([{ msgtype: 'audio', audio: {} }])).toMatchObject({ errcode: 41065 });
    expect(await post([{ msgtype: 'image', link: {} }])).toMatchObject({ errcode: 41065 });
  });
});
