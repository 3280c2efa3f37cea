import { Rejection } from './wecom-reply.js';

/** One part of a multipart/form-data body, as WeCom reads it for media/upload. */
export interface FormPart {
  name: string;
  filename: string | undefined;
  contentType: string | undefined;
  /** `filelength` from Content-Disposition, when the client sent it (WeCom's sample does). */
  filelength: number | undefined;
  bytes: Buffer;
}

/** The boundary of a `multipart/form-data; boundary=…` content type, or undefined for anything else. */
export function boundaryOf(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) return undefined;
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

/**
 * Splits a multipart/form-data body into its parts (RFC 7578): a real parser, so a client that builds the
 * body wrong (no CRLF, wrong boundary, no part name) is refused here as WeCom would refuse it.
 */
export function parseMultipart(body: Buffer, boundary: string): FormPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let at = body.indexOf(delimiter);
  if (at < 0) throw new Rejection(41005, 'multipart boundary not found');
  for (;;) {
    at += delimiter.length;
    // `--` after a delimiter closes the body.
    if (body[at] === 0x2d && body[at + 1] === 0x2d) return parts;
    if (body[at] !== 0x0d || body[at + 1] !== 0x0a) throw new Rejection(40058, 'malformed multipart body');
    const headersEnd = body.indexOf('\r\n\r\n', at + 2);
    if (headersEnd < 0) throw new Rejection(40058, 'malformed multipart part headers');
    const headers = body.subarray(at + 2, headersEnd).toString('utf8');
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), headersEnd + 4);
    if (next < 0) throw new Rejection(40058, 'multipart body is not closed');
    parts.push(partOf(headers, body.subarray(headersEnd + 4, next)));
    at = next + 2;
  }
}

function partOf(headerText: string, bytes: Buffer): FormPart {
  const headers = new Map<string, string>();
  for (const line of headerText.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const disposition = headers.get('content-disposition') ?? '';
  const param = (key: string) =>
    new RegExp(`(?:^|;)\\s*${key}=(?:"([^"]*)"|([^;\\s]*))`, 'i')
      .exec(disposition)
      ?.slice(1)
      .find((v) => v !== undefined);
  const name = param('name');
  if (!/^form-data\b/i.test(disposition) || !name)
    throw new Rejection(40058, 'multipart part without a name');
  const length = param('filelength');
  return {
    name,
    filename: param('filename'),
    contentType: headers.get('content-type'),
    filelength: length !== undefined && /^\d+$/.test(length) ? Number(length) : undefined,
    bytes: Buffer.from(bytes),
  };
}
