import { randomBytes } from 'node:crypto';
import type { AddContactWayRequest } from '../wecom/schemas.js';

/** What the sandbox keeps per contact way: the request as written (media_id and all) plus its life events. */
export interface StoredWay {
  configId: string;
  /** Insertion order, the tie-breaker for list paging when two ways share a creation second. */
  seq: number;
  createdAtMs: number;
  request: AddContactWayRequest;
  /** Temp ways only: when the QR stops working. */
  expiresAtMs?: number;
  /** Temp ways only: when a customer added the member through it, which uses the QR up. */
  usedAtMs?: number;
  /** Temp ways only: the external_userid of that customer, for the "already used by" refusal. */
  usedBy?: string;
}

/** An open temporary session between a member and a customer, as close_temp_chat needs it. */
export interface TempSession {
  configId: string;
  userid: string;
  externalUserId: string;
  expiresAtMs: number;
  closed: boolean;
}

/** What a WayStore holds, as the state file keeps it. */
export interface WayStoreState {
  seq: number;
  ways: StoredWay[];
  sessions: TempSession[];
}

/** Contact ways and temp sessions, in memory; `state()`/`restore()` let the state file carry them over restarts. */
export class WayStore {
  private readonly ways = new Map<string, StoredWay>();
  private readonly sessions: TempSession[] = [];
  private seq = 0;

  state(): WayStoreState {
    return structuredClone({ seq: this.seq, ways: this.all(), sessions: this.sessions });
  }

  restore(state: WayStoreState): void {
    this.seq = state.seq;
    for (const way of state.ways) this.ways.set(way.configId, structuredClone(way));
    this.sessions.push(...structuredClone(state.sessions));
  }

  add(request: AddContactWayRequest, nowMs: number, expiresAtMs?: number): StoredWay {
    const way: StoredWay = {
      // Official samples are 32 hex characters.
      configId: randomBytes(16).toString('hex'),
      seq: ++this.seq,
      createdAtMs: nowMs,
      request,
      ...(expiresAtMs !== undefined ? { expiresAtMs } : {}),
    };
    this.ways.set(way.configId, way);
    return way;
  }

  get(configId: string): StoredWay | undefined {
    return this.ways.get(configId);
  }

  delete(configId: string): boolean {
    return this.ways.delete(configId);
  }

  /** Every way in creation order. */
  all(): StoredWay[] {
    return [...this.ways.values()].sort((a, b) => a.createdAtMs - b.createdAtMs || a.seq - b.seq);
  }

  openSession(session: TempSession): void {
    this.sessions.push(session);
  }

  /** The still-open, unexpired session between this member and customer, if any. */
  liveSession(userid: string, externalUserId: string, nowMs: number): TempSession | undefined {
    return this.sessions.find(
      (s) => !s.closed && s.userid === userid && s.externalUserId === externalUserId && nowMs < s.expiresAtMs,
    );
  }
}
