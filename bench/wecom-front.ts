import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import QRCode from 'qrcode';

/**
 * What the apps see as WeCom: the sandbox's API (its rules, tokens, latency and call counts, forwarded
 * as is), plus a stand-in for WeCom's image CDN. The sandbox renders a fresh PNG for every `qr_code` it
 * hands out, ~20 ms of CPU each in the bench process, which at N = 200 made the bench itself the
 * bottleneck for the floor and the bot alike. Real QR images come from a CDN (wework.qpic.cn), not the
 * API, so `add_contact_way` answers are rewritten to point at `/qr/{config_id}.png` here, which serves
 * one real QR PNG rendered once.
 */
export interface WecomFront {
  /** What WECOM_API_BASE should be. */
  readonly url: string;
  /** Every config_id add_contact_way handed out, in order (the scan burst scans them). */
  readonly configIds: readonly string[];
  close(): Promise<void>;
}

const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

export async function startWecomFront(sandboxUrl: string): Promise<WecomFront> {
  const png = await QRCode.toBuffer('https://work.weixin.qq.com/ca/bench', { type: 'png' });
  let base = '';
  const configIds: string[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const url = req.url ?? '/';
      if (url.startsWith('/qr/')) {
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length });
        res.end(png);
        return;
      }
      const body = req.method === 'POST' ? await readBody(req) : undefined;
      const upstream = await fetch(`${sandboxUrl}${url}`, {
        method: req.method ?? 'GET',
        headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
        ...(body ? { body: new Uint8Array(body) } : {}),
      });
      let text = await upstream.text();
      if (url.includes('/add_contact_way')) {
        const answer = JSON.parse(text) as { config_id?: string; qr_code?: string };
        if (answer.config_id) configIds.push(answer.config_id);
        if (answer.qr_code && answer.config_id) {
          answer.qr_code = `${base}/qr/${answer.config_id}.png`;
          text = JSON.stringify(answer);
        }
      }
      res.writeHead(upstream.status, {
        'content-type': upstream.headers.get('content-type') ?? 'application/json',
      });
      res.end(text);
    })().catch((error: unknown) => {
      res.writeHead(502);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    configIds,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
