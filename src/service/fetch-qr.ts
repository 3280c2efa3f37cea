import type { QrImage } from '../ui/model.js';

/** Limits for fetching a QR image: WeCom's are a few KB; anything far larger is not a QR code. */
export interface FetchQrOptions {
  fetch?: typeof fetch;
  timeoutMs?: number;
  maxBytes?: number;
}

export type { QrImage };

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG_SIGNATURE = Buffer.from([0xff, 0xd8, 0xff]);

/**
 * Fetches the QR image behind WeCom's `qr_code` URL, bounded in size and time, so the reply can carry the
 * bytes (a Slack upload or Discord attachment stays visible after WeCom's URL changes). Returns undefined on
 * any failure: the caller falls back to showing the URL, which is never worse than no QR.
 */
export async function fetchQrImage(url: string, options: FetchQrOptions = {}): Promise<QrImage | undefined> {
  const { fetch: doFetch = globalThis.fetch, timeoutMs = 5_000, maxBytes = 1_000_000 } = options;
  try {
    const response = await doFetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
    if (!response.ok || !response.body) return undefined;
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > maxBytes) return undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      size += chunk.byteLength;
      if (size > maxBytes) return undefined;
      chunks.push(Buffer.from(chunk));
    }
    const bytes = Buffer.concat(chunks);
    if (bytes.subarray(0, 8).equals(PNG_SIGNATURE))
      return { bytes, contentType: 'image/png', fileName: 'qr.png' };
    if (bytes.subarray(0, 3).equals(JPEG_SIGNATURE))
      return { bytes, contentType: 'image/jpeg', fileName: 'qr.jpg' };
    return undefined;
  } catch {
    return undefined;
  }
}
