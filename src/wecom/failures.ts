import type { z } from 'zod';
import { RateLimitError, UpstreamError, ValidationError, WecomError } from '../base/errors.js';
import { t } from '../base/i18n.js';
import { redactText } from '../base/logger.js';
import { REDACTED, type Secrets } from '../base/secrets.js';
import { validate } from '../base/validate.js';
import { explainErrcode, RATE_LIMIT_RETRY_AFTER_MS } from './errcodes.js';

/**
 * Turns what went wrong on the wire into our error tree, with every credential scrubbed. Errors leave this
 * module safe to log, stringify and show: messages, causes and stacks carry no token and no secret.
 */

/**
 * Credentials to cut out of a text: the values sent with one request, and the process's registry of every
 * configured secret (an upstream may echo the corp secret or the callback key in any answer).
 */
export type SecretList = readonly (string | Secrets)[];

/** Scrubs `access_token=…`-style text and every known secret value from a string. */
export function scrub(text: string, secrets: SecretList = []): string {
  let out = redactText(text);
  for (const secret of secrets) {
    if (typeof secret !== 'string') out = secret.scrub(out);
    else if (secret) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/**
 * WeCom's errmsg without its support noise: `, hint: [...]`, `from ip: ...`, `more info at https://...`.
 * Success is decided by errcode, never by errmsg (§3), so this only makes the text readable.
 */
export function cleanErrmsg(errmsg: string): string {
  return errmsg
    .replace(/[,;]?\s*hint:\s*\[[^\]]*\]/gi, '')
    .replace(/[,;]?\s*from ip:\s*[0-9A-Fa-f.:]+/gi, '')
    .replace(/[,;]?\s*more info at\s+\S+/gi, '')
    .replace(/[\s,;]+$/, '')
    .trim();
}

/** The hint id in an errmsg (`hint: [1614...]`); WeCom support asks for it, so it goes to logs. */
export function hintOf(errmsg: string): string | undefined {
  return /hint:\s*\[([^\]]*)\]/i.exec(errmsg)?.[1];
}

/** The error for a non-zero errcode: RateLimitError for throttling, WecomError for everything else. */
export function errorFromErrcode(
  endpoint: string,
  errcode: number,
  rawErrmsg: string,
  secrets: SecretList = [],
): WecomError | RateLimitError {
  const explanation = explainErrcode(errcode);
  const retryAfterMs = RATE_LIMIT_RETRY_AFTER_MS.get(errcode);
  if (retryAfterMs !== undefined) {
    const seconds = Math.ceil(retryAfterMs / 1000);
    return new RateLimitError({
      errcode,
      retryAfterMs,
      human: t(
        `${explanation.en} (WeCom errcode ${errcode}; retry in ${seconds} s)`,
        `${explanation.zh}（企业微信错误码 ${errcode}；请 ${seconds} 秒后重试）`,
      ),
    });
  }
  return new WecomError({
    errcode,
    errmsg: scrub(cleanErrmsg(rawErrmsg), secrets),
    endpoint,
    human: t(
      `${explanation.en} (WeCom errcode ${errcode} on ${endpoint})`,
      `${explanation.zh}（企业微信错误码 ${errcode}，接口 ${endpoint}）`,
    ),
  });
}

// HTTP status of an UpstreamError built from a non-2xx answer; the retry policy reads it (5xx is retried).
const httpStatuses = new WeakMap<Error, number>();

/** The HTTP status behind an UpstreamError, when WeCom (or a proxy) answered with a non-2xx status. */
export function httpStatusOf(error: unknown): number | undefined {
  return error instanceof Error ? httpStatuses.get(error) : undefined;
}

/** Where we tried to go, without any credential: origin plus path, never the query string. */
export function describeTarget(baseUrl: string, path: string): string {
  try {
    const url = new URL(baseUrl);
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}${path}`;
  } catch {
    return path;
  }
}

/**
 * What a requester can do about a WeCom outage: wait, then tell the operator. The operator's part (which
 * URL, which network error, what came back) is in `detail`, which only logs see.
 */
const TRY_LATER = t(
  'Try again in a few minutes; if it keeps happening, tell whoever runs this bot (the details are in its logs).',
  '请过几分钟再试；如果一直如此，请告知本机器人的管理员（详情见其日志）。',
);
const TELL_OPERATOR = t(
  'Tell whoever runs this bot: its connection to WeCom needs fixing (the details are in its logs).',
  '请告知本机器人的管理员：它与企业微信的连接需要修复（详情见其日志）。',
);

export function timeoutError(target: string, timeoutMs: number): UpstreamError {
  return new UpstreamError(
    'wecom.timeout',
    t(
      `WeCom did not answer within ${timeoutMs} ms. ${TRY_LATER.en}`,
      `企业微信在 ${timeoutMs} 毫秒内未响应。${TRY_LATER.zh}`,
    ),
    {
      detail: `WeCom did not answer within ${timeoutMs} ms (${target}). Check the network from this server to WECOM_API_BASE, or raise WECOM_TIMEOUT_MS.`,
    },
  );
}

export function unreachableError(target: string, cause: unknown, secrets: SecretList): UpstreamError {
  const safeCause = redactError(cause, secrets);
  // undici says only "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND…) is the innermost cause.
  let innermost: Error = safeCause;
  while (innermost.cause instanceof Error) innermost = innermost.cause;
  const reason = innermost.message ? `: ${innermost.message}` : '';
  return new UpstreamError(
    'wecom.unreachable',
    t(`Could not reach WeCom. ${TRY_LATER.en}`, `无法连接企业微信。${TRY_LATER.zh}`),
    {
      cause: safeCause,
      detail: `Could not reach WeCom at ${target}${reason}. Check WECOM_API_BASE, DNS, proxy and firewall rules from this server; WeCom also requires this server's IP in the app's 企业可信IP (errcode 60020).`,
    },
  );
}

export function httpStatusError(target: string, status: number): UpstreamError {
  const failing = status >= 500;
  const error = new UpstreamError(
    failing ? 'wecom.unreachable' : 'wecom.bad_response',
    failing
      ? t(
          `WeCom answered HTTP ${status}: WeCom or a proxy in between is failing. ${TRY_LATER.en}`,
          `企业微信返回 HTTP ${status}：企业微信或中间代理出错。${TRY_LATER.zh}`,
        )
      : t(
          `WeCom answered HTTP ${status}. ${TELL_OPERATOR.en}`,
          `企业微信返回 HTTP ${status}。${TELL_OPERATOR.zh}`,
        ),
    {
      detail: `WeCom answered HTTP ${status} (${target}). ${failing ? 'WeCom or a proxy in between is failing; try again later.' : 'Check that WECOM_API_BASE points at WeCom (https://qyapi.weixin.qq.com) or a working proxy.'}`,
    },
  );
  httpStatuses.set(error, status);
  return error;
}

export function badResponseError(target: string, what: string, secrets: SecretList): UpstreamError {
  return new UpstreamError(
    'wecom.bad_response',
    t(
      `WeCom's answer was not in WeCom's format. ${TELL_OPERATOR.en}`,
      `企业微信返回的内容格式不对。${TELL_OPERATOR.zh}`,
    ),
    {
      detail: `WeCom's answer from ${target} is not in WeCom's format (${scrub(what, secrets)}). Check that WECOM_API_BASE points at WeCom (https://qyapi.weixin.qq.com) and not at a login page or proxy error page.`,
    },
  );
}

/**
 * A copy of a thrown value that is safe to keep as a cause: undici's errors can carry the request URL
 * (with `access_token=`) in their message, stack or nested cause, so every text is scrubbed and only
 * plain fields (`code`, `errno`, `syscall`) are kept.
 */
export function redactError(value: unknown, secrets: SecretList, depth = 0): Error {
  if (!(value instanceof Error)) return new Error(scrub(String(value), secrets));
  const copy = new Error(scrub(value.message, secrets));
  copy.name = value.name;
  copy.stack = scrub(value.stack ?? '', secrets);
  const source = value as Error & { code?: unknown; errno?: unknown; syscall?: unknown };
  const target = copy as Error & { code?: unknown; errno?: unknown; syscall?: unknown };
  if (typeof source.code === 'string' || typeof source.code === 'number') target.code = source.code;
  if (typeof source.errno === 'number') target.errno = source.errno;
  if (typeof source.syscall === 'string') target.syscall = source.syscall;
  if (value.cause !== undefined && depth < 4) copy.cause = redactError(value.cause, secrets, depth + 1);
  return copy;
}

/**
 * Checks a WeCom answer against an endpoint's response schema. A mismatch means the far end is not speaking
 * WeCom's format, so it is an UpstreamError (bad_response), not the caller's ValidationError.
 */
export function parseResponse<S extends z.ZodType>(schema: S, body: unknown, endpoint: string): z.output<S> {
  try {
    return validate(schema, body);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw badResponseError(endpoint, error.issues.map((i) => `${i.field} ${i.message.en}`).join('; '), []);
  }
}
