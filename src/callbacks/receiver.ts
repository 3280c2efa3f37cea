import type { IncomingMessage, ServerResponse } from 'node:http';
import { CallbackError, malformedCallback, StoreError } from '../base/errors.js';
import type { Logger } from '../base/logger.js';
import { REASON_OF, type RefusalReason, STATUS_OF } from '../ops/refusals.js';
import { corpNotServed, type WecomCrypto } from './crypto.js';
import { encryptOf } from './envelope.js';
import { type ContactEvent, parseCallbackMessage } from './event.js';
import { checkFresh, claimNonce, memoryNonces, type NonceMemory } from './freshness.js';
import { answerAndClose, readBody } from './read-body.js';

/** Where WeCom's admin console is told to send events. */
export const CALLBACK_PATH = '/wecom/callback';
/**
 * The largest body read. An encrypted add_external_contact with a WelcomeCode, the biggest event we act on,
 * is about 1 kB with WeCom's usual ids and 2.3 kB with every field at the length our parser allows; 8 kB
 * leaves room for the other events WeCom posts to the same URL (acknowledged and ignored).
 */
export const MAX_CALLBACK_BODY_BYTES = 8 * 1024;
/** WeCom stops waiting for our answer after 5 s (reference §1): a body still arriving then is not WeCom's. */
export const CALLBACK_BODY_TIMEOUT_MS = 5_000;

/**
 * What guards the door, shared by every request: the clock the timestamp is checked against, where nonces
 * are remembered (the store's, so it holds across instances, once the composition root binds it), where
 * refusals are counted, and the body's size and time limits.
 */
export interface CallbackDoor {
  now?: () => number;
  nonces?: NonceMemory;
  refused?: (reason: RefusalReason) => void;
  maxBodyBytes?: number;
  bodyTimeoutMs?: number;
}

/**
 * A plain Node handler, so it mounts on Bolt's HTTP server and on the ops server alike. Resolves false when
 * the request is not for {@link CALLBACK_PATH} (the caller's other routes then answer it).
 */
export interface CallbackHandler {
  (req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /**
   * The same receiver with these parts of the door replaced: the composition root gives it the store's
   * nonces and the metrics, which `createCallbacks` does not hold.
   */
  withDoor(door: CallbackDoor): CallbackHandler;
}

/** What a decrypted message turned out to be: one to accept, or one to acknowledge and ignore (logged). */
export type ReceivedMessage<E> =
  | {
      kind: 'ignored';
      msgType?: string | undefined;
      event?: string | undefined;
      changeType?: string | undefined;
    }
  | { kind: 'contact' | 'suite'; event: E };

export interface ReceiverOptions<E = ContactEvent> extends CallbackDoor {
  crypto: WecomCrypto;
  /**
   * Decrypts GET's echostr when it is encrypted for another ReceiveId than the events: a provider's URLs are
   * verified with the provider's corp id, their events carry the suite id (doc §1.9). Default `crypto`.
   */
  echoCrypto?: WecomCrypto;
  /**
   * A URL that serves several ReceiveIds (a provider's 代开发 apps, one per installed corp): whether this
   * decrypted ReceiveId is one of them, for the URL check (`echo`) or an event. When set, `crypto`'s own
   * ReceiveId is not compared; a refused one is `callback.wrong_receive_id` (corpNotServed).
   */
  receiveIds?: (receiveId: string, use: 'echo' | 'event') => Promise<boolean>;
  /**
   * Reads the decrypted message; default the customer-contact events (`parseCallbackMessage`). `receiveId` is
   * the checked ReceiveId when `receiveIds` is set (the corp the event is for).
   */
  parse?: (plain: string, receiveId: string | undefined) => ReceivedMessage<E>;
  /**
   * Persists a verified, decrypted event (and schedules its processing). Resolves once it is durably stored;
   * a rejection answers 503 so WeCom tries again.
   */
  accept: (event: E) => Promise<void>;
  logger: Logger;
  path?: string;
}

/**
 * `GET`: URL verification. Check the signature over echostr, the timestamp, decrypt it, remember the nonce,
 * answer the plaintext alone.
 * `POST`: one event. Read at most {@link MAX_CALLBACK_BODY_BYTES} for at most {@link CALLBACK_BODY_TIMEOUT_MS};
 * take Encrypt from the body with a linear scan and check the signature over it before anything else runs
 * on the body (an unsigned body used to be XML-parsed first: 20–66 ms of CPU for anyone, per request); then
 * the timestamp, decrypt (ReceiveId must be our corp id, or one `receiveIds` accepts), the nonce, parse,
 * persist, answer `success`. The work happens after the answer (WeCom gives up after 5 s and retries).
 * A refused request gets a 4xx, one warning naming why (`callback.bad_signature`…), a count by reason, and
 * nothing is acted on.
 */
export function createCallbackReceiver<E = ContactEvent>(options: ReceiverOptions<E>): CallbackHandler {
  const { crypto, logger } = options;
  const echoCrypto = options.echoCrypto ?? crypto;
  const parse =
    options.parse ??
    (parseCallbackMessage as unknown as (plain: string, receiveId: string | undefined) => ReceivedMessage<E>);
  const { receiveIds } = options;

  /** The plaintext, its ReceiveId checked: fixed (crypto's own), or one of the ids `receiveIds` accepts. */
  async function decrypt(
    keys: WecomCrypto,
    encrypted: string,
    use: 'echo' | 'event',
  ): Promise<{ plain: string; receiveId: string | undefined }> {
    if (!receiveIds) return { plain: keys.decrypt(encrypted), receiveId: undefined };
    const opened = keys.open(encrypted);
    if (!(await receiveIds(opened.receiveId, use))) throw corpNotServed();
    return { plain: opened.message, receiveId: opened.receiveId };
  }
  const path = options.path ?? CALLBACK_PATH;
  const now = options.now ?? Date.now;
  const nonces = options.nonces ?? memoryNonces(now);
  const refused = options.refused ?? (() => {});
  const limits = {
    maxBytes: options.maxBodyBytes ?? MAX_CALLBACK_BODY_BYTES,
    timeoutMs: options.bodyTimeoutMs ?? CALLBACK_BODY_TIMEOUT_MS,
  };

  async function verification(url: URL, res: ServerResponse): Promise<void> {
    const { signature, timestamp, nonce } = signed(url);
    // Base64 may carry '+', which a form decoder (URLSearchParams) turns into a space when WeCom or a proxy
    // did not percent-encode it: base64 has no spaces, so put them back.
    const echostr = url.searchParams.get('echostr')?.replaceAll(' ', '+');
    if (!echostr) throw malformedCallback('echostr is missing');
    echoCrypto.verify(signature, timestamp, nonce, echostr);
    checkFresh(timestamp, now());
    const { plain } = await decrypt(echoCrypto, echostr, 'echo');
    await claimNonce(nonces, nonce, plain);
    logger.info({ path }, 'wecom callback: URL verified');
    send(res, 200, plain);
  }

  async function event(url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { signature, timestamp, nonce } = signed(url);
    const read = await readBody(req, limits);
    if ('refused' in read) {
      if (read.refused === 'aborted') return;
      refused(read.refused);
      logger.warn(
        { path, limitBytes: limits.maxBytes, timeoutMs: limits.timeoutMs },
        `wecom callback refused: ${read.refused === 'too_large' ? 'body too large' : 'body too slow'}`,
      );
      answerAndClose(
        req,
        res,
        STATUS_OF[read.refused],
        read.refused === 'too_large' ? 'too large' : 'too slow',
      );
      return;
    }
    const encrypt = encryptOf(read.body);
    crypto.verify(signature, timestamp, nonce, encrypt);
    checkFresh(timestamp, now());
    const { plain, receiveId } = await decrypt(crypto, encrypt, 'event');
    await claimNonce(nonces, nonce, plain);
    const message = parse(plain, receiveId);
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
        { err: error, changeType: (message.event as { changeType?: string }).changeType },
        'wecom callback: event not stored; WeCom will retry',
      );
      send(res, 503, 'try again');
      return;
    }
    send(res, 200, 'success');
  }

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
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
      if (error instanceof StoreError) {
        // The nonce could not be remembered: WeCom retries, nothing was acted on.
        logger.error({ err: error, path }, 'wecom callback: store unavailable; WeCom will retry');
        send(res, 503, 'try again');
        return true;
      }
      if (!(error instanceof CallbackError)) {
        logger.error({ err: error, path }, 'wecom callback failed');
        send(res, 500, 'error');
        return true;
      }
      const reason = REASON_OF[error.code];
      refused(reason);
      // One line that says which check failed and what to compare in WeCom's admin console.
      logger.warn(
        { code: error.code, method: req.method, hint: error.human.en },
        `wecom callback refused: ${error.code}`,
      );
      send(res, STATUS_OF[reason], error.code);
    }
    return true;
  };
  return Object.assign(handler, {
    withDoor: (door: CallbackDoor) => createCallbackReceiver({ ...options, ...door }),
  });
}

/** Longer than any value WeCom sends (a 40-digit hex signature, 10-digit timestamp and nonce). */
const MAX_PARAM_CHARS = 128;

function signed(url: URL): { signature: string; timestamp: string; nonce: string } {
  const signature = url.searchParams.get('msg_signature');
  const timestamp = url.searchParams.get('timestamp');
  const nonce = url.searchParams.get('nonce');
  if (!signature || !timestamp || !nonce)
    throw malformedCallback('msg_signature, timestamp or nonce is missing');
  if ([signature, timestamp, nonce].some((value) => value.length > MAX_PARAM_CHARS))
    throw malformedCallback('msg_signature, timestamp or nonce is too long');
  return { signature, timestamp, nonce };
}

/** Plain text with nothing added: WeCom compares the verification answer byte for byte. */
function send(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}
