import type { HTTPReceiver } from '@slack/bolt';

/**
 * Refuses request bodies over `maxBytes` on Bolt's HTTP server without holding them in memory.
 *
 * - A request that declares a larger Content-Length gets 413 before any byte of it is read.
 * - One that does not (chunked) is cut off by the receiver's own `bodyLimit`, which answers 413 too.
 *
 * Either way the rest of the body is then read and discarded rather than left paused: a paused request
 * keeps its connection stuck until it is reset, so the sender would never see the 413.
 */
export function limitRequestBodies(receiver: HTTPReceiver, maxBytes: number): void {
  const handle = receiver.requestListener;
  receiver.requestListener = (req, res) => {
    res.once('finish', () => {
      if (!req.complete) req.resume();
    });
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      res.writeHead(413);
      res.end();
      return;
    }
    handle(req, res);
  };
}
