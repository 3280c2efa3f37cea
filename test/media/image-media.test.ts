import Keyv from 'keyv';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { inCorp } from '../../src/base/corp-scope.js';
import { ValidationError, WecomError } from '../../src/base/errors.js';
import { silentLogger } from '../../src/base/logger.js';
import { checkImage, createImageMedia, MediaError, startWelcomeImageRefresh } from '../../src/media/index.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { MEDIA_TTL_MS } from '../../src/sandbox/media.js';
import { createMemoryKeyv, scanKeys } from '../../src/store/index.js';
import {
  corpSecretTokenSource,
  createMediaClient,
  createWecomClient,
  type WecomClientOptions,
} from '../../src/wecom/index.js';
import { JPEG_BYTES, PDF_BYTES, pngBytes, pngOfSize } from '../fixtures/images.js';

/** src/media against the sandbox: our own checks, kept bytes, media_id reuse, re-upload and the 40007 retry. */

let sandbox: Sandbox;
let options: WecomClientOptions;
const DAY_MS = 24 * 3600 * 1000;

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

function fieldError(run: () => unknown) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues[0];
  }
  throw new Error('expected a ValidationError');
}

describe('checkImage', () => {
  it('GIVEN a PNG or JPEG THEN accepted with the type from the bytes, not the name', async () => {
    expect(checkImage(await pngBytes(), 'image', 'hours.jpg')).toMatchObject({
      kind: 'png',
      contentType: 'image/png',
      filename: 'hours.png',
    });
    expect(checkImage(JPEG_BYTES, 'image', '../../etc/价目表.JPG').filename).toBe('价目表.jpg');
    expect(checkImage(JPEG_BYTES, 'image').filename).toBe('image.jpg');
  });

  it('GIVEN a PDF, 5 bytes or 20 MB THEN a field error naming the field and the limit, in both languages', () => {
    const pdf = fieldError(() => checkImage(PDF_BYTES, 'image', 'scan.png'));
    expect(pdf).toMatchObject({ field: 'image' });
    expect(pdf?.message.en).toMatch(/JPG or PNG/);
    expect(pdf?.message.zh).toMatch(/JPG 或 PNG/);
    const tiny = fieldError(() => checkImage(pngOfSize(5), 'image'));
    expect(tiny?.message.en).toMatch(/more than 5 bytes; this file has 5/);
    const big = fieldError(() => checkImage(pngOfSize(20 * 1024 * 1024), 'image'));
    expect(big?.message.en).toMatch(/at most 10 MB .*this file is 20 MB/);
    expect(big?.message.zh).toMatch(/不能超过 10 MB.*20 MB/);
  });
});

describe('createImageMedia', () => {
  function setup(target = sandbox) {
    let clock = Date.now();
    const store = createMemoryKeyv();
    const opts = { ...options, baseUrl: target.url, cache: new Keyv() };
    const uploads: string[] = [];
    const client = createMediaClient(opts);
    const media = createImageMedia({
      store,
      now: () => clock,
      upload: async (file) => {
        const done = await client.uploadImage(file);
        uploads.push(done.mediaId);
        return done;
      },
    });
    return { media, store, uploads, wecom: createWecomClient(opts), advance: (ms: number) => (clock += ms) };
  }

  it('GIVEN an image kept once THEN a media_id is reused for 2.5 days and replaced after', async () => {
    const { media, uploads, advance } = setup();
    const ref = await media.keep(checkImage(await pngBytes('reuse'), 'image', 'a.png'));
    expect(ref).toMatchObject({ filename: 'a.png', contentType: 'image/png' });
    const first = await media.mediaIdFor(ref.sha256);
    expect(await media.mediaIdFor(ref.sha256)).toBe(first);
    advance(2.4 * DAY_MS);
    expect(await media.mediaIdFor(ref.sha256)).toBe(first);
    advance(0.2 * DAY_MS);
    const second = await media.mediaIdFor(ref.sha256);
    expect(second).not.toBe(first);
    expect(uploads).toEqual([first, second]);
  });

  it('GIVEN ten concurrent asks for a new image THEN one upload', async () => {
    const { media, uploads } = setup();
    const ref = await media.keep(checkImage(await pngBytes('concurrent'), 'image'));
    const ids = await Promise.all(Array.from({ length: 10 }, () => media.mediaIdFor(ref.sha256)));
    expect(new Set(ids).size).toBe(1);
    expect(uploads).toHaveLength(1);
  });

  it('GIVEN WeCom refuses the stored media_id with 40007 THEN uploaded again and retried once; a second 40007 is final', async () => {
    const local = await startSandbox();
    try {
      const { media, uploads, wecom } = setup(local);
      const ref = await media.keep(checkImage(JPEG_BYTES, 'image', 'closing.jpg'));
      const add = (mediaId: string) =>
        wecom.addContactWay({
          type: 1,
          scene: 2,
          user: ['zhangsan'],
          is_temp: true,
          conclusions: { image: { media_id: mediaId } },
        });
      const { config_id } = await media.withMediaId(ref.sha256, add);
      // Three days pass at WeCom while our clock thinks the media_id is young (a skewed clock, a lost key).
      local.advanceClock(MEDIA_TTL_MS);
      await media.withMediaId(ref.sha256, (mediaId) =>
        wecom.updateContactWay({ config_id, conclusions: { image: { media_id: mediaId } } }),
      );
      expect(uploads).toHaveLength(2);
      const updates = local.received('update_contact_way');
      expect(updates.map((u) => (u.conclusions as { image: { media_id: string } }).image.media_id)).toEqual([
        uploads[0],
        uploads[1],
      ]);
      let calls = 0;
      const stubborn = media.withMediaId(ref.sha256, async () => {
        calls += 1;
        throw new WecomError({
          errcode: 40007,
          errmsg: 'invalid media_id',
          endpoint: 'x',
          human: { en: 'x', zh: 'x' },
        });
      });
      await expect(stubborn).rejects.toMatchObject({ errcode: 40007 });
      expect(calls).toBe(2);
    } finally {
      await local.close();
    }
  });

  it('GIVEN the kept bytes are gone THEN a clear media.image_gone error', async () => {
    const { media, store } = setup();
    const ref = await media.keep(checkImage(await pngBytes('gone'), 'image'));
    await store.clear();
    const error = await media.mediaIdFor(ref.sha256).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaError);
    expect((error as MediaError).code).toBe('media.image_gone');
  });

  it('GIVEN a welcome image THEN the welcome path never uploads, and the periodic refresh keeps it fresh', async () => {
    const { media, store, uploads, advance } = setup();
    const ref = await media.keep(checkImage(await pngBytes('welcome'), 'image'), { welcome: true });
    // Never uploaded yet: the welcome path answers nothing rather than upload inside the 20 s.
    expect(await media.welcomeMediaId(ref.sha256)).toBeUndefined();
    expect(uploads).toHaveLength(0);
    const refresh = startWelcomeImageRefresh({ media, store, scanKeys, logger: silentLogger() });
    try {
      expect(await refresh.runOnce()).toEqual({ refreshed: 1, failed: 0 });
      const first = await media.welcomeMediaId(ref.sha256);
      expect(first).toBe(uploads[0]);
      advance(2 * DAY_MS);
      expect(await refresh.runOnce()).toEqual({ refreshed: 0, failed: 0 });
      advance(0.6 * DAY_MS);
      expect(await refresh.runOnce()).toEqual({ refreshed: 1, failed: 0 });
      expect(await media.welcomeMediaId(ref.sha256)).toBe(uploads[1]);
      // A refresh that stopped running: past three days the welcome path gives up on the image.
      advance(3 * DAY_MS);
      expect(await media.welcomeMediaId(ref.sha256)).toBeUndefined();
      expect(uploads).toHaveLength(2);
    } finally {
      await refresh.stop();
    }
  });

  it('GIVEN a welcome image refreshed twice a day THEN it is still sent after 65 days (its 60-day TTL renewed)', async () => {
    // The store's TTLs read Date.now: it moves with the injected clock (timers stay real; nothing waits).
    vi.useFakeTimers({ toFake: ['Date'] });
    const local = await startSandbox();
    try {
      const { media, store, uploads, advance } = setup(local);
      const ref = await media.keep(checkImage(await pngBytes('permanent'), 'image'), { welcome: true });
      const refresh = startWelcomeImageRefresh({ media, store, scanKeys, logger: silentLogger() });
      try {
        for (let day = 0; day <= 65; day += 0.5) {
          expect(await refresh.runOnce()).toMatchObject({ failed: 0 });
          advance(DAY_MS / 2);
          vi.setSystemTime(Date.now() + DAY_MS / 2);
          local.advanceClock(DAY_MS / 2);
        }
        expect(await refresh.runOnce()).toMatchObject({ failed: 0 });
        const id = await media.welcomeMediaId(ref.sha256);
        expect(id).toBe(uploads.at(-1));
        expect(await store.get(`img:${ref.sha256}`)).toBeDefined();
        // Refreshed every 2.5 days, not at each run.
        expect(uploads.length).toBeLessThan(30);
      } finally {
        await refresh.stop();
      }
    } finally {
      vi.useRealTimers();
      await local.close();
    }
  });

  it('GIVEN two corps THEN the refresh uploads in each corp and each reads its own media_id; no corp keeps the old key', async () => {
    const { media, store, uploads } = setup();
    const ref = await media.keep(checkImage(await pngBytes('per corp'), 'image'), { welcome: true });
    const refresh = startWelcomeImageRefresh({
      media,
      store,
      scanKeys,
      logger: silentLogger(),
      corps: async () => ['wwclinic', 'wwhospital'],
    });
    try {
      expect(await refresh.runOnce()).toEqual({ refreshed: 2, failed: 0 });
    } finally {
      await refresh.stop();
    }
    expect(uploads).toHaveLength(2);
    expect(await inCorp('wwclinic', () => media.welcomeMediaId(ref.sha256))).toBe(uploads[0]);
    expect(await inCorp('wwhospital', () => media.welcomeMediaId(ref.sha256))).toBe(uploads[1]);
    expect(await store.get(`imgid:wwclinic:${ref.sha256}`)).toMatchObject({ mediaId: uploads[0] });
    // Self-built (no corp): the key is the one existing stores have.
    expect(await media.welcomeMediaId(ref.sha256)).toBeUndefined();
    await media.mediaIdFor(ref.sha256);
    expect(await store.get(`imgid:${ref.sha256}`)).toMatchObject({ mediaId: uploads[2] });
  });

  it('GIVEN a corp installed after the refresh THEN its uploads come within minutes, not at the next 12 h run', async () => {
    const { media, store, uploads } = setup();
    const ref = await media.keep(checkImage(await pngBytes('newcomer'), 'image'), { welcome: true });
    let corps = ['wwclinic'];
    const refresh = startWelcomeImageRefresh({
      media,
      store,
      scanKeys,
      logger: silentLogger(),
      corps: async () => corps,
      newCorpsMs: 20,
    });
    try {
      await refresh.runOnce();
      expect(uploads).toHaveLength(1);
      corps = ['wwclinic', 'wwhospital'];
      const until = Date.now() + 10_000;
      while (!(await inCorp('wwhospital', () => media.welcomeMediaId(ref.sha256))) && Date.now() < until)
        await new Promise((r) => setTimeout(r, 20));
      expect(await inCorp('wwhospital', () => media.welcomeMediaId(ref.sha256))).toBe(uploads[1]);
      // Only the newcomer: the clinic's media_id was not uploaded again.
      await new Promise((r) => setTimeout(r, 100));
      expect(uploads).toHaveLength(2);
    } finally {
      await refresh.stop();
    }
  });

  it('GIVEN a welcome marker whose bytes are gone THEN the refresh drops the marker', async () => {
    const { media, store } = setup();
    const ref = await media.keep(checkImage(await pngBytes('dropped'), 'image'), { welcome: true });
    await store.delete(`img:${ref.sha256}`);
    expect(await media.renewWelcomeImages([ref.sha256])).toEqual([]);
    expect(await store.get(`imgw:${ref.sha256}`)).toBeUndefined();
  });
});
