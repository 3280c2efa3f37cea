import type { IncomingMessage, ServerResponse } from 'node:http';

/** WeCom bodies are a few KB; anything near this is a client bug, not a contact way. */
const MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLarge extends Error {}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw new BodyTooLarge();
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * A binary body up to `maxBytes`. Past it the rest is read and dropped (answering before the client finished
 * sending would break its connection instead of giving it WeCom's errcode), then BodyTooLarge is thrown.
 */
export async function readBytes(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size <= maxBytes) chunks.push(buf);
  }
  if (size > maxBytes) throw new BodyTooLarge();
  return Buffer.concat(chunks);
}

export function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', ...headers });
  res.end(body);
}

/** WeCom's own content type for API answers. */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json; charset=UTF-8', JSON.stringify(value));
}

/** The caller's address as WeCom's errmsg shows it (`from ip: 127.0.0.1`), without the IPv4-mapped prefix. */
export function callerIp(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? 'unknown').replace(/^::ffff:/, '');
}
