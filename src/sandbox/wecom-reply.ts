import { randomBytes } from 'node:crypto';

/** errmsg texts in WeCom's own (English, lower-case) wording, before the hint/IP/URL tail. */
const ERRMSG: Record<number, string> = {
  [-1]: 'system busy',
  40001: 'invalid credential',
  40003: 'invalid userid',
  40013: 'invalid corpid',
  40014: 'invalid access_token',
  40058: 'invalid parameter',
  40096: 'invalid external userid',
  41001: 'access_token missing',
  41002: 'corpid missing',
  41004: 'corpsecret missing',
  41037: 'missing contact way type',
  41038: 'missing contact way scene',
  41039: 'invalid contact way type',
  41040: 'invalid contact way scene',
  41041: 'contact way used by too many people',
  41042: 'invalid contact way style',
  41043: 'missing config_id',
  41044: 'invalid config_id',
  41054: 'user not active',
  42001: 'access_token expired',
  45009: 'api freq out of limit',
  45033: 'api concurrent out of limit',
  48002: 'api forbidden',
  60011: 'no privilege to access/modify contact/party/agent',
  60111: 'userid not found',
  84061: 'not exist external_contact',
  84074: 'user has no external contact permission',
};

/** The body WeCom sends for a JSON that does not parse; clients key on this text. */
export const WRONG_JSON = 'Warning: wrong json format.';

/**
 * Thrown by handlers to answer a WeCom error; the server turns it into `{errcode, errmsg}`.
 * `detail` says which field or rule, the way WeCom's own messages sometimes do.
 */
export class Rejection extends Error {
  readonly errcode: number;
  readonly detail: string | undefined;

  constructor(errcode: number, detail?: string) {
    super(detail ? `${errcode}: ${detail}` : String(errcode));
    this.errcode = errcode;
    this.detail = detail;
  }
}

/** 40058 for a body that is not a JSON object, worded as WeCom words it. */
export function wrongJson(reason: string): Rejection {
  return new Rejection(40058, `${WRONG_JSON} ${reason}`);
}

let hintSeq = 0;

/**
 * A WeCom-looking errmsg: text, then the `hint: [...]`, `from ip:` and `more info at` noise our client must
 * strip, so the sandbox exercises that code path.
 */
export function errmsgFor(errcode: number, detail: string | undefined, ip: string, nowMs: number): string {
  if (errcode === 0) return 'ok';
  const text = ERRMSG[errcode] ?? 'unknown error';
  // WeCom leads with the warning itself for bad JSON, and with its generic text otherwise.
  const withDetail = detail?.startsWith(WRONG_JSON) ? detail : detail ? `${text}: ${detail}` : text;
  hintSeq = (hintSeq + 1) % 1000;
  const hint = `${Math.floor(nowMs / 1000)}_${hintSeq}_${randomBytes(3).toString('hex')}`;
  return `${withDetail}, hint: [${hint}], from ip: ${ip}, more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}`;
}
