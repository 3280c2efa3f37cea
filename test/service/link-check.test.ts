import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/base/errors.js';
import { createLinkChecker } from '../../src/service/link-check.js';

/** A site with a page, a gone page, a broken server and a page that refuses HEAD, on a local port. */
let server: Server;
let base = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/hours') return void res.writeHead(200).end('open 9–17');
    if (req.url === '/gone') return void res.writeHead(410).end();
    if (req.url === '/broken') return void res.writeHead(502).end();
    if (req.url === '/no-head') return void res.writeHead(req.method === 'HEAD' ? 405 : 200).end();
    if (req.url === '/moved') return void res.writeHead(302, { location: 'http://10.0.0.1/' }).end();
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function issues(mode: 'off' | 'public' | 'any', urls: string[]) {
  try {
    await createLinkChecker({ mode, timeoutMs: 2000 })(urls.map((url) => ({ url, field: 'closing_link' })));
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map((i) => `${i.field}: ${i.message.en} / ${i.message.zh}`);
  }
}

describe('link cards: every new link is opened before WeCom gets it (LINK_CHECK)', () => {
  it('GIVEN pages that answer (200, a redirect, HEAD refused but GET fine) THEN accepted, the redirect not followed', async () => {
    expect(await issues('any', [`${base}/hours`, `${base}/moved`, `${base}/no-head`])).toEqual([]);
  });

  it('GIVEN a missing page, a gone one, a broken server, a closed port, a host without DNS THEN each named on its field', async () => {
    const found = await issues('any', [
      `${base}/nothing`,
      `${base}/gone`,
      `${base}/broken`,
      'http://127.0.0.1:1/',
      'https://no-such-host.invalid/',
    ]);
    expect(found).toHaveLength(5);
    expect(found.every((i) => i.startsWith('closing_link: the link '))).toBe(true);
    expect(found.join('\n')).toMatch(/is not there \(HTTP 404\)/);
    expect(found.join('\n')).toMatch(/is not there \(HTTP 410\)/);
    expect(found.join('\n')).toMatch(/answered HTTP 502/);
    expect(found.join('\n')).toMatch(/could not be reached within 2 s/);
    expect(found.join('\n')).toMatch(/no-such-host\.invalid does not exist.*不存在/);
  });

  it('GIVEN public THEN a host on a private address is refused without being opened; GIVEN off THEN nothing is checked', async () => {
    let opened = 0;
    server.on('request', () => {
      opened++;
    });
    const found = await issues('public', [
      `${base}/hours`,
      'http://[::1]:9/',
      'http://169.254.169.254/latest',
    ]);
    expect(found).toHaveLength(3);
    expect(found.join('\n')).toMatch(/private address customers cannot open/);
    expect(opened).toBe(0);
    expect(await issues('off', [`${base}/nothing`, 'https://no-such-host.invalid/'])).toEqual([]);
  });
});
