import { describe, expect, it } from 'vitest';
import { backoffMs, withRetries } from '../../src/wecom/retry.js';

describe('backoffMs', () => {
  it('GIVEN successive retries THEN doubles, with jitter in the upper half, capped', () => {
    expect(backoffMs(1, () => 0, 200, 5000)).toBe(100);
    expect(backoffMs(1, () => 0.999999, 200, 5000)).toBe(200);
    expect(backoffMs(2, () => 0, 200, 5000)).toBe(200);
    expect(backoffMs(3, () => 0.5, 200, 5000)).toBe(600);
    expect(backoffMs(20, () => 0.999999, 200, 5000)).toBe(5000);
  });
});

describe('withRetries', () => {
  it('GIVEN a failure that persists THEN tries 1 + maxRetries times and throws the last error', async () => {
    const waits: number[] = [];
    let calls = 0;
    await expect(
      withRetries(
        async () => {
          calls++;
          throw new Error(`busy ${calls}`);
        },
        { isRetryable: () => true, sleep: async (ms) => void waits.push(ms), random: () => 0 },
      ),
    ).rejects.toThrow('busy 4');
    expect(calls).toBe(4);
    expect(waits).toEqual([100, 200, 400]);
  });

  it('GIVEN a non-retryable failure THEN throws at once', async () => {
    let calls = 0;
    await expect(
      withRetries(
        async () => {
          calls++;
          throw new Error('final');
        },
        { isRetryable: () => false, sleep: async () => {}, random: () => 0 },
      ),
    ).rejects.toThrow('final');
    expect(calls).toBe(1);
  });

  it('GIVEN success on the second try THEN returns it', async () => {
    let calls = 0;
    const value = await withRetries(
      async () => {
        if (++calls < 2) throw new Error('busy');
        return 'ok';
      },
      { isRetryable: () => true, sleep: async () => {}, random: () => 0 },
    );
    expect(value).toBe('ok');
  });
});
