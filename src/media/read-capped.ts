import { MAX_IMAGE_BYTES } from './image-kind.js';

/** A download as read: the bytes, or (past the limit) the first of them and how large the host says it is. */
export interface CappedBody {
  bytes: Buffer;
  /** More than `max` bytes were on offer: reading stopped there. `size` is the host's Content-Length, if any. */
  tooLarge?: { size?: number };
}

/**
 * Reads a download's body but never more than `max` bytes (+ one chunk): a 2 GB "image" costs us at most one
 * limit's worth of memory and time. A declared Content-Length over the limit is refused before reading at all.
 */
export async function readCapped(response: Response, max: number = MAX_IMAGE_BYTES): Promise<CappedBody> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > max) {
    await response.body?.cancel().catch(() => undefined);
    return { bytes: Buffer.alloc(0), tooLarge: { size: declared } };
  }
  const reader = response.body?.getReader();
  if (!reader) return { bytes: Buffer.alloc(0) };
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      return { bytes: Buffer.concat(chunks), tooLarge: {} };
    }
  }
  return { bytes: Buffer.concat(chunks) };
}
