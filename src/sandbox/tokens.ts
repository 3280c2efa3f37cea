import { createHash, randomBytes } from 'node:crypto';
import { Rejection } from './wecom-reply.js';

/** An issued token as kept, in memory and in the state file: its SHA-256, never the token itself. */
export interface IssuedToken {
  hash: string;
  expiresAtMs: number;
  /** Set by `revokeAll`: the errcode a call with this token gets from then on. */
  revokedWith?: 42001 | 40014;
}

const FORGET_AFTER_MS = 24 * 3600 * 1000;

/** SHA-256 hex: how the sandbox keeps what a caller could call with (tokens, tickets, permanent codes). */
export const hashOf = (token: string): string => createHash('sha256').update(token).digest('hex');

/**
 * access_token issuing and checking, on the injected clock. Only hashes are kept, so the state file that carries
 * them over a restart (the bot's cached token keeps working, as with WeCom) holds nothing a reader could call with.
 */
export class Tokens {
  private readonly issued = new Map<string, IssuedToken>();

  constructor(
    private readonly ttlS: number,
    private readonly now: () => number,
  ) {}

  /**
   * A fresh random token on every call; earlier ones stay valid until they expire. (The 2020 doc said a repeat
   * fetch returns the same token, the current one no longer says so; a client must cope with both.)
   */
  issue(): { access_token: string; expires_in: number } {
    const token = randomBytes(48).toString('base64url');
    const hash = hashOf(token);
    this.issued.set(hash, { hash, expiresAtMs: this.now() + this.ttlS * 1000 });
    return { access_token: token, expires_in: this.ttlS };
  }

  /** Throws the errcode WeCom sends for a missing (41001), unknown (40014) or expired (42001) token. */
  check(token: string | null): void {
    if (!token) throw new Rejection(41001);
    const found = this.issued.get(hashOf(token));
    if (!found) throw new Rejection(40014);
    if (found.revokedWith) throw new Rejection(found.revokedWith);
    if (this.now() >= found.expiresAtMs) throw new Rejection(42001);
  }

  /** Whether this token was issued here (expired or not): tells which corp a token reaches. */
  knows(token: string | null): boolean {
    return token !== null && this.issued.has(hashOf(token));
  }

  revokeAll(code: 42001 | 40014): void {
    for (const issued of this.issued.values()) issued.revokedWith = code;
  }

  /**
   * The tokens worth keeping: a day after expiry a token is dropped (it then answers 40014, not 42001; a client
   * refreshes on both), so the state file does not grow with every gettoken.
   */
  state(): IssuedToken[] {
    const keepAfter = this.now() - FORGET_AFTER_MS;
    return [...this.issued.values()].filter((t) => t.expiresAtMs > keepAfter).map((t) => ({ ...t }));
  }

  restore(tokens: readonly IssuedToken[]): void {
    for (const t of tokens) this.issued.set(t.hash, { ...t });
  }
}
