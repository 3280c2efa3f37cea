import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Sandbox, type SandboxMember, startSandbox } from '../../src/sandbox/index.js';
import { pngBytes } from '../fixtures/images.js';

const DAY_S = 24 * 3600;
const T0 = Date.UTC(2026, 0, 1);
let nowMs = T0;
const clock = () => nowMs;

type Json = Record<string, unknown> & { errcode: number; errmsg: string };

async function gettoken(sb: Sandbox, corpid = sb.corpId, secret = sb.corpSecret): Promise<Json> {
  const q = new URLSearchParams({ corpid, corpsecret: secret });
  return (await fetch(`${sb.url}/cgi-bin/gettoken?${q}`)).json() as Promise<Json>;
}

async function tokenOf(sb: Sandbox): Promise<string> {
  return (await gettoken(sb)).access_token as string;
}

async function call(sb: Sandbox, token: string, endpoint: string, body: unknown): Promise<Json> {
  const res = await fetch(`${sb.url}/cgi-bin/externalcontact/${endpoint}?access_token=${token}`, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Json;
}

const TEMP = { type: 1, scene: 2, user: ['zhangsan'], is_temp: true };

describe('sandbox: gettoken', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ now: clock });
  });
  afterAll(() => sb.close());

  it('GIVEN the right corpid and secret THEN answers a token valid 7200 s', async () => {
    const res = await gettoken(sb);
    expect(res).toMatchObject({ errcode: 0, errmsg: 'ok', expires_in: 7200 });
    expect(res.access_token).toMatch(/^[\w-]{32,512}$/);
    expect((await gettoken(sb)).access_token).not.toBe(res.access_token);
  });

  it('GIVEN a wrong secret THEN 40001; a wrong corpid THEN 40013; no corpid THEN 41002', async () => {
    expect((await gettoken(sb, sb.corpId, 'nope')).errcode).toBe(40001);
    expect((await gettoken(sb, 'ww_other', sb.corpSecret)).errcode).toBe(40013);
    const res = (await (await fetch(`${sb.url}/cgi-bin/gettoken`)).json()) as Json;
    expect(res.errcode).toBe(41002);
  });

  it('GIVEN an error THEN errmsg looks like WeCom: hint, caller ip and the devtool URL', async () => {
    const { errmsg } = await gettoken(sb, sb.corpId, 'nope');
    expect(errmsg).toMatch(
      /^invalid credential, hint: \[\d+_\d+_[0-9a-f]{6}\], from ip: 127\.0\.0\.1, more info at https:\/\/open\.work\.weixin\.qq\.com\/devtool\/query\?e=40001$/,
    );
  });
});

describe('sandbox: access_token checks', () => {
  let sb: Sandbox;
  beforeAll(async () => {
    sb = await startSandbox({ now: clock, tokenTtlS: 60 });
  });
  afterAll(() => sb.close());
  afterEach(() => {
    nowMs = T0;
  });

  it('GIVEN no access_token THEN 41001; an unknown one THEN 40014', async () => {
    const res = await fetch(`${sb.url}/cgi-bin/externalcontact/list_contact_way`, {
      method: 'POST',
      body: '{}',
    });
    expect(((await res.json()) as Json).errcode).toBe(41001);
    expect((await call(sb, 'not-a-token', 'list_contact_way', {})).errcode).toBe(40014);
  });

  it('GIVEN a token older than tokenTtlS on the injected clock THEN 42001, and a fresh one works', async () => {
    const token = await tokenOf(sb);
    nowMs += 59_000;
    expect((await call(sb, token, 'list_contact_way', {})).errcode).toBe(0);
    nowMs += 1_000;
    expect((await call(sb, token, 'list_contact_way', {})).errcode).toBe(42001);
    expect((await call(sb, await tokenOf(sb), 'list_contact_way', {})).errcode).toBe(0);
  });

  it('GIVEN GET instead of POST THEN 40058', async () => {
    const token = await tokenOf(sb);
    const res = await fetch(`${sb.url}/cgi-bin/externalcontact/list_contact_way?access_token=${token}`);
    const body = (await res.json()) as Json;
    expect(body.errcode).toBe(40058);
    expect(body.errmsg).toContain('requires POST');
  });

  it('GIVEN malformed JSON or a non-object THEN 40058 with "Warning: wrong json format."', async () => {
    const token = await tokenOf(sb);
    for (const body of ['{"type":1', '[1,2]', 'null']) {
      const res = await call(sb, token, 'add_contact_way', body);
      expect(res.errcode).toBe(40058);
      expect(res.errmsg).toMatch(/^Warning: wrong json format\..*more info at .*e=40058$/);
    }
  });

  it('GIVEN an unknown path THEN HTTP 404', async () => {
    expect((await fetch(`${sb.url}/cgi-bin/externalcontact/nope`)).status).toBe(404);
  });
});

describe('sandbox: endpoints, happy paths', () => {
  let sb: Sandbox;
  let token: string;
  beforeAll(async () => {
    sb = await startSandbox({ now: clock });
    token = await tokenOf(sb);
  });
  afterAll(() => sb.close());

  it('GIVEN a QR-code add THEN answers a 32-hex config_id and a qr_code served by the sandbox', async () => {
    const res = await call(sb, token, 'add_contact_way', { type: 1, scene: 2, user: ['zhangsan'] });
    expect(res.errcode).toBe(0);
    expect(res.config_id).toMatch(/^[0-9a-f]{32}$/);
    expect(res.qr_code).toBe(`${sb.url}/sandbox/qr/${res.config_id}.png`);
  });

  it('GIVEN a mini-program add THEN no qr_code, and get shows style but no qr_code', async () => {
    const add = await call(sb, token, 'add_contact_way', { type: 1, scene: 1, style: 3, user: ['lisi'] });
    expect(add).not.toHaveProperty('qr_code');
    const got = await call(sb, token, 'get_contact_way', { config_id: add.config_id });
    expect(got.contact_way).toMatchObject({ scene: 1, style: 3 });
    expect(got.contact_way).not.toHaveProperty('qr_code');
  });

  it('GIVEN a temp add with conclusions THEN get returns WeCom shape with image.pic_url, not media_id', async () => {
    const form = new FormData();
    form.append('media', new Blob([await pngBytes()], { type: 'image/png' }), 'closing.png');
    const upload = (await fetch(`${sb.url}/cgi-bin/media/upload?access_token=${token}&type=image`, {
      method: 'POST',
      body: form,
    }).then((r) => r.json())) as { media_id: string };
    const MEDIA_1 = upload.media_id;
    const add = await call(sb, token, 'add_contact_way', {
      ...TEMP,
      remark: '门诊',
      state: 'ch1',
      chat_expires_in: 3600,
      conclusions: { text: { content: '再见' }, image: { media_id: MEDIA_1 } },
    });
    const got = await call(sb, token, 'get_contact_way', { config_id: add.config_id });
    expect(got).toMatchObject({ errcode: 0, errmsg: 'ok' });
    expect(got.contact_way).toEqual({
      config_id: add.config_id,
      type: 1,
      scene: 2,
      remark: '门诊',
      skip_verify: true,
      state: 'ch1',
      qr_code: add.qr_code,
      user: ['zhangsan'],
      party: [],
      is_temp: true,
      expires_in: 7 * DAY_S,
      chat_expires_in: 3600,
      is_exclusive: false,
      mark_source: true,
      conclusions: {
        text: { content: '再见' },
        image: { pic_url: `${sb.url}/sandbox/media/${MEDIA_1}.png` },
      },
    });
    const pic = await fetch(`${sb.url}/sandbox/media/${MEDIA_1}.png`);
    expect(pic.headers.get('content-type')).toBe('image/png');
  });

  it('GIVEN an update THEN get shows the new remark and user list, other fields kept', async () => {
    const add = await call(sb, token, 'add_contact_way', {
      type: 2,
      scene: 2,
      user: ['zhangsan'],
      state: 'keep',
    });
    const upd = await call(sb, token, 'update_contact_way', {
      config_id: add.config_id,
      remark: 'new',
      user: ['lisi', 'wangwu'],
    });
    expect(upd).toMatchObject({ errcode: 0, errmsg: 'ok' });
    const got = await call(sb, token, 'get_contact_way', { config_id: add.config_id });
    expect(got.contact_way).toMatchObject({
      remark: 'new',
      user: ['lisi', 'wangwu'],
      state: 'keep',
      type: 2,
    });
    expect(sb.contactWay(add.config_id as string)).toMatchObject({ request: { remark: 'new' } });
  });

  it('GIVEN a delete THEN get answers 41044, the QR is gone and contactWay() is undefined', async () => {
    const add = await call(sb, token, 'add_contact_way', { type: 1, scene: 2, user: ['zhangsan'] });
    expect((await call(sb, token, 'del_contact_way', { config_id: add.config_id })).errcode).toBe(0);
    expect((await call(sb, token, 'get_contact_way', { config_id: add.config_id })).errcode).toBe(41044);
    expect((await fetch(add.qr_code as string)).status).toBe(404);
    expect(sb.contactWay(add.config_id as string)).toBeUndefined();
  });

  it('GIVEN a scanned temp way THEN close_temp_chat succeeds once, then 84061', async () => {
    const add = await call(sb, token, 'add_contact_way', TEMP);
    sb.simulateScan(add.config_id as string, 'wmEXTERNAL1');
    const body = { userid: 'zhangsan', external_userid: 'wmEXTERNAL1' };
    expect((await call(sb, token, 'close_temp_chat', body)).errcode).toBe(0);
    expect((await call(sb, token, 'close_temp_chat', body)).errcode).toBe(84061);
  });

  it('GIVEN a list THEN ids only, next_cursor empty when done', async () => {
    const res = await call(sb, token, 'list_contact_way', {});
    expect(res.errcode).toBe(0);
    expect(res.next_cursor).toBe('');
    for (const item of res.contact_way as object[]) expect(Object.keys(item)).toEqual(['config_id']);
  });
});

/** 101 active members in Sales (2) and one in Support (3): enough to break the 100 cap. */
const CROWD: SandboxMember[] = [
  ...Array.from({ length: 101 }, (_, i) => ({ userid: `u${i}`, name: `U${i}`, departments: [2] })),
  { userid: 'zhangsan', name: '张三', departments: [3] },
  { userid: 'zhaoliu', name: '赵六', departments: [3], active: false },
];

describe('sandbox: add rules map to WeCom errcodes', () => {
  let sb: Sandbox;
  let token: string;
  beforeAll(async () => {
    sb = await startSandbox({ now: clock, members: CROWD });
    token = await tokenOf(sb);
  });
  afterAll(() => sb.close());

  const users = (n: number) => Array.from({ length: n }, (_, i) => `u${i}`);
  const cases: [string, Record<string, unknown>, Record<string, unknown>, number][] = [
    ['missing type', { type: 1, scene: 2, user: ['zhangsan'] }, { scene: 2, user: ['zhangsan'] }, 41037],
    ['missing scene', { type: 1, scene: 1, user: ['zhangsan'] }, { type: 1, user: ['zhangsan'] }, 41038],
    [
      'invalid type',
      { type: 2, scene: 2, user: ['zhangsan'] },
      { type: 3, scene: 2, user: ['zhangsan'] },
      41039,
    ],
    [
      'invalid scene',
      { type: 1, scene: 2, user: ['zhangsan'] },
      { type: 1, scene: 0, user: ['zhangsan'] },
      41040,
    ],
    [
      'style with scene 2',
      { type: 1, scene: 1, style: 1, user: ['zhangsan'] },
      { type: 1, scene: 2, style: 1, user: ['zhangsan'] },
      41042,
    ],
    [
      'style 3 with type 2',
      { type: 2, scene: 1, style: 2, user: ['zhangsan'] },
      { type: 2, scene: 1, style: 3, user: ['zhangsan'] },
      41042,
    ],
    [
      'more than 100 users',
      { type: 2, scene: 2, user: users(100) },
      { type: 2, scene: 2, user: users(101) },
      41041,
    ],
    [
      'more than 100 after department expansion',
      { type: 2, scene: 2, party: [3] },
      { type: 2, scene: 2, user: ['zhangsan'], party: [2] },
      41041,
    ],
    ['bad userid format', { type: 1, scene: 2, user: ['u1'] }, { type: 1, scene: 2, user: ['u 1'] }, 40003],
    [
      'type 1 with two users',
      { type: 1, scene: 2, user: ['u1'] },
      { type: 1, scene: 2, user: ['u1', 'u2'] },
      40058,
    ],
    [
      'remark over 30 characters',
      { type: 1, scene: 2, user: ['u1'], remark: '备'.repeat(30) },
      { type: 1, scene: 2, user: ['u1'], remark: '备'.repeat(31) },
      40058,
    ],
    [
      'state over 30 characters',
      { type: 1, scene: 2, user: ['u1'], state: 's'.repeat(30) },
      { type: 1, scene: 2, user: ['u1'], state: 's'.repeat(31) },
      40058,
    ],
    [
      'expires_in over 14 days',
      { ...TEMP, expires_in: 14 * DAY_S },
      { ...TEMP, expires_in: 14 * DAY_S + 1 },
      40058,
    ],
    [
      'chat_expires_in over 14 days',
      { ...TEMP, chat_expires_in: 14 * DAY_S },
      { ...TEMP, chat_expires_in: 14 * DAY_S + 1 },
      40058,
    ],
    [
      'empty conclusions',
      { ...TEMP, conclusions: { text: { content: 'bye' } } },
      { ...TEMP, conclusions: {} },
      40058,
    ],
    [
      'conclusions text over 4000 bytes',
      { ...TEMP, conclusions: { text: { content: '字'.repeat(1333) } } },
      { ...TEMP, conclusions: { text: { content: '字'.repeat(1334) } } },
      40058,
    ],
    [
      'temp-only field without is_temp',
      { ...TEMP, unionid: 'oUNION' },
      { type: 1, scene: 2, user: ['zhangsan'], unionid: 'oUNION' },
      40058,
    ],
    ['is_temp with type 2', TEMP, { ...TEMP, type: 2 }, 40058],
    [
      'party with type 1',
      { type: 2, scene: 2, party: [3] },
      { type: 1, scene: 2, user: ['u1'], party: [3] },
      40058,
    ],
    [
      'user not in the directory',
      { type: 1, scene: 2, user: ['u1'] },
      { type: 1, scene: 2, user: ['ghost'] },
      60111,
    ],
    [
      'inactive member',
      { type: 1, scene: 2, user: ['zhangsan'] },
      { type: 1, scene: 2, user: ['zhaoliu'] },
      41054,
    ],
    ['unknown department', { type: 2, scene: 2, party: [3] }, { type: 2, scene: 2, party: [99] }, 60011],
  ];

  it.each(cases)(
    'GIVEN %s THEN the valid twin is accepted and the broken one gets its errcode',
    async (_name, ok, bad, errcode) => {
      expect(await call(sb, token, 'add_contact_way', ok)).toMatchObject({ errcode: 0 });
      const res = await call(sb, token, 'add_contact_way', bad);
      expect(res.errcode).toBe(errcode);
      expect(res.errmsg).toContain(`e=${errcode}`);
    },
  );

  it('GIVEN unknown fields, top-level and nested THEN they are ignored like WeCom does', async () => {
    const res = await call(sb, token, 'add_contact_way', {
      ...TEMP,
      future_field: 1,
      conclusions: { text: { content: 'bye', lang: 'zh' }, video: {} },
    });
    expect(res.errcode).toBe(0);
    const got = await call(sb, token, 'get_contact_way', { config_id: res.config_id });
    expect(got.contact_way).toMatchObject({ conclusions: { text: { content: 'bye' } } });
    expect((got.contact_way as { conclusions: object }).conclusions).not.toHaveProperty('video');
  });

  it('GIVEN is_temp in a non-medical corp THEN 48002, while a permanent way works', async () => {
    const plain = await startSandbox({ now: clock, medical: false });
    try {
      const t = await tokenOf(plain);
      expect((await call(plain, t, 'add_contact_way', TEMP)).errcode).toBe(48002);
      expect((await call(plain, t, 'add_contact_way', { ...TEMP, is_temp: false })).errcode).toBe(0);
    } finally {
      await plain.close();
    }
  });
});

describe('sandbox: config_id, update and close_temp_chat rules', () => {
  let sb: Sandbox;
  let token: string;
  beforeAll(async () => {
    sb = await startSandbox({ now: clock });
    token = await tokenOf(sb);
  });
  afterAll(() => sb.close());
  beforeEach(() => {
    nowMs = T0;
  });

  const add = async (body: Record<string, unknown>) => {
    const res = await call(sb, token, 'add_contact_way', body);
    expect(res.errcode).toBe(0);
    return res.config_id as string;
  };
  const update = (body: Record<string, unknown>) => call(sb, token, 'update_contact_way', body);

  it('GIVEN an unknown config_id THEN get, update and del answer 41044; a missing one THEN 41043', async () => {
    const config_id = 'f'.repeat(32);
    for (const endpoint of ['get_contact_way', 'update_contact_way', 'del_contact_way']) {
      expect((await call(sb, token, endpoint, { config_id })).errcode).toBe(41044);
      expect((await call(sb, token, endpoint, {})).errcode).toBe(41043);
    }
  });

  it('GIVEN an expired temp way THEN update answers 41044, while an unexpired one updates', async () => {
    const id = await add({ ...TEMP, expires_in: 3600 });
    expect((await update({ config_id: id, remark: 'a' })).errcode).toBe(0);
    nowMs += 3600_000;
    const res = await update({ config_id: id, remark: 'b' });
    expect(res.errcode).toBe(41044);
    expect(res.errmsg).toContain('expired');
  });

  it('GIVEN type, scene or is_temp changed on update THEN 40058; the same values are ignored', async () => {
    const id = await add({ type: 1, scene: 2, user: ['zhangsan'] });
    expect((await update({ config_id: id, type: 1, scene: 2, is_temp: false })).errcode).toBe(0);
    for (const change of [{ type: 2 }, { scene: 1 }, { is_temp: true }]) {
      const res = await update({ config_id: id, ...change });
      expect(res.errcode).toBe(40058);
      expect(res.errmsg).toContain('cannot be updated');
    }
  });

  it('GIVEN a temp way updated to two users THEN 40058; to another single user THEN ok', async () => {
    const id = await add(TEMP);
    expect((await update({ config_id: id, user: ['zhangsan', 'lisi'] })).errcode).toBe(40058);
    expect((await update({ config_id: id, user: ['lisi'] })).errcode).toBe(0);
  });

  it('GIVEN party on update THEN ok for type 2, 40058 for type 1', async () => {
    const multi = await add({ type: 2, scene: 2, user: ['zhangsan'] });
    expect((await update({ config_id: multi, party: [3] })).errcode).toBe(0);
    const single = await add({ type: 1, scene: 2, user: ['zhangsan'] });
    expect((await update({ config_id: single, party: [3] })).errcode).toBe(40058);
  });

  it('GIVEN directory rules on update THEN 60111, 41054 and 60011 as on add', async () => {
    const id = await add({ type: 2, scene: 2, user: ['zhangsan'] });
    expect((await update({ config_id: id, user: ['ghost'] })).errcode).toBe(60111);
    expect((await update({ config_id: id, user: ['zhaoliu'] })).errcode).toBe(41054);
    expect((await update({ config_id: id, party: [42] })).errcode).toBe(60011);
    expect((await update({ config_id: id, style: 1 })).errcode).toBe(41042);
  });

  it('GIVEN close_temp_chat without a live session THEN 84061; a bad external_userid THEN 40096', async () => {
    const body = { userid: 'zhangsan', external_userid: 'wmNOBODY' };
    expect((await call(sb, token, 'close_temp_chat', body)).errcode).toBe(84061);
    expect((await call(sb, token, 'close_temp_chat', { ...body, external_userid: 'bad id' })).errcode).toBe(
      40096,
    );
    expect((await call(sb, token, 'close_temp_chat', { ...body, userid: 'bad id' })).errcode).toBe(40003);
  });

  it('GIVEN a temp session past chat_expires_in THEN close_temp_chat answers 84061', async () => {
    const id = await add({ ...TEMP, chat_expires_in: 600 });
    sb.simulateScan(id, 'wmLATE');
    nowMs += 600_000;
    const res = await call(sb, token, 'close_temp_chat', { userid: 'zhangsan', external_userid: 'wmLATE' });
    expect(res.errcode).toBe(84061);
  });

  it('GIVEN a permanent way scanned THEN close_temp_chat answers 84061 (not a temp session)', async () => {
    const id = await add({ type: 1, scene: 2, user: ['zhangsan'] });
    sb.simulateScan(id, 'wmFRIEND');
    const res = await call(sb, token, 'close_temp_chat', { userid: 'zhangsan', external_userid: 'wmFRIEND' });
    expect(res.errcode).toBe(84061);
  });

  it('GIVEN a used or unknown temp QR THEN simulateScan throws', async () => {
    const id = await add(TEMP);
    sb.simulateScan(id, 'wmFIRST');
    expect(() => sb.simulateScan(id, 'wmSECOND')).toThrow(
      /no longer valid\. It was already used by wmFIRST at /,
    );
    expect(() => sb.simulateScan('0'.repeat(32), 'wmX')).toThrow(/No such sandbox contact way/);
  });
});

describe('sandbox: QR codes and landing page', () => {
  let sb: Sandbox;
  let token: string;
  beforeAll(async () => {
    sb = await startSandbox({ now: clock });
    token = await tokenOf(sb);
  });
  afterAll(() => sb.close());
  beforeEach(() => {
    nowMs = T0;
  });

  it('GIVEN a QR way THEN qr_code is a real PNG and its page is labelled as the sandbox', async () => {
    const add = await call(sb, token, 'add_contact_way', { type: 1, scene: 2, user: ['zhangsan'] });
    const png = await fetch(add.qr_code as string);
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    const bytes = Buffer.from(await png.arrayBuffer());
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const page = await fetch(`${sb.url}/sandbox/c/${add.config_id}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('WeCom SANDBOX — not a real contact way');
    expect(html).toContain('张三 (zhangsan)');
    // The page's "Simulate a scan" button posts what it says to /sandbox/scan: the same request works.
    expect(html).toContain('Simulate a scan');
    expect(html).toContain(`config_id: "${add.config_id}"`);
    const scan = await fetch(`${sb.url}/sandbox/scan`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ config_id: add.config_id }),
    });
    expect(scan.status).toBe(200);
    expect(await scan.json()).toMatchObject({ userid: 'zhangsan' });
  });

  it('GIVEN a temp QR past its expires_in THEN the PNG is 404 and the page says it expired', async () => {
    const add = await call(sb, token, 'add_contact_way', { ...TEMP, expires_in: 60 });
    expect((await fetch(add.qr_code as string)).status).toBe(200);
    nowMs += 60_000;
    expect((await fetch(add.qr_code as string)).status).toBe(404);
    const page = await fetch(`${sb.url}/sandbox/c/${add.config_id}`);
    expect(page.status).toBe(410);
    const text = await page.text();
    expect(text).toContain('This QR code is no longer valid / 此二维码已失效');
    expect(text).toMatch(/It expired at 2026-01-01 00:01 UTC\./);
    expect(text).not.toContain('Simulate a scan');
  });

  it('GIVEN a temp QR scanned once THEN the PNG is 404 (WeCom voids it once the friend is added)', async () => {
    const add = await call(sb, token, 'add_contact_way', TEMP);
    sb.simulateScan(add.config_id as string, 'wmONE');
    expect((await fetch(add.qr_code as string)).status).toBe(404);
  });

  it('GIVEN a mini-program way or an unknown id THEN no QR PNG (404)', async () => {
    const add = await call(sb, token, 'add_contact_way', { type: 1, scene: 1, user: ['zhangsan'] });
    expect((await fetch(`${sb.url}/sandbox/qr/${add.config_id}.png`)).status).toBe(404);
    expect((await fetch(`${sb.url}/sandbox/qr/${'0'.repeat(32)}.png`)).status).toBe(404);
    expect((await fetch(`${sb.url}/sandbox/c/${'0'.repeat(32)}`)).status).toBe(404);
  });
});

describe('sandbox: list_contact_way', () => {
  let sb: Sandbox;
  let token: string;
  const permanent: string[] = [];
  beforeAll(async () => {
    nowMs = T0;
    sb = await startSandbox({ now: clock });
    token = await tokenOf(sb);
    const old = await call(sb, token, 'add_contact_way', { type: 1, scene: 2, user: ['zhangsan'] });
    expect(old.errcode).toBe(0);
    nowMs += 91 * DAY_S * 1000;
    token = await tokenOf(sb);
    for (let i = 0; i < 5; i++) {
      nowMs += 1000;
      permanent.push(
        (await call(sb, token, 'add_contact_way', { type: 1, scene: 2, user: ['lisi'] })).config_id as string,
      );
      await call(sb, token, 'add_contact_way', TEMP);
    }
  });
  afterAll(() => sb.close());

  it('GIVEN limit 2 THEN pages follow next_cursor in creation order, temp ways and >90-day-old ways excluded', async () => {
    const seen: string[] = [];
    let cursor = '';
    const sizes: number[] = [];
    do {
      const res = await call(sb, token, 'list_contact_way', { limit: 2, ...(cursor ? { cursor } : {}) });
      expect(res.errcode).toBe(0);
      const ids = (res.contact_way as { config_id: string }[]).map((c) => c.config_id);
      sizes.push(ids.length);
      seen.push(...ids);
      cursor = res.next_cursor as string;
    } while (cursor);
    expect(sizes).toEqual([2, 2, 1]);
    expect(seen).toEqual(permanent);
  });

  it('GIVEN an explicit start_time THEN older ways are listed too', async () => {
    const res = await call(sb, token, 'list_contact_way', { start_time: Math.floor(T0 / 1000) });
    expect((res.contact_way as unknown[]).length).toBe(6);
  });

  it('GIVEN end_time before the newest ways THEN only earlier ones', async () => {
    const res = await call(sb, token, 'list_contact_way', { end_time: Math.floor(nowMs / 1000) - 3 });
    expect((res.contact_way as unknown[]).length).toBe(2);
  });

  it('GIVEN limit over 1000, start after end or a forged cursor THEN 40058', async () => {
    expect((await call(sb, token, 'list_contact_way', { limit: 1000 })).errcode).toBe(0);
    expect((await call(sb, token, 'list_contact_way', { limit: 1001 })).errcode).toBe(40058);
    expect((await call(sb, token, 'list_contact_way', { start_time: 10, end_time: 5 })).errcode).toBe(40058);
    expect((await call(sb, token, 'list_contact_way', { cursor: 'forged' })).errcode).toBe(40058);
  });
});
