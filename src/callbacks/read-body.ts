import type { IncomingMessage, ServerResponse } from 'node:http';

/** The body as text, or why it was not read to the end (`aborted`: the sender went away, no one to answer). */
export type BodyRead = { body: string } | { refused: 'too_large' | 'slow_body' | 'aborted' };

/**
 * Reads the request body, at most `maxBytes` and for at most `timeoutMs` from now (the headers are in).
 * A body declared larger is refused before any byte of it is read; one that grows past the limit is refused
 * at that chunk, the rest left unread. Node's server gives a body 300 s (`requestTimeout`), which let a sender
 * trickling bytes hold a socket that long: the deadline here ends that. It also covers what follows a
 * refusal: a sender still trickling after its 413 has its socket destroyed when the deadline passes.
 */
export function readBody(
  req: IncomingMessage,
  limits: { maxBytes: number; timeoutMs: number },
): Promise<BodyRead> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: BodyRead) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      resolve(outcome);
    };
    const deadline = setTimeout(() => {
      if (settled) req.socket?.destroy();
      else finish({ refused: 'slow_body' });
    }, limits.timeoutMs);
    deadline.unref();
    req.once('end', () => clearTimeout(deadline));
    req.once('close', () => {
      clearTimeout(deadline);
      finish({ refused: 'aborted' });
    });

    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limits.maxBytes) {
      finish({ refused: 'too_large' });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    function onData(chunk: Buffer) {
      size += chunk.length;
      if (size > limits.maxBytes) {
        req.pause();
        finish({ refused: 'too_large' });
        return;
      }
      chunks.push(chunk);
    }
    function onEnd() {
      finish({ body: Buffer.concat(chunks).toString('utf8') });
    }
    req.on('data', onData);
    req.on('end', onEnd);
  });
}

/**
 * Answers a request whose body was not read to the end, then destroys its socket: with bytes still on the
 * wire the connection cannot serve another request, and a sender who stalls must not keep it. The socket
 * goes once the answer is flushed, or after a second if the peer does not even read it.
 */
export function answerAndClose(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  text: string,
): void {
  const socket = req.socket;
  const fallback = setTimeout(() => socket?.destroy(), 1_000);
  fallback.unref();
  res.once('finish', () => {
    clearTimeout(fallback);
    socket?.destroy();
  });
  res.once('close', () => clearTimeout(fallback));
  if (res.headersSent || res.destroyed) {
    socket?.destroy();
    return;
  }
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'close',
  });
  res.end(text);
}
