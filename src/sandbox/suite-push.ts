import { randomBytes } from 'node:crypto';
import { createWecomCrypto } from '../callbacks/crypto.js';
import type { Delivery } from './provider-types.js';

const cdata = (s: string) => `<![CDATA[${s.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;

/**
 * A command-URL message in WeCom's InfoType format (D-90628, D-90642, D-92277): `SuiteId`, `InfoType`,
 * `TimeStamp`, then the fields of that InfoType in the given order. Numbers go bare, text in CDATA.
 */
export function infoTypeXml(
  suiteId: string,
  infoType: string,
  timestamp: number,
  fields: [name: string, value: string | number | undefined][] = [],
): string {
  const tags = fields
    .filter(([, v]) => v !== undefined)
    .map(([name, v]) => `<${name}>${typeof v === 'number' ? v : cdata(v as string)}</${name}>`);
  return [
    '<xml>',
    `<SuiteId>${cdata(suiteId)}</SuiteId>`,
    `<InfoType>${cdata(infoType)}</InfoType>`,
    `<TimeStamp>${timestamp}</TimeStamp>`,
    ...tags,
    '</xml>',
  ].join('');
}

/** Where and how a push is encrypted: the URL, its Token and EncodingAESKey, and the ReceiveId it decrypts to. */
export interface PushTarget {
  url: string;
  token: string;
  encodingAesKey: string;
  /** suite_id on the command URL; the corp id (as the app sees it) on an app's own callback URL. */
  receiveId: string;
  /** The envelope's ToUserName: the SuiteId on the command URL, the corp id otherwise. */
  toUserName: string;
}

/**
 * POSTs `message` exactly as WeCom does (to the command URL, or a self-built or 代开发 app's own URL): AES-CBC for the ReceiveId, msg_signature over token, timestamp, nonce
 * and Encrypt, `<xml><ToUserName/><Encrypt/><AgentID/></xml>`. Answers what the receiver said.
 */
export async function pushEncrypted(
  target: PushTarget,
  message: string,
  agentId = '',
): Promise<NonNullable<Delivery>> {
  const crypto = createWecomCrypto({
    token: target.token,
    encodingAesKey: target.encodingAesKey,
    receiveId: target.receiveId,
  });
  const encrypted = crypto.encrypt(message);
  // The wall clock: the receiver refuses a timestamp 5 minutes from its own, and tests move the sandbox's clock.
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String(randomBytes(4).readUInt32BE());
  const url = new URL(target.url);
  url.searchParams.set('msg_signature', crypto.sign(timestamp, nonce, encrypted));
  url.searchParams.set('timestamp', timestamp);
  url.searchParams.set('nonce', nonce);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'text/xml' },
    body: `<xml><ToUserName>${cdata(target.toUserName)}</ToUserName><Encrypt>${cdata(encrypted)}</Encrypt><AgentID>${cdata(agentId)}</AgentID></xml>`,
    signal: AbortSignal.timeout(5_000),
  });
  return { status: response.status, body: await response.text() };
}

/**
 * The GET WeCom makes when a callback URL is saved in the console: `echostr` encrypted for `receiveId` (the
 * provider's own corp id, for both provider URLs, per WeCom staff), signed; the URL must answer the plaintext.
 */
export async function verifyUrl(
  target: Omit<PushTarget, 'toUserName'>,
): Promise<{ ok: boolean; status: number; body: string }> {
  const crypto = createWecomCrypto({
    token: target.token,
    encodingAesKey: target.encodingAesKey,
    receiveId: target.receiveId,
  });
  const echo = String(randomBytes(8).readBigUInt64BE());
  const encrypted = crypto.encrypt(echo);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = String(randomBytes(4).readUInt32BE());
  const url = new URL(target.url);
  url.searchParams.set('msg_signature', crypto.sign(timestamp, nonce, encrypted));
  url.searchParams.set('timestamp', timestamp);
  url.searchParams.set('nonce', nonce);
  url.searchParams.set('echostr', encrypted);
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  const body = await response.text();
  return { ok: response.status === 200 && body === echo, status: response.status, body };
}
