import { StoreError } from '../base/errors.js';
import { t } from '../base/i18n.js';

/** Another holder kept the lock longer than we may wait. The code stays `store`; the text says what happened. */
export class LockTimeoutError extends StoreError {
  readonly lockKey: string;
  readonly waitedMs: number;

  constructor(lockKey: string, waitedMs: number) {
    const seconds = Math.ceil(waitedMs / 1000);
    super(
      t(
        `Another instance is still working on this (lock held for more than ${seconds} s). Please try again shortly.`,
        `另一个实例仍在处理此操作（锁已被占用超过 ${seconds} 秒），请稍后重试。`,
      ),
    );
    this.lockKey = lockKey;
    this.waitedMs = waitedMs;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), lockKey: this.lockKey, waitedMs: this.waitedMs };
  }
}

/** How a contender waits for a lock another instance holds (see StoreLockOptions). */
export interface LockWait {
  maxWaitMs: number;
  pollMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

/**
 * Tries `take` until it answers true, sleeping a jittered `pollMs` between tries; after `maxWaitMs` since
 * `startedAt` throws {@link LockTimeoutError}. Used by every cross-instance lock, so they time out alike.
 */
export async function waitForLock(
  key: string,
  take: () => Promise<boolean>,
  startedAt: number,
  wait: LockWait,
): Promise<void> {
  for (;;) {
    if (await take()) return;
    const waitedMs = wait.now() - startedAt;
    if (waitedMs >= wait.maxWaitMs) throw new LockTimeoutError(key, waitedMs);
    // Jitter keeps instances that started waiting together from retrying in lockstep.
    await wait.sleep(Math.min(wait.maxWaitMs - waitedMs, Math.round(wait.pollMs * (0.5 + wait.random()))));
  }
}
