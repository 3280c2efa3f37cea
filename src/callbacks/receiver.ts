import type { IncomingMessage, ServerResponse } from 'node:http';
import { CallbackError, malformedCallback } from '../errors.js';
import type { Logger } from '../logger.js';
import type { WecomCrypto } from './crypto.js';
import { type ContactEvent, parseCallbackMessage, parseEnvelope } from './event.js';

/** Where WeCom's admin console is told to send events. */
export const CALLBACK_PATH = '/wecom/callback';
/** A WeCom event is well under 2 kB; anything near this is not WeCom. */
export const MAX_CALLBACK_BODY_BYTES = 64 * 1024;

/**
 * A plain Node handler, so it mounts on Bolt's HTTP server and on the ops server alike. Resolves false when
 * the request is not for {@link CALLBACK_PATH} (the caller's other routes then answer it).
 */
export type CallbackHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export interface ReceiverOptions {
  crypto: WecomCrypto;
  /**
   * Persists a verified, decrypted event (and schedules its processing). Resolves once it is durably stored;
   * a rejection answers 503 so WeCom tries again.
   */
  accept: (event: ContactEvent) => Promise<void>;
  logger: Logger;
  path?: string;
  maxBodyBytes?: number;
}

/**
 * `GET`: URL verification. Check the signature over echostr, decrypt it, answer the plaintext alone.
 * `POST`: one event. Check the signature over Encrypt, decrypt (ReceiveId must be our corp id), parse,
 * persist, answer `success`; the work happens after the answer (WeCom gives up after 5 s and retries).
 * A refused request gets a 4xx and one warning naming why (`callback.bad_signature`…) and nothing is acted on.
 */
export function createCallbackReceiver(options: ReceiverOptions): CallbackHandler {
  const { crypto, logger } = options;
  const path = options.path ?? CALLBACK_PATH;
  const maxBodyBytes = options.maxBodyBytes ?? MAX_CALLBACK_BODY_BYTES;

  async function verification(url: URL, res: ServerResponse): Promise<void> {
    const { signature, timestamp, nonce } = signed(url);
    // Base64 may carry '+', which a form decoder (URLSearchParams) turns into a space when WeCom or a proxy
    // did not percent-encode it: base64 has no spaces, so put them back.
    const echostr = url.searchParams.get('echostr')?.replaceAll(' ', '+');
    if (!echostr) throw malformedCallback('echostr is missing');
    crypto.verify(signature, timestamp, nonce, echostr);
    const plain = crypto.decrypt(echostr);
    logger.info({ path }, 'wecom callback: URL verified');
    send(res, 200, plain);
  }

  async function event(url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { signature, timestamp, nonce } = signed(url);
    const body = await readLimited(req, maxBodyBytes);
    if (body === undefined) {
      logger.warn({ path, limitBytes: maxBodyBytes }, 'wecom callback refused: body too large');
      // The rest of the body is not read: do not keep the connection for another request.
      res.setHeader('connection', 'close');
      send(res, 413, 'too large');
      return;
    }
    const { encrypt } = parseEnvelope(body);
    crypto.verify(signature, timestamp, nonce, encrypt);
    const message = parseCallbackMessage(crypto.decrypt(encrypt));
    if (message.kind === 'ignored') {
      logger.info(
        { msgType: message.msgType, event: message.event, changeType: message.changeType },
        'wecom callback: event not handled; acknowledged and ignored',
      );
      send(res, 200, 'success');
      return;
    }
    try {
      await options.accept(message.event);
    } catch (error) {
      logger.error(
        { err: error, changeType: message.event.changeType },
        'wecom callback: event not stored; WeCom will retry',
      );
      send(res, 503, 'try again');
      return;
    }
    send(res, 200, 'success');
  }

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== path) return false;
    try {
      if (req.method === 'GET') await verification(url, res);
      else if (req.method === 'POST') await event(url, req, res);
      else {
        res.setHeader('allow', 'GET, POST');
        send(res, 405, 'method not allowed');
      }
    } catch (error) {
      if (!(error instanceof CallbackError)) {
        logger.error({ err: error, path }, 'wecom callback failed');
        send(res, 500, 'error');
        return true;
      }
      // One line that says which check failed and what to compare in WeCom's admin console.
      logger.warn(
        { code: error.code, method: req.method, hint: error.human.en },
        `wecom callback refused: ${error.code}`,
      );
      send(res, error.code === 'callback.bad_signature' ? 401 : 400, error.code);
    }
    return true;
  };
}

function signed(url: URL): { signature: string; timestamp: string; nonce: string } {
  const signature = url.searchParams.get('msg_signature');
  const timestamp = url.searchParams.get('timestamp');
  const nonce = url.searchParams.get('nonce');
  if (!signature || !timestamp || !nonce)
    throw malformedCallback('msg_signature, timestamp or nonce is missing');
  return { signature, timestamp, nonce };
}

/** The body as text, or undefined once it exceeds `limit` bytes (the rest is not read). */
async function readLimited(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Plain text with nothing added: WeCom compares the verification answer byte for byte. */
function send(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}
