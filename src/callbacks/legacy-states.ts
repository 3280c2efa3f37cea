import type { Keyv } from 'keyv';
import type { Logger } from '../base/logger.js';
import { storeCall } from '../base/store-call.js';
import type { RecordStore } from '../store/index.js';
import { LEGACY_WAY_STATE_PREFIX } from '../store/keys.js';
import { scanKeys } from '../store/scan-keys.js';
import type { StateIndex } from '../store/state-index.js';

/**
 * Moves a store written before states were unique (issue 17) to the state index: the old index kept one
 * `wstate:{state}:{configId}` key per way, several ways per state, and handed a customer to the newest. Now a
 * state one live way holds is claimed for it; a state several live ways hold names none of them (their owners
 * get a unique state by editing it). The old keys are then deleted, so this runs once per store; it is cheap
 * (one prefix scan) when there is nothing left to move. Resolves with how many states were shared.
 */
export async function migrateLegacyStates(
  keyv: Keyv,
  index: StateIndex,
  records: Pick<RecordStore, 'get'>,
  logger: Logger,
): Promise<number> {
  const keys = await storeCall(() => scanKeys(keyv, LEGACY_WAY_STATE_PREFIX));
  if (keys.length === 0) return 0;
  const byState = new Map<string, string[]>();
  for (const key of keys) {
    const rest = key.slice(LEGACY_WAY_STATE_PREFIX.length);
    const cut = rest.lastIndexOf(':');
    if (cut < 0) continue;
    const state = decodeURIComponent(rest.slice(0, cut));
    byState.set(state, [...(byState.get(state) ?? []), rest.slice(cut + 1)]);
  }
  let shared = 0;
  for (const [state, configIds] of byState) {
    const live = [];
    for (const configId of configIds) {
      const record = await records.get(configId);
      if (record && record.status !== 'deleted' && record.request.state === state) live.push(record.configId);
    }
    if (live.length === 1 && live[0]) {
      await index.claim(state, live[0]);
    } else if (live.length > 1) {
      await index.markShared(state);
      shared++;
      logger.warn(
        { configIds: live },
        'state index: contact ways share a state; their customers are not attributed until each gets its own (edit the state)',
      );
    }
  }
  await storeCall(async () => {
    for (const key of keys) await keyv.delete(key);
  });
  logger.info({ states: byState.size, shared }, 'state index: moved the states of earlier contact ways');
  return shared;
}
