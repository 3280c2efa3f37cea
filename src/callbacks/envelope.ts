import { malformedCallback } from '../base/errors.js';

const OPEN = '<Encrypt>';
const CLOSE = '</Encrypt>';
const CDATA_OPEN = '<![CDATA[';
const CDATA_CLOSE = ']]>';
/** Base64 as WeCom writes it: one character class then padding, so the match is linear (no backtracking). */
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The `Encrypt` value of a POST body (`<xml><ToUserName/><Encrypt><![CDATA[…]]></Encrypt><AgentID/></xml>`),
 * found with a few `indexOf` calls: no XML parser runs before the signature is checked, so an unsigned body
 * costs one linear scan whatever it contains. The signature covers only Encrypt (with timestamp and nonce);
 * the rest of the envelope is unsigned and never read. Throws CallbackError `callback.malformed`.
 */
export function encryptOf(body: string): string {
  const trimmed = body.trim();
  if (!trimmed.startsWith('<xml>') || !trimmed.endsWith('</xml>'))
    throw malformedCallback('the body is not <xml>…</xml>');
  const open = trimmed.indexOf(OPEN);
  if (open < 0) throw malformedCallback('the body has no <xml><Encrypt>');
  const start = open + OPEN.length;
  const end = trimmed.indexOf(CLOSE, start);
  // Two Encrypt elements: which one an XML parser would pick is a guess; WeCom sends one.
  if (end < 0 || trimmed.indexOf(OPEN, end) >= 0) throw malformedCallback('the body has no single <Encrypt>');
  let value = trimmed.slice(start, end).trim();
  if (value.startsWith(CDATA_OPEN) && value.endsWith(CDATA_CLOSE))
    value = value.slice(CDATA_OPEN.length, -CDATA_CLOSE.length).trim();
  if (!BASE64.test(value)) throw malformedCallback('Encrypt is not base64');
  return value;
}
