import { randomBytes } from 'node:crypto';
import { Rejection } from './wecom-reply.js';

interface Issued {
  expiresAtMs: number;
  /** Set by `revokeAll`: the errcode a call with this token gets from then on. */
  revokedWith?: 42001 | 40014;
}

/** access_token issuing and checking, on the injected clock. */
export class Tokens {
  private readonly issued = new Map<string, Issued>();

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
    this.issued.set(token, { expiresAtMs: this.now() + this.ttlS * 1000 });
    return { access_token: token, expires_in: this.ttlS };
  }

  /** Throws the errcode WeCom sends for a missing (41001), unknown (40014) or expired (42001) token. */
  check(token: string | null): void {
    if (!token) throw new Rejection(41001);
    const found = this.issued.get(token);
    if (!found) throw new Rejection(40014);
    if (found.revokedWith) throw new Rejection(found.revokedWith);
    if (this.now() >= found.expiresAtMs) throw new Rejection(42001);
  }

  revokeAll(code: 42001 | 40014): void {
    for (const issued of this.issued.values()) issued.revokedWith = code;
  }
}
