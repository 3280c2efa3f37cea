import { describe, expect, it } from 'vitest';
import { readCapped } from '../../src/media/index.js';

/** A body that never ends, counting what was pulled from it: a download that would fill memory if read whole. */
function endless(chunk: number): { response: Response; pulled: () => number } {
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled += chunk;
      controller.enqueue(new Uint8Array(chunk));
    },
  });
  return { response: new Response(body), pulled: () => pulled };
}

describe('readCapped: a download never read past the image limit', () => {
  it('GIVEN a body without end THEN reading stops just past the limit, flagged too large', async () => {
    const { response, pulled } = endless(64 * 1024);
    const read = await readCapped(response, 1024 * 1024);
    expect(read.tooLarge).toEqual({});
    expect(pulled()).toBeLessThan(2 * 1024 * 1024);
  });

  it('GIVEN a Content-Length over the limit THEN nothing is read and the declared size is kept', async () => {
    const { response, pulled } = endless(64 * 1024);
    const declared = new Response(response.body, { headers: { 'content-length': String(20 * 1024 * 1024) } });
    const read = await readCapped(declared, 1024 * 1024);
    expect(read).toEqual({ bytes: Buffer.alloc(0), tooLarge: { size: 20 * 1024 * 1024 } });
    expect(pulled()).toBeLessThanOrEqual(2 * 64 * 1024);
  });

  it('GIVEN a body within the limit THEN all of it', async () => {
    const read = await readCapped(new Response(Buffer.from('hello')), 1024);
    expect(read).toEqual({ bytes: Buffer.from('hello') });
  });
});
