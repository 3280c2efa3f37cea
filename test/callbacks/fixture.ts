import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type Keyv from 'keyv';
import { createLogger } from '../../src/base/logger.js';
import {
  type Callbacks,
  createCallbacks,
  createStateIndex,
  createWecomCrypto,
} from '../../src/callbacks/index.js';
import { withCallbacks } from '../../src/callbacks/mount.js';
import type { Notification } from '../../src/callbacks/notification.js';
import type { StoreLock } from '../../src/lock/lock.js';
import { createImageMedia, type ImageMedia, startWelcomeImageRefresh } from '../../src/media/index.js';
import type { Sandbox } from '../../src/sandbox/index.js';
import { type ContactWayService, createContactWayService } from '../../src/service/contact-way-service.js';
import { keepPresetCovers, type MiniprogramPresets } from '../../src/service/miniprograms.js';
import {
  createAuditLog,
  createRecordStore,
  createStoreLock,
  type Requester,
  scanKeys,
} from '../../src/store/index.js';
import { createCustomerClient } from '../../src/wecom/customers.js';
import { corpSecretTokenSource, createWecomClient } from '../../src/wecom/index.js';
import { createMediaClient } from '../../src/wecom/media.js';

/**
 * One bot "instance" for the callback tests: the real service, record store and callbacks on a real Keyv,
 * the real WeCom clients against the sandbox over HTTP, and the receiver on a real HTTP server. Only the
 * notifier is a recorder (the adapters' notifier port arrives with issue 11).
 */
export const TOKEN = 'QDG6eK3tokenForTests';
export const AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';

export const alice: Requester = {
  platform: 'slack',
  workspaceId: 'T1',
  userId: 'UALICE',
  displayName: 'alice',
};

export interface Instance {
  url: string;
  callbacks: Callbacks;
  service: ContactWayService;
  /** Images kept in the instance's store, uploaded to the sandbox (closing and welcome images). */
  images: ImageMedia;
  notified: { requester: Requester; notification: Notification }[];
  logs: string[];
  close(): Promise<void>;
}

export async function startInstance(
  sandbox: Sandbox,
  keyv: Keyv,
  options: {
    lock?: StoreLock;
    now?: () => number;
    retryEveryMs?: number;
    /** MINIPROGRAMS presets; their cover files are kept (and uploaded) as at startup. */
    miniprograms?: MiniprogramPresets;
  } = {},
): Promise<Instance> {
  const logs: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk, _enc, done) {
        logs.push(String(chunk));
        done();
      },
    }),
  });
  const tokens = corpSecretTokenSource({ corpId: sandbox.corpId, corpSecret: sandbox.corpSecret });
  const wecomOptions = { baseUrl: sandbox.url, tokens, cache: keyv, sleep: async () => {} };
  const records = createRecordStore(keyv);
  const states = createStateIndex(keyv);
  const media = createMediaClient(wecomOptions);
  const images = createImageMedia({ store: keyv, upload: (file) => media.uploadImage(file), logger });
  const service = createContactWayService({
    images,
    wecom: createWecomClient(wecomOptions),
    records,
    audit: createAuditLog(keyv),
    logger,
    stateIndex: states,
    ...(options.miniprograms ? { miniprograms: options.miniprograms } : {}),
  });
  if (options.miniprograms) {
    await keepPresetCovers(options.miniprograms, images);
    // As the app's housekeeping does at start: the refresh uploads the covers (keepPresetCovers only keeps them).
    const refresh = startWelcomeImageRefresh({ media: images, store: keyv, scanKeys, logger });
    void refresh.runOnce();
    await refresh.stop();
  }
  const notified: Instance['notified'] = [];
  const callbacks = createCallbacks({
    token: TOKEN,
    encodingAesKey: AES_KEY,
    corpId: sandbox.corpId,
    keyv,
    records,
    states,
    wecom: createCustomerClient(wecomOptions),
    images,
    lock: options.lock ?? createStoreLock(keyv),
    logger,
    // No real waits: 41096 and 84061 retries happen at once; the 20 s window is checked on `now`.
    sleep: async () => {},
    ...(options.now ? { now: options.now } : {}),
    ...(options.retryEveryMs ? { retryEveryMs: options.retryEveryMs } : {}),
    notify: async (requester, notification) => {
      notified.push({ requester, notification });
    },
  });
  const server: Server = createServer(
    withCallbacks(
      callbacks,
      (_req, res) => {
        res.writeHead(404).end('not found');
      },
      logger,
    ),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    callbacks,
    service,
    images,
    notified,
    logs,
    close: () =>
      new Promise<void>((resolve) => {
        callbacks.stopRetries();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Signs and encrypts like WeCom: the signed query and the `<xml><Encrypt>` body of one POST. */
export function wecomPost(
  xml: string,
  options: { receiveId: string; token?: string; timestamp?: string; nonce?: string },
) {
  const crypto = createWecomCrypto({
    token: options.token ?? TOKEN,
    encodingAesKey: AES_KEY,
    receiveId: options.receiveId,
  });
  const encrypted = crypto.encrypt(xml);
  const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000));
  // A fresh nonce per request, as WeCom does: the receiver refuses a nonce reused with another message.
  const nonce = options.nonce ?? String(randomBytes(4).readUInt32BE());
  const query = new URLSearchParams({
    msg_signature: crypto.sign(timestamp, nonce, encrypted),
    timestamp,
    nonce,
  });
  return {
    query: query.toString(),
    body: `<xml><ToUserName><![CDATA[${options.receiveId}]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt><AgentID><![CDATA[1000002]]></AgentID></xml>`,
  };
}

export async function post(url: string, signed: { query: string; body: string }) {
  const res = await fetch(`${url}/wecom/callback?${signed.query}`, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: signed.body,
  });
  return { status: res.status, text: await res.text() };
}
