import type { Keyv } from 'keyv';
import { isKeySafeConfigId } from '../store/keys.js';
import { scanKeys } from '../store/scan-keys.js';
import { storeCall } from '../store/store-call.js';
import { wayStateKey, wayStatePrefix } from './keys.js';

/**
 * state → config_id, one index key per (state, way): a requester's own state may be shared by several ways,
 * and an entry left by an edited state is harmless because readers check the way's current state.
 */
export interface StateIndex {
  add(state: string, configId: string): Promise<void>;
  /** Config ids that had this state when written; check each record's current state before trusting it. */
  find(state: string): Promise<string[]>;
}

export function createStateIndex(keyv: Keyv): StateIndex {
  return {
    add: (state, configId) =>
      storeCall(async () => {
        if (isKeySafeConfigId(configId)) await keyv.set(wayStateKey(state, configId), 1);
      }),
    find: (state) =>
      storeCall(async () => {
        const prefix = wayStatePrefix(state);
        return (await scanKeys(keyv, prefix))
          .map((key) => key.slice(prefix.length))
          .filter(isKeySafeConfigId);
      }),
  };
}
