import { randomBytes } from 'node:crypto';
import type { Keyv } from 'keyv';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/base/errors.js';
import {
  closeKeyv,
  createAuditLog,
  createRecordStore,
  createWriteAll,
  requesterKey,
  scanKeys,
  writeAll,
} from '../../src/store/index.js';
import { createStateIndex } from '../../src/store/state-index.js';
import { MAX_BATCH } from '../../src/store/write-all.js';
import type { ContractBackend } from './contract.js';
import { alice, makeRecord } from './fixtures.js';

const RUN = `w${process.pid.toString(36)}${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
let counter = 0;

/**
 * The batch write's contract (src/store/write-all.ts), on every backend: what it writes reads back through
 * Keyv and the stores, an invalid entry leaves nothing written, and a reader on another connection never sees
 * half a batch.
 */
export function writeAllContract(name: string, backend: ContractBackend | undefined): void {
  (backend ? describe : describe.skip)(`batch write contract: ${name}`, () => {
    const opened: Keyv[] = [];

    async function open(ns: string): Promise<Keyv> {
      const keyv = await backend!.open(ns);
      opened.push(keyv);
      return keyv;
    }

    function namespace(): string {
      counter += 1;
      return `${RUN}-${counter}`;
    }

    afterEach(async () => {
      const cleared = new Set<string>();
      for (const keyv of opened.splice(0)) {
        if (keyv.namespace && !cleared.has(keyv.namespace)) {
          cleared.add(keyv.namespace);
          await keyv.clear();
        }
        await closeKeyv(keyv);
      }
    });

    it('GIVEN a batch of the stores’ writes THEN each reads back as if the store had written it', async () => {
      const keyv = await open(namespace());
      const records = createRecordStore(keyv);
      const audit = createAuditLog(keyv, { now: () => new Date() });
      const states = createStateIndex(keyv);
      const record = makeRecord('cw-batch');
      await writeAll([
        ...records.writesFor(record),
        states.bindWrite('fair~abc123', 'cw-batch'),
        audit.entryWrite({ actor: requesterKey(alice), action: 'create', result: 'ok' }),
        { keyv, key: 'idem:x', value: 'cw-batch', ttlMs: 60_000 },
      ]);
      expect(await records.listByRequester(requesterKey(alice))).toEqual([record]);
      expect(await states.find('fair~abc123')).toBe('cw-batch');
      expect((await audit.latest(5)).map((e) => e.action)).toEqual(['create']);
      expect(await keyv.get('idem:x')).toBe('cw-batch');
      // Keyv's own writes overwrite what a batch wrote, and the other way round.
      await keyv.set('idem:x', 'later');
      expect(await keyv.get('idem:x')).toBe('later');
      await createWriteAll(keyv)([{ key: 'idem:x', value: 'again' }]);
      expect(await keyv.get('idem:x')).toBe('again');
    });

    it('GIVEN a key twice in one batch THEN it keeps the last value; an empty batch writes nothing', async () => {
      const keyv = await open(namespace());
      const write = createWriteAll(keyv);
      await write([
        { key: 'k:1', value: 'first' },
        { key: 'k:2', value: 2 },
        { key: 'k:1', value: 'last' },
      ]);
      expect(await keyv.getMany(['k:1', 'k:2'])).toEqual(['last', 2]);
      await write([]);
      expect(await keyv.getMany(['k:1', 'k:2'])).toEqual(['last', 2]);
    });

    it('GIVEN a batch with one entry a store cannot take THEN it fails and none of its keys is written', async () => {
      const keyv = await open(namespace());
      const write = createWriteAll(keyv);
      await write([{ key: 'k:kept', value: 'before' }]);
      const circular: Record<string, unknown> = {};
      circular.self = circular;
      const invalid = [
        { key: 'k:bad', value: circular },
        { key: 'k:bad', value: 'v', ttlMs: -5 },
        { key: 'k:bad', value: 'v', ttlMs: Number.NaN },
        { key: 'k:bad', value: undefined },
        { key: '', value: 'v' },
      ];
      for (const bad of invalid) {
        await expect(
          write([{ key: 'k:new', value: 'new' }, { key: 'k:kept', value: 'after' }, bad]),
        ).rejects.toBeInstanceOf(StoreError);
      }
      const tooMany = Array.from({ length: MAX_BATCH + 1 }, (_, i) => ({ key: `k:many-${i}`, value: i }));
      await expect(write(tooMany)).rejects.toBeInstanceOf(StoreError);
      expect(await keyv.getMany(['k:new', 'k:kept', 'k:bad'])).toEqual([undefined, 'before', undefined]);
      expect(await scanKeys(keyv, 'k:many-')).toEqual([]);
    });

    it('GIVEN batches overwriting five keys THEN a reader on another connection never sees half of one', async () => {
      const ns = namespace();
      const writer = await open(ns);
      const reader = await open(ns);
      const keys = ['g:a', 'g:b', 'g:c', 'g:d', 'g:e'];
      const write = createWriteAll(writer);
      const generations = 40;
      let done = false;
      const writing = (async () => {
        try {
          for (let generation = 1; generation <= generations; generation++) {
            await write(
              keys.map((key, i) => ({ key, value: generation, ...(i === 0 ? {} : { ttlMs: 600_000 }) })),
            );
          }
        } finally {
          done = true;
        }
      })();
      const seen: unknown[][] = [];
      while (!done) {
        seen.push(await reader.getMany(keys));
        // A Map answers within microtasks: let a writer waiting on anything else run between reads.
        await new Promise((resolve) => setImmediate(resolve));
      }
      await writing;
      seen.push(await reader.getMany(keys));
      const torn = seen.filter((values) => new Set(values).size !== 1);
      expect(torn).toEqual([]);
      expect(seen.at(-1)).toEqual(keys.map(() => generations));
    });
  });
}
