import { randomUUID } from 'node:crypto';
import type Keyv from 'keyv';
import { ContactwayError, WecomError } from '../base/errors.js';
import type { WecomClient } from '../wecom/index.js';

/** One dependency's state. `error` is a code (`errcode 40001`, `timeout`), never a message or a secret. */
export interface CheckResult {
  ok: boolean;
  ms: number;
  error?: string;
}

/** What `GET /readyz` answers: 200 when `status` is `ready`, else 503. */
export interface ReadinessReport {
  status: 'ready' | 'not_ready' | 'draining';
  checks: { store: CheckResult; wecom: CheckResult };
}

export interface ReadinessOptions {
  keyv: Keyv;
  wecom: Pick<WecomClient, 'accessToken'>;
  /** True once shutdown began: the load balancer should send new requests elsewhere. */
  draining: () => boolean;
  /** A result is reused this long, so frequent probes from several balancers do not hammer the store. */
  cacheMs?: number;
  /** Longest wait for one check. */
  timeoutMs?: number;
  now?: () => number;
}

export interface Readiness {
  check(): Promise<ReadinessReport>;
}

export const READINESS_CACHE_MS = 5_000;
export const READINESS_TIMEOUT_MS = 3_000;

/**
 * Ready means: the store keeps what is written (a probe key set and read back, with a TTL, one per
 * instance so instances sharing a Redis do not disturb each other) and a WeCom access token can be had
 * (usually the cached one; a refresh when it expired). Both run at once; concurrent probes share one run.
 */
export function createReadiness(options: ReadinessOptions): Readiness {
  const now = options.now ?? Date.now;
  const cacheMs = options.cacheMs ?? READINESS_CACHE_MS;
  const timeoutMs = options.timeoutMs ?? READINESS_TIMEOUT_MS;
  const probeKey = `ops:readyz:${randomUUID()}`;
  let cached: { at: number; checks: ReadinessReport['checks'] } | undefined;
  let running: Promise<ReadinessReport['checks']> | undefined;

  const probeStore = async () => {
    const stamp = String(now());
    const written = await options.keyv.set(probeKey, stamp, 60_000);
    // keyv reports backend errors as events and answers false / undefined instead of throwing.
    if (!written || (await options.keyv.get(probeKey)) !== stamp) throw new Error('probe not kept');
  };
  const run = async () => {
    const [store, wecom] = await Promise.all([
      timed(probeStore, timeoutMs, now),
      timed(() => options.wecom.accessToken(), timeoutMs, now),
    ]);
    cached = { at: now(), checks: { store, wecom } };
    return cached.checks;
  };

  return {
    async check() {
      let checks: ReadinessReport['checks'];
      if (cached && now() - cached.at < cacheMs) checks = cached.checks;
      else {
        running ??= run().finally(() => {
          running = undefined;
        });
        checks = await running;
      }
      if (options.draining()) return { status: 'draining', checks };
      return { status: checks.store.ok && checks.wecom.ok ? 'ready' : 'not_ready', checks };
    },
  };
}

async function timed(work: () => Promise<unknown>, timeoutMs: number, now: () => number) {
  const started = now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError()), timeoutMs);
  });
  try {
    await Promise.race([work(), timeout]);
    return { ok: true, ms: now() - started };
  } catch (error) {
    return { ok: false, ms: now() - started, error: reasonOf(error) };
  } finally {
    clearTimeout(timer);
  }
}

class TimeoutError extends Error {}

/** A short, fixed vocabulary: error messages may quote URLs or backend details, so none is passed on. */
function reasonOf(error: unknown): string {
  if (error instanceof TimeoutError) return 'timeout';
  if (error instanceof WecomError) return `errcode ${error.errcode}`;
  if (error instanceof ContactwayError) return error.code;
  return 'unavailable';
}
