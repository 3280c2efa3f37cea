import { ProviderError, WecomError } from '../base/errors.js';
import { t } from '../base/i18n.js';
import { createWecomCaller, type WecomCaller, type WecomClientOptions } from './caller.js';
import { SUITE_TOKEN_ERRCODES } from './errcodes.js';
import { parseResponse } from './failures.js';
import { suiteTokenResponseSchema, tokenEnvelope } from './schemas.js';
import { secretFingerprint, type TokenSource } from './token-source.js';

/** The newest suite_ticket the fleet holds (doc §1.2): pushed by WeCom about every 10 minutes, valid 30. */
export interface SuiteTicket {
  ticket: string;
  /** WeCom's TimeStamp of the push (Unix seconds): the newest wins. */
  timestamp: number;
  /** WeCom answered 40085 to it: sending it again cannot work, wait for the next push. */
  refused: boolean;
}

/** Where the suite token source reads the ticket: the shared store (src/provider), or a test's fake. */
export interface SuiteTicketSource {
  newest(): Promise<SuiteTicket | undefined>;
  /** Marks `ticket` refused by WeCom (40085), for every instance, unless a newer one replaced it meanwhile. */
  refuse(ticket: SuiteTicket): Promise<void>;
}

/**
 * The one message for "no usable ticket": at a cold start (nothing pushed yet) and after WeCom refused the
 * newest one. No call is retried: the next push heals it.
 */
export function waitingForTicket(cause?: unknown): ProviderError {
  return new ProviderError(
    'provider.waiting_for_ticket',
    t(
      'Waiting for WeCom’s suite_ticket: WeCom pushes one to /wecom/suite about every 10 minutes (or press 刷新ticket in the provider console). Try again after it arrives.',
      '正在等待企业微信推送 suite_ticket：企业微信约每 10 分钟向 /wecom/suite 推送一次（也可在服务商管理后台点击「刷新ticket」）。收到后请重试。',
    ),
    cause === undefined ? undefined : { cause },
  );
}

const part = encodeURIComponent;

/**
 * suite_access_token (`POST /cgi-bin/service/get_suite_token`, doc §1.3) from the newest stored ticket. The
 * cache key is the suite and a fingerprint of its secret, never the ticket: every push carries a new ticket
 * while the token stays valid for its 2 hours (PowerWeChat's per-ticket key refetched every 10 minutes).
 */
export function suiteTokenSource(args: {
  suiteId: string;
  suiteSecret: string;
  tickets: SuiteTicketSource;
}): TokenSource {
  const { suiteId, suiteSecret, tickets } = args;
  return {
    cacheKey: `wecom:token:suite:${part(suiteId)}:${secretFingerprint(suiteSecret)}`,
    async fetchToken(http) {
      const ticket = await tickets.newest();
      // No ticket, or the one WeCom refused: a call could only fail again (WxJava's synthetic 40085).
      if (!ticket || ticket.refused) throw waitingForTicket();
      let body: Awaited<ReturnType<typeof http.call>>;
      try {
        body = await http.call({
          endpoint: 'get_suite_token',
          method: 'POST',
          path: '/cgi-bin/service/get_suite_token',
          body: { suite_id: suiteId, suite_secret: suiteSecret, suite_ticket: ticket.ticket },
          secrets: [suiteSecret, ticket.ticket],
          envelope: tokenEnvelope('suite_access_token'),
        });
      } catch (error) {
        if (error instanceof WecomError && error.errcode === 40085) {
          await tickets.refuse(ticket);
          throw waitingForTicket(error);
        }
        throw error;
      }
      const parsed = parseResponse(suiteTokenResponseSchema, body, 'get_suite_token');
      return { accessToken: parsed.suite_access_token, expiresInS: parsed.expires_in };
    },
  };
}

/** Provider endpoints that may be repeated after an HTTP 5xx (get_permanent_code may not: its code is single use). */
const SAFE_TO_REPEAT: ReadonlySet<string> = new Set([
  'get_suite_token',
  'get_corp_token',
  'get_auth_info',
  'get_pre_auth_code',
]);

/**
 * Calls with the suite_access_token: single-flight per process, one fetch per lifetime for the fleet (the
 * shared cache and the store lock, as for the corp token), and a token WeCom refuses (42009/40082) is fetched
 * again from the newest ticket and the call retried exactly once.
 */
export function createSuiteCaller(
  options: Omit<WecomClientOptions, 'tokens'> & {
    suiteId: string;
    suiteSecret: string;
    tickets: SuiteTicketSource;
  },
): WecomCaller {
  const { suiteId, suiteSecret, tickets, ...rest } = options;
  return createWecomCaller(
    { ...rest, tokens: suiteTokenSource({ suiteId, suiteSecret, tickets }) },
    {
      component: 'wecom-suite',
      safeToRepeat: (endpoint) => SAFE_TO_REPEAT.has(endpoint),
      tokenErrcodes: SUITE_TOKEN_ERRCODES,
    },
  );
}
