import { randomBytes } from 'node:crypto';
import type { SandboxSuite } from './provider-types.js';
import type { ProviderState } from './state-file.js';
import { hashOf } from './tokens.js';
import { Rejection } from './wecom-reply.js';

/** "suite_ticket实际有效期为30分钟" (D-97162). */
export const TICKET_TTL_MS = 30 * 60_000;
/** get_pre_auth_code's expires_in (D-90601). */
export const PRE_AUTH_TTL_S = 1200;

interface Issued {
  hash: string;
  expiresAtMs: number;
  revokedWith?: 42009 | 40082;
}

interface PreAuth {
  expiresAtMs: number;
  authType: number;
}

/**
 * The suite's credentials on the injected clock: suite_tickets (each valid 30 minutes, any of them accepted),
 * the suite_access_token (the same one for its lifetime whatever ticket is shown, as WeCom staff describe it),
 * pre-auth codes with their session info, and the provider token. Tickets and suite tokens are kept as SHA-256
 * (and so in the state file); only the current suite token is held in clear, in memory, to hand out again.
 */
export class SuiteCredentials {
  /** hash → when it was pushed. */
  private readonly tickets = new Map<string, number>();
  private lastTimestamp = 0;
  private readonly suiteTokens = new Map<string, Issued>();
  private current: { token: string; issued: Issued } | undefined;
  private readonly preAuth = new Map<string, PreAuth>();
  private providerToken: { token: string; expiresAtMs: number } | undefined;

  constructor(
    private readonly suite: SandboxSuite,
    private readonly now: () => number,
    private readonly ttlS: number,
  ) {}

  /** A fresh ticket. TimeStamps only grow (one second apart at least) unless a test asks for an old one. */
  newTicket(timestamp?: number): { ticket: string; timestamp: number } {
    const now = this.now();
    for (const [t, at] of this.tickets) if (now - at >= TICKET_TTL_MS) this.tickets.delete(t);
    const ticket = randomBytes(24).toString('base64url');
    this.tickets.set(hashOf(ticket), now);
    const ts = timestamp ?? Math.max(Math.floor(now / 1000), this.lastTimestamp + 1);
    this.lastTimestamp = Math.max(this.lastTimestamp, ts);
    return { ticket, timestamp: ts };
  }

  /** service/get_suite_token. Answers without errcode, as WeCom does on success. */
  suiteToken(body: Record<string, unknown>): { suite_access_token: string; expires_in: number } {
    const { suite_id, suite_secret, suite_ticket } = body;
    if (typeof suite_id !== 'string' || suite_id === '') throw new Rejection(41021);
    if (suite_id !== this.suite.suiteId) throw new Rejection(40083);
    if (typeof suite_secret !== 'string' || suite_secret === '') throw new Rejection(41024);
    if (suite_secret !== this.suite.suiteSecret) throw new Rejection(40080);
    if (typeof suite_ticket !== 'string' || suite_ticket === '') throw new Rejection(41023);
    const at = this.tickets.get(hashOf(suite_ticket));
    if (at === undefined || this.now() - at >= TICKET_TTL_MS) throw new Rejection(40085);
    const now = this.now();
    const live = this.current;
    if (live && !live.issued.revokedWith && now < live.issued.expiresAtMs)
      return {
        suite_access_token: live.token,
        expires_in: Math.ceil((live.issued.expiresAtMs - now) / 1000),
      };
    const token = randomBytes(48).toString('base64url');
    const issued: Issued = { hash: hashOf(token), expiresAtMs: now + this.ttlS * 1000 };
    this.suiteTokens.set(issued.hash, issued);
    this.current = { token, issued };
    return { suite_access_token: token, expires_in: this.ttlS };
  }

  /** Missing 41022, unknown 40082, expired 42009 (or what expireSuiteTokens chose). */
  checkSuiteToken(token: string | null): void {
    if (!token) throw new Rejection(41022);
    const found = this.suiteTokens.get(hashOf(token));
    if (!found) throw new Rejection(40082);
    if (found.revokedWith) throw new Rejection(found.revokedWith);
    if (this.now() >= found.expiresAtMs) throw new Rejection(42009);
  }

  expireSuiteTokens(code: 42009 | 40082): void {
    for (const issued of this.suiteTokens.values()) issued.revokedWith = code;
  }

  preAuthCode(): { pre_auth_code: string; expires_in: number } {
    const code = randomBytes(24).toString('base64url');
    this.preAuth.set(code, { expiresAtMs: this.now() + PRE_AUTH_TTL_S * 1000, authType: 0 });
    return { pre_auth_code: code, expires_in: PRE_AUTH_TTL_S };
  }

  /** service/set_session_info: auth_type 0 (正式) or 1 (测试); any appid → 40086 (the suite is single-app). */
  sessionInfo(body: Record<string, unknown>): void {
    const pre = this.checkPreAuth(body.pre_auth_code);
    const info = body.session_info;
    if (typeof info !== 'object' || info === null) throw new Rejection(40058, 'session_info missing');
    const { appid, auth_type } = info as Record<string, unknown>;
    if (appid !== undefined && (!Array.isArray(appid) || appid.length > 0))
      throw new Rejection(40086, 'appid applies only to multi-app suites');
    if (auth_type !== undefined && auth_type !== 0 && auth_type !== 1)
      throw new Rejection(40058, 'auth_type must be 0 or 1');
    pre.authType = (auth_type as number | undefined) ?? pre.authType;
  }

  /** A pre_auth_code still usable: unknown 40077, expired 42007. */
  checkPreAuth(code: unknown): PreAuth {
    if (typeof code !== 'string' || code === '') throw new Rejection(40077, 'pre_auth_code missing');
    const found = this.preAuth.get(code);
    if (!found) throw new Rejection(40077);
    if (this.now() >= found.expiresAtMs) throw new Rejection(42007);
    return found;
  }

  /** service/get_provider_token: the same token while it lives (D-96237); no errcode on success. */
  providerAccessToken(
    body: Record<string, unknown>,
    providerCorpId: string,
    providerSecret: string,
  ): { provider_access_token: string; expires_in: number } {
    if (typeof body.corpid !== 'string' || body.corpid === '') throw new Rejection(41002);
    if (body.corpid !== providerCorpId) throw new Rejection(40013);
    if (typeof body.provider_secret !== 'string' || body.provider_secret === '') throw new Rejection(41004);
    if (body.provider_secret !== providerSecret) throw new Rejection(40001);
    const now = this.now();
    if (!this.providerToken || now >= this.providerToken.expiresAtMs)
      this.providerToken = {
        token: randomBytes(48).toString('base64url'),
        expiresAtMs: now + this.ttlS * 1000,
      };
    return {
      provider_access_token: this.providerToken.token,
      expires_in: Math.ceil((this.providerToken.expiresAtMs - now) / 1000),
    };
  }

  /** A provider_access_token still valid: unknown 40014, expired 42001 (one token lives at a time). */
  checkProviderToken(token: string | null): void {
    if (!token || !this.providerToken || token !== this.providerToken.token) throw new Rejection(40014);
    if (this.now() >= this.providerToken.expiresAtMs) throw new Rejection(42001);
  }

  /** What outlives a restart: live tickets and suite tokens (a day past expiry at most), as hashes. */
  state(): Pick<ProviderState, 'lastTimestamp' | 'tickets' | 'suiteTokens'> {
    const now = this.now();
    return {
      lastTimestamp: this.lastTimestamp,
      tickets: [...this.tickets]
        .filter(([, at]) => now - at < TICKET_TTL_MS)
        .map(([hash, issuedAtMs]) => ({ hash, issuedAtMs })),
      suiteTokens: [...this.suiteTokens.values()]
        .filter((t) => t.expiresAtMs > now - 24 * 3600_000)
        .map((t) => ({ ...t })),
    };
  }

  restore(state: Pick<ProviderState, 'lastTimestamp' | 'tickets' | 'suiteTokens'>): void {
    this.lastTimestamp = state.lastTimestamp;
    for (const t of state.tickets) this.tickets.set(t.hash, t.issuedAtMs);
    for (const t of state.suiteTokens) this.suiteTokens.set(t.hash, { ...t });
  }
}
