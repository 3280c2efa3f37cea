import { describe, expect, it } from 'vitest';
import { StoreError } from '../../src/base/errors.js';
import { createMemoryKeyv, createWriteAll } from '../../src/store/index.js';

// The memory store's batch is atomic by being synchronous; a Map that throws (as tests make one fail) must
// still leave nothing of the batch behind. The other backends' atomicity: write-all-contract.ts.
describe('batch write on a Map that fails part-way', () => {
  it('GIVEN the Map throws on one key THEN the keys set before it get their previous values back', async () => {
    class FailingOn extends Map<string, unknown> {
      override set(key: string, value: unknown): this {
        if (key.endsWith('k:fail')) throw new Error('disk full');
        return super.set(key, value);
      }
    }
    const keyv = createMemoryKeyv(new FailingOn());
    const write = createWriteAll(keyv);
    await write([{ key: 'k:old', value: 'before' }]);
    await expect(
      write([
        { key: 'k:old', value: 'after' },
        { key: 'k:new', value: 'new' },
        { key: 'k:fail', value: 'x' },
      ]),
    ).rejects.toBeInstanceOf(StoreError);
    expect(await keyv.getMany(['k:old', 'k:new', 'k:fail'])).toEqual(['before', undefined, undefined]);
  });
});
