import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Keyv from 'keyv';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { startCore } from '../../src/app.js';
import { silentLogger } from '../../src/base/logger.js';
import type { ContactEvent } from '../../src/callbacks/event.js';
import { createEventStore, DONE_EVENT_TTL_MS } from '../../src/callbacks/event-store.js';
import { createStateStore } from '../../src/chat/state-store.js';
import { loadConfig } from '../../src/config.js';
import { createIdempotency } from '../../src/service/idempotency.js';
import {
  closeKeyv,
  createAuditLog,
  createRecordStore,
  createSlotCounter,
  openKeyv,
  scanKeys,
  sweepExpiredKeys,
} from '../../src/store/index.js';
import { makeRecord } from './fixtures.js';

/**
 * sqlite and PostgreSQL keep a TTL'd key until it is read after it expired, which for replay claims, form state
 * and processed callback events is never: the sweep deletes them, a bounded batch at a time, through the same
 * writers the bot uses, and leaves everything without an expiry (records, pending events) alone.
 */

const postgresUrl = process.env.POSTGRES_URL;
if (!postgresUrl) {
  console.warn(
    'Expired-key sweep on PostgreSQL skipped: set POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test',
  );
}

const dir = mkdtempSync(join(tmpdir(), 'contactway-sweep-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RUN = `sweep-${randomBytes(4).toString('hex')}`;
let seq = 0;
const opened: Keyv[] = [];
afterEach(async () => {
  for (const keyv of opened.splice(0)) {
    await keyv.clear().catch(() => undefined);
    await closeKeyv(keyv);
  }
});

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function addEvent(): ContactEvent {
  seq += 1;
  return {
    changeType: 'add_external_contact',
    userId: 'zhangsan',
    externalUserId: `wm_${randomBytes(4).toString('hex')}_${seq}`,
    createTime: 1_700_000_000,
    state: 'cw-test',
    welcomeCode: `WC${seq}`,
  };
}

const backends: [string, ((namespace: string) => Promise<Keyv>) | undefined][] = [
  ['sqlite', (ns) => openKeyv(`sqlite://${join(dir, 'store.sqlite')}`, { namespace: ns })],
  ['postgres', postgresUrl ? (ns) => openKeyv(postgresUrl, { namespace: ns }) : undefined],
];

for (const [name, openBackend] of backends) {
  describe.skipIf(!openBackend)(`expired-key sweep on ${name}`, () => {
    async function open(): Promise<Keyv> {
      seq += 1;
      const keyv = await openBackend!(`${RUN}-${seq}`);
      opened.push(keyv);
      return keyv;
    }
    /** Keys only: reading an expired key through Keyv would delete it and hide what the sweep did. */
    const keys = async (keyv: Keyv, prefix = '') => (await scanKeys(keyv, prefix)).sort();

    it('GIVEN claims, form state, processed events and records WHEN swept THEN only what expired is gone, in order of expiry', async () => {
      const keyv = await open();
      const start = Date.now();
      const idempotency = createIdempotency(keyv);
      expect(await idempotency.claim('slack:replay:short', MINUTE)).toBe(true);
      expect(await idempotency.claim('slack:replay:long', 2 * DAY)).toBe(true);
      const state = createStateStore(keyv);
      const shortState = state.save({ draft: 'typed' }, MINUTE);
      const longState = state.save({ draft: 'kept' }, DAY);
      expect(await shortState.written).toBe(true);
      expect(await longState.written).toBe(true);
      const events = createEventStore(keyv);
      const done = await events.add(addEvent(), start);
      await events.markDone(done.stored.key, 'attributed', start);
      const pending = await events.add(addEvent(), start);
      expect(await createSlotCounter(keyv).take('limit:alice', 5, 10 * MINUTE)).toBe(true);
      await createRecordStore(keyv).put(makeRecord('cw-kept'));
      await createAuditLog(keyv).append({ actor: 'system', action: 'kept', result: 'ok' });
      // No TTL of its own, only a field named like Keyv's: a value is never mistaken for the expiry.
      await keyv.set('plain:nested', { expires: 1 });

      expect(await sweepExpiredKeys(keyv, { now: start + HOUR })).toBe(3);
      expect(await keys(keyv, 'idem:')).toEqual(['idem:slack:replay:long']);
      expect(await keys(keyv, 'chat-state:')).toEqual([`chat-state:${longState.id}`]);
      expect(await keys(keyv, 'limit:')).toEqual([]);
      expect(await keys(keyv, 'cbev:')).toEqual([done.stored.key, pending.stored.key].sort());

      // A week on: the processed event and every TTL'd key went, the pending event (no TTL) stays.
      expect(await sweepExpiredKeys(keyv, { now: start + DONE_EVENT_TTL_MS + HOUR })).toBe(3);
      expect(await keys(keyv, 'cbev:')).toEqual([pending.stored.key]);
      expect(await keys(keyv, 'idem:')).toEqual([]);
      expect(await keys(keyv, 'chat-state:')).toEqual([]);
      expect(await createRecordStore(keyv).get('cw-kept')).toEqual(makeRecord('cw-kept'));
      expect((await createAuditLog(keyv).latest(5)).map((e) => e.action)).toEqual(['kept']);
      expect(await keyv.get('plain:nested')).toEqual({ expires: 1 });
    });

    it('GIVEN more expired keys than the limit THEN each sweep deletes at most the limit', async () => {
      const keyv = await open();
      const now = Date.now();
      for (let i = 0; i < 25; i += 1)
        await keyv.set(`idem:burst-${String(i).padStart(2, '0')}`, 'claimed', 1);
      await keyv.set('idem:live', 'claimed', DAY);
      const later = now + MINUTE;
      expect(await sweepExpiredKeys(keyv, { now: later, limit: 10 })).toBe(10);
      expect(await keys(keyv, 'idem:')).toHaveLength(16);
      expect(await sweepExpiredKeys(keyv, { now: later, limit: 10 })).toBe(10);
      expect(await sweepExpiredKeys(keyv, { now: later, limit: 10 })).toBe(5);
      expect(await sweepExpiredKeys(keyv, { now: later, limit: 10 })).toBe(0);
      expect(await keys(keyv, 'idem:')).toEqual(['idem:live']);
    });

    it('GIVEN another namespace in the same table and a row that is not JSON THEN the sweep leaves both and does not fail', async () => {
      const mine = await open();
      const neighbour = await open();
      const now = Date.now();
      await neighbour.set('idem:theirs', 'claimed', 1);
      await mine.set('idem:mine', 'claimed', 1);
      // A row written by hand, cut short: it must not stop every later sweep.
      const store = mine.store as { query(sql: string, values: unknown[]): Promise<unknown> };
      const insert =
        name === 'postgres'
          ? 'INSERT INTO keyv (key, value) VALUES ($1, $2)'
          : 'INSERT INTO keyv (key, value) VALUES (?, ?)';
      await store.query(insert, [`${mine.namespace}:broken`, '{"value":1,"expires":']);

      expect(await sweepExpiredKeys(mine, { now: now + MINUTE })).toBe(1);
      expect(await keys(mine)).toEqual(['broken']);
      expect(await keys(neighbour)).toEqual(['idem:theirs']);
    });
  });
}

describe('the running core sweeps on a schedule', () => {
  it('GIVEN STORE_SWEEP_INTERVAL=10m on sqlite WHEN 10 minutes pass THEN expired claims are gone, records stay, and close stops the timer', async () => {
    const NOW = Date.UTC(2025, 0, 1);
    const url = `sqlite://${join(dir, 'core.sqlite')}`;
    // Only the clock and intervals are fake: fetch (the sandbox's WeCom) keeps its own real timeouts.
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'], now: NOW });
    try {
      const core = await startCore(
        loadConfig({
          STORE_URL: url,
          STORE_NAMESPACE: `${RUN}-core`,
          STORE_SWEEP_INTERVAL: '10m',
          LOG_LEVEL: 'silent',
          JOURNAL_PATH: join(dir, 'journal.jsonl'),
        }),
        silentLogger(),
      );
      await core.keyv.set('idem:slack:replay', 'claimed', MINUTE);
      await createRecordStore(core.keyv).put(makeRecord('cw-core'));
      await vi.advanceTimersByTimeAsync(9 * MINUTE);
      expect(await scanKeys(core.keyv, 'idem:')).toEqual(['idem:slack:replay']);
      // The sweep's query runs on sqlite's thread; close() waits for a sweep in progress.
      await vi.advanceTimersByTimeAsync(MINUTE);
      await core.close();
      // No interval of the core outlives it (the sweep's included).
      expect(vi.getTimerCount()).toBe(0);

      const reopened = await openKeyv(url, { namespace: `${RUN}-core` });
      expect(await scanKeys(reopened, 'idem:')).toEqual([]);
      expect(await scanKeys(reopened, 'rec:')).toEqual(['rec:cw-core']);
      await closeKeyv(reopened);
    } finally {
      vi.useRealTimers();
    }
  });
});
