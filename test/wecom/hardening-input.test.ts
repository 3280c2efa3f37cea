import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import Keyv from 'keyv';
import QRCode from 'qrcode';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { qrFileName } from '../../adapters/console/qr-file.js';
import { UpstreamError } from '../../src/base/errors.js';
import { corpSecretTokenSource, createWecomClient } from '../../src/wecom/index.js';
import { asOpened } from '../fixtures/console-lines.js';
import { type ConsoleSession, startConsoleSession } from '../fixtures/console-session.js';

/**
 * Issue 10 items 10 and 18, against a tiny local server speaking WeCom's wire format and misbehaving on
 * purpose (a broken proxy, a compromised endpoint): ids in WeCom's answers pass the same schema as our own
 * input before anything uses them as a key or a file name; a gettoken answer without errcode (some proxies,
 * older WeCom) is a success when it carries a token.
 */

type Handler = (path: string, res: ServerResponse) => void;

let server: Server;
let base: string;
let handler: Handler;
let qrPng: Buffer;
const paths: string[] = [];

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const TOKEN = { errcode: 0, errmsg: 'ok', access_token: 'tok-hardening', expires_in: 7200 };

/** A WeCom that answers every call as documented, except what `overrides` replaces, by endpoint name. */
function wecom(overrides: Record<string, unknown> = {}): Handler {
  return (path, res) => {
    const endpoint = path.split('/').pop() ?? '';
    if (endpoint === 'qr.png') {
      res.writeHead(200, { 'content-type': 'image/png' });
      return res.end(qrPng);
    }
    if (endpoint in overrides) return json(res, overrides[endpoint]);
    if (endpoint === 'gettoken') return json(res, TOKEN);
    if (endpoint === 'add_contact_way')
      return json(res, { errcode: 0, errmsg: 'ok', config_id: 'cfg1', qr_code: `${base}/qr.png` });
    return json(res, { errcode: 0, errmsg: 'ok' });
  };
}

beforeAll(async () => {
  qrPng = await QRCode.toBuffer('https://example.invalid/contact');
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      paths.push(path);
      handler(path, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  handler = wecom();
  paths.length = 0;
});

function client() {
  return createWecomClient({
    baseUrl: base,
    tokens: corpSecretTokenSource({ corpId: 'ww_hardening', corpSecret: 'hardening-secret' }),
    cache: new Keyv(),
    sleep: async () => {},
    random: () => 0.5,
    timeoutMs: 2_000,
  });
}

async function caught(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

function expectBadResponse(error: Error): void {
  expect(error).toBeInstanceOf(UpstreamError);
  expect((error as UpstreamError).code).toBe('wecom.bad_response');
}

const TEMP = { type: 1 as const, scene: 2 as const, user: ['zhangsan'], is_temp: true };

describe('ids in WeCom answers are checked like our own input', () => {
  it.each(['/../../x', '../etc/passwd', 'a b', 'cfg\u001b[2J', 'x'.repeat(129), ''])(
    'GIVEN add_contact_way answers config_id %j THEN bad_response',
    async (configId) => {
      handler = wecom({ add_contact_way: { errcode: 0, errmsg: 'ok', config_id: configId } });
      expectBadResponse(await caught(client().addContactWay(TEMP)));
    },
  );

  it('GIVEN get_contact_way answers another config_id shape or a bad member id THEN bad_response', async () => {
    const way = { config_id: 'cfg1', type: 1, scene: 2, user: ['zhangsan'] };
    handler = wecom({ get_contact_way: { errcode: 0, errmsg: 'ok', contact_way: way } });
    expect(await client().getContactWay('cfg1')).toMatchObject(way);

    handler = wecom({
      get_contact_way: { errcode: 0, errmsg: 'ok', contact_way: { ...way, config_id: '/../../x' } },
    });
    expectBadResponse(await caught(client().getContactWay('cfg1')));

    handler = wecom({
      get_contact_way: { errcode: 0, errmsg: 'ok', contact_way: { ...way, user: ['../../root'] } },
    });
    expectBadResponse(await caught(client().getContactWay('cfg1')));

    // A well-formed id, but not the one asked for: another way's details must not pass as this one's.
    handler = wecom({
      get_contact_way: { errcode: 0, errmsg: 'ok', contact_way: { ...way, config_id: 'cfg2' } },
    });
    expectBadResponse(await caught(client().getContactWay('cfg1')));
  });

  it('GIVEN list_contact_way answers a path among the ids THEN bad_response, and nothing of the page is yielded', async () => {
    handler = wecom({
      list_contact_way: {
        errcode: 0,
        errmsg: 'ok',
        contact_way: [{ config_id: 'good1' }, { config_id: '../../x' }],
      },
    });
    expectBadResponse(await caught(client().listContactWay()));
    const yielded: string[] = [];
    const error = await caught(
      (async () => {
        for await (const id of client().listAllContactWays()) yielded.push(id);
      })(),
    );
    expectBadResponse(error);
    expect(yielded).toEqual([]);
  });
});

describe('a gettoken answer without errcode', () => {
  it('GIVEN {access_token, expires_in} only THEN it is a token, and the call goes through with it', async () => {
    handler = wecom({ gettoken: { access_token: 'tok-no-errcode', expires_in: 7200 } });
    const c = client();
    expect(await c.accessToken()).toBe('tok-no-errcode');
    expect(await c.addContactWay(TEMP)).toMatchObject({ config_id: 'cfg1' });
  });

  it('GIVEN neither errcode nor access_token THEN still bad_response', async () => {
    handler = wecom({ gettoken: { expires_in: 7200 } });
    expectBadResponse(await caught(client().accessToken()));
  });

  it('GIVEN an errcode without a token THEN the WeCom error, as before', async () => {
    handler = wecom({ gettoken: { errcode: 40001, errmsg: 'invalid credential' } });
    const error = await caught(client().accessToken());
    expect((error as { code?: string }).code).toBe('wecom.40001');
  });

  it('GIVEN a contact-way answer without errcode THEN still bad_response: only gettoken may omit it', async () => {
    handler = wecom({ del_contact_way: {} });
    expectBadResponse(await caught(client().deleteContactWay('cfg1')));
  });
});

describe('console: a config_id that is a path never becomes one', () => {
  let session: ConsoleSession;
  beforeAll(async () => {
    session = await startConsoleSession({
      WECOM_CORP_ID: 'ww_hardening',
      WECOM_CORP_SECRET: 'hardening-secret',
      WECOM_API_BASE: base,
    });
  });
  afterAll(async () => {
    await session?.close();
  });

  it('GIVEN add_contact_way answers /../../x THEN the requester hears WeCom answered oddly, and no file, record or journal line carries it', async () => {
    handler = wecom({
      add_contact_way: { errcode: 0, errmsg: 'ok', config_id: '/../../x', qr_code: `${base}/qr.png` },
    });
    const out = await session.run([...asOpened('temp zhangsan'), 'exit']);
    expect(out).toContain('✗');
    expect(out).not.toContain('/../../x');
    const root = dirname(session.qrDir);
    // Before the fix the PNG landed at `${root}/x.png`, one level above QR_DIR.
    expect(readdirSync(root).filter((name) => name.endsWith('.png'))).toEqual([]);
    expect(existsSync(session.qrDir) ? readdirSync(session.qrDir) : []).toEqual([]);
    const journal = existsSync(session.journalPath) ? readFileSync(session.journalPath, 'utf8') : '';
    expect(journal).not.toContain('x');
    expect(await session.core.service.list(consoleRequester)).toEqual([]);
  });

  it('GIVEN a well-formed answer THEN the QR is saved in QR_DIR under its config_id', async () => {
    const out = await session.run([...asOpened('temp zhangsan'), 'exit']);
    expect(out).toContain('cfg1');
    expect(readdirSync(session.qrDir)).toEqual(['qr-cfg1.png']);
    expect(out).toContain(join(session.qrDir, 'qr-cfg1.png'));
  });
});

const consoleRequester = { platform: 'console', workspaceId: 'local', userId: 'tester' } as const;

describe('QR file names', () => {
  it('GIVEN any config_id THEN the name is a plain basename in QR_DIR', () => {
    expect(qrFileName('cfg_1-A', 'image/png')).toBe('qr-cfg_1-A.png');
    expect(qrFileName('cfg1', 'image/jpeg')).toBe('qr-cfg1.jpg');
    for (const hostile of ['/../../x', '..', 'a/b', 'a\\b', 'c:x', '\u0000', 'x'.repeat(200)]) {
      const name = qrFileName(hostile, 'image/png');
      expect(name).toMatch(/^qr-[A-Za-z0-9_-]+\.png$/);
      expect(join('/qr', name).startsWith('/qr/')).toBe(true);
    }
  });
});
