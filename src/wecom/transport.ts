import type { z } from 'zod';
import { ValidationError } from '../base/errors.js';
import type { Logger } from '../base/logger.js';
import type { Secrets } from '../base/secrets.js';
import { validate } from '../base/validate.js';
import {
  badResponseError,
  cleanErrmsg,
  describeTarget,
  errorFromErrcode,
  hintOf,
  httpStatusError,
  scrub,
  timeoutError,
  unreachableError,
} from './failures.js';
import { type BaseResponse, baseResponseSchema } from './schemas.js';

/** One HTTP exchange with WeCom, described without building a URL by hand. */
export interface WireRequest {
  /** Name for logs and metrics: `gettoken`, `add_contact_way`… */
  endpoint: string;
  method: 'GET' | 'POST';
  /** Path under the base URL, e.g. `/cgi-bin/gettoken`. */
  path: string;
  /** Query parameters. Credentials (`access_token`, `corpsecret`) go here, never in the body. */
  query?: Record<string, string>;
  /** JSON body; keys whose value is `undefined` are not serialized. */
  body?: unknown;
  /** A body sent as given instead of JSON (media/upload's multipart form); wins over `body`. */
  raw?: { contentType: string; bytes: Uint8Array };
  /** Credential values sent with this request: scrubbed from every error, cause and log line. */
  secrets?: readonly string[];
  /** WeCom's envelope for this endpoint; default `baseResponseSchema` (errcode required). */
  envelope?: z.ZodType<BaseResponse>;
}

/** A WeCom answer whose errcode is 0; other fields are the endpoint's own. */
export type WecomBody = BaseResponse & Record<string, unknown>;

/** How one attempt ended, for the metrics hook: an errcode, or the transport failure that replaced it. */
export type CallOutcome = number | 'http' | 'timeout' | 'network';

export interface TransportOptions {
  baseUrl: string;
  timeoutMs: number;
  fetch: typeof fetch;
  now: () => number;
  logger: Logger;
  /** Every configured secret: scrubbed from errors too, not only the request's own credentials. */
  secrets?: Secrets;
  onCall?: (info: { endpoint: string; errcode: CallOutcome; ms: number }) => void;
}

/** Sends one request; resolves with the body when errcode is 0, otherwise throws from our error tree. */
export interface Transport {
  send(request: WireRequest): Promise<WecomBody>;
}

/**
 * fetch with a timeout, JSON parsing, WeCom's errcode envelope and credential redaction, in one place.
 * It never retries: retry policy lives in retry.ts and the client, which know whether a call is idempotent.
 */
export function createTransport(options: TransportOptions): Transport {
  const base = options.baseUrl.replace(/\/+$/, '');
  const { logger, now } = options;

  return {
    async send(request) {
      const secrets = [...(request.secrets ?? []), ...(options.secrets ? [options.secrets] : [])];
      const target = describeTarget(base, request.path);
      const started = now();
      const report = (errcode: CallOutcome) =>
        options.onCall?.({ endpoint: request.endpoint, errcode, ms: now() - started });

      const url = new URL(`${base}${request.path}`);
      for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, value);

      // One signal covers connecting, waiting for headers and reading the body: a server that sends
      // headers and then stalls must time out too.
      const signal = AbortSignal.timeout(options.timeoutMs);
      let status: number;
      let text: string;
      try {
        const response = await options.fetch(url, {
          method: request.method,
          signal,
          ...(request.raw !== undefined
            ? { headers: { 'content-type': request.raw.contentType }, body: request.raw.bytes }
            : request.body === undefined
              ? {}
              : {
                  headers: { 'content-type': 'application/json' },
                  // JSON.stringify drops keys whose value is undefined, so unset fields are never sent
                  // (the Go SDKs' `skip_verify:false` mistake, reference §5).
                  body: JSON.stringify(request.body),
                }),
        });
        status = response.status;
        text = await response.text();
      } catch (error) {
        if (signal.aborted) {
          report('timeout');
          const failure = timeoutError(target, options.timeoutMs);
          logger.warn(
            { endpoint: request.endpoint, code: failure.code, ms: now() - started, detail: failure.detail },
            'wecom call timed out',
          );
          throw failure;
        }
        report('network');
        const failure = unreachableError(target, error, secrets);
        logger.warn({ endpoint: request.endpoint, err: failure }, 'wecom unreachable');
        throw failure;
      }

      if (status < 200 || status > 299) {
        report('http');
        const failure = httpStatusError(target, status);
        logger.warn(
          { endpoint: request.endpoint, status, ms: now() - started, detail: failure.detail },
          'wecom http error',
        );
        throw failure;
      }

      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        report('http');
        const preview = text.slice(0, 60).replace(/\s+/g, ' ');
        const failure = badResponseError(target, `not JSON: "${preview}"`, secrets);
        logger.warn(
          { endpoint: request.endpoint, ms: now() - started, detail: failure.detail },
          'wecom answered non-JSON',
        );
        throw failure;
      }

      let body: WecomBody;
      try {
        body = validate(request.envelope ?? baseResponseSchema, json) as WecomBody;
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        report('http');
        const failure = badResponseError(
          target,
          error.issues.map((i) => `${i.field} ${i.message.en}`).join('; '),
          secrets,
        );
        logger.warn(
          { endpoint: request.endpoint, ms: now() - started, detail: failure.detail },
          'wecom answered outside its format',
        );
        throw failure;
      }

      report(body.errcode);
      if (body.errcode === 0) {
        logger.debug({ endpoint: request.endpoint, ms: now() - started }, 'wecom call ok');
        return body;
      }
      logger.warn(
        {
          endpoint: request.endpoint,
          errcode: body.errcode,
          errmsg: scrub(cleanErrmsg(body.errmsg), secrets),
          hint: hintOf(body.errmsg),
          ms: now() - started,
        },
        'wecom call failed',
      );
      throw errorFromErrcode(request.endpoint, body.errcode, body.errmsg, secrets);
    },
  };
}
