import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Keyv } from 'keyv';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startCore } from '../../src/app.js';
import { silentLogger } from '../../src/base/logger.js';
import { loadConfig } from '../../src/config.js';
import { closeKeyv, createAuditLog, openKeyv } from '../../src/store/index.js';
import { auditKey } from '../../src/store/keys.js';

/**
 * The audit trail on sqlite at 100 000 entries (issue 10, item 16): `audit` reads only the newest entries
 * (bounded rows, not every key), and prune removes what is past AUDIT_RETENTION in bounded batches.
 */

const DAY = 86_400_000;
const NOW = Date.parse('2025-05-02T08:00:00Z');
const TOTAL = 100_000;
/** Entries older than 90 days: the first OLD of the TOTAL, one every 10 minutes going back from NOW. */
const STEP_MS = 10 * 60_000;

const dir = mkdtempSync(join(tmpdir(), 'contactway-audit-'));
let keyv: Keyv;
/** Rows returned by every SQL statement the adapter ran, counted at the adapter's query edge. */
let rowsRead = 0;

beforeAll(async () => {
  keyv = await openKeyv(`sqlite://${join(dir, 'audit.sqlite')}`, { namespace: 'audit-test' });
  const store = keyv.store as { query: (sql: string, ...params: unknown[]) => Promise<unknown> };
  // Fill the table directly, in Keyv's own format (far faster than 100 000 keyv.set calls).
  const rows: Array<[string, string]> = [];
  for (let i = 0; i < TOTAL; i++) {
    const atMs = NOW - i * STEP_MS;
    const entry = { at: new Date(atMs).toISOString(), actor: 'system', action: `a${i}`, result: 'ok' };
    rows.push([`audit-test:${auditKey(atMs, `r${i}`)}`, JSON.stringify({ value: entry, expires: null })]);
  }
  await store.query('BEGIN');
  for (let i = 0; i < rows.length; i += 400) {
    const batch = rows.slice(i, i + 400);
    await store.query(
      `INSERT INTO keyv (key, value) VALUES ${batch.map(() => '(?, ?)').join(', ')}`,
      batch.flat(),
    );
  }
  await store.query('COMMIT');
  const query = store.query.bind(store);
  store.query = async (sql, ...params) => {
    const result = await query(sql, ...params);
    if (Array.isArray(result)) rowsRead += result.length;
    return result;
  };
}, 120_000);

afterAll(async () => {
  await closeKeyv(keyv);
  rmSync(dir, { recursive: true, force: true });
});

describe('audit at 100 000 entries on sqlite', () => {
  it('GIVEN 100 000 entries THEN the newest 30 are read with a bounded number of rows, quickly', async () => {
    const audit = createAuditLog(keyv, { now: () => new Date(NOW), ttlMs: 90 * DAY });
    rowsRead = 0;
    const started = performance.now();
    const latest = await audit.latest(30);
    const elapsedMs = performance.now() - started;
    expect(latest.map((e) => e.action)).toEqual(Array.from({ length: 30 }, (_, i) => `a${i}`));
    // Keys and values of the newest page only: nowhere near the 100 000 keys a full scan returns.
    expect(rowsRead).toBeLessThanOrEqual(200);
    expect(elapsedMs).toBeLessThan(2_000);
  });

  it('GIVEN entries older than the retention THEN prune removes exactly those, and audit still answers', async () => {
    const audit = createAuditLog(keyv, { now: () => new Date(NOW), ttlMs: 90 * DAY });
    const kept = Math.floor((90 * DAY) / STEP_MS) + 1; // NOW - i·STEP ≥ NOW - 90 d
    expect(await audit.prune()).toBe(TOTAL - kept);
    const store = keyv.store as { query: (sql: string) => Promise<Array<{ n: number }>> };
    const [{ n }] = (await store.query(
      "SELECT COUNT(*) AS n FROM keyv WHERE key LIKE 'audit-test:audit:%'",
    )) as [{ n: number }];
    expect(n).toBe(kept);
    expect(await audit.prune()).toBe(0);
    expect((await audit.latest(1))[0]?.action).toBe('a0');
  });
});

describe('AUDIT_RETENTION', () => {
  it('GIVEN nothing THEN 90 days; GIVEN 30d THEN 30 days; GIVEN nonsense THEN the variable is named', () => {
    expect(loadConfig({}).auditRetentionMs).toBe(90 * DAY);
    expect(loadConfig({ AUDIT_RETENTION: '30d' }).auditRetentionMs).toBe(30 * DAY);
    expect(() => loadConfig({ AUDIT_RETENTION: 'forever' })).toThrow(/AUDIT_RETENTION/);
  });
});

describe('the core prunes the trail on its own', () => {
  it('GIVEN a running core WHEN a minute passes THEN entries past AUDIT_RETENTION are gone, and close stops the schedule', async () => {
    // Fake timers before the core starts, so its prune schedule is on the fake clock; nothing really waits.
    vi.useFakeTimers({
      toFake: ['Date', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'],
      now: NOW,
    });
    try {
      const core = await startCore(
        loadConfig({
          STORE_URL: 'memory:',
          LOG_LEVEL: 'silent',
          AUDIT_RETENTION: '30d',
          JOURNAL_PATH: join(dir, 'journal.jsonl'),
        }),
        silentLogger(),
      );
      const audit = createAuditLog(core.keyv);
      await audit.append({
        at: new Date(NOW - 31 * DAY).toISOString(),
        actor: 'system',
        action: 'old',
        result: 'ok',
      });
      await audit.append({
        at: new Date(NOW - DAY).toISOString(),
        actor: 'system',
        action: 'recent',
        result: 'ok',
      });
      await vi.advanceTimersByTimeAsync(61_000);
      expect((await audit.latest(10)).map((e) => e.action)).toEqual(['recent']);
      await core.close();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
