import type { Keyv } from 'keyv';
import { z } from 'zod';
import { storeCall } from '../base/store-call.js';
import { configIdSchema } from '../wecom/schemas.js';
import { stateKey } from './keys.js';
import { readValid } from './read-valid.js';
import { createSetIfAbsent } from './set-if-absent.js';
import type { StoreWrite } from './write-all.js';

/**
 * Who holds a state: one way (`configId`), a creation about to happen (neither field: reserved before WeCom is
 * called, so no two creations can send the same state), or several ways made outside the bot that sync found
 * sharing it (`shared`: it names none of them).
 */
const holderSchema = z.object({
  configId: configIdSchema.optional(),
  shared: z.literal(true).optional(),
});
export type StateHolder = z.infer<typeof holderSchema>;

/**
 * state → the one contact way it names. A customer's add event carries only the State (callbacks reference §3),
 * so a State two of our ways share would hand one requester's customers to another: every entry is written with
 * an atomic set-if-absent, and a State once claimed never names another way.
 */
export interface StateIndex {
  /** Claims `state` for `configId`, or reserves it for a creation when undefined; false when it is taken. */
  claim(state: string, configId?: string): Promise<boolean>;
  /** Names the way a reservation was made for, once WeCom returned its config_id. */
  bind(state: string, configId: string): Promise<void>;
  /** What `bind` writes, for the caller to write in one batch with other stores' writes (`writeAll`). */
  bindWrite(state: string, configId: string): StoreWrite;
  /** Frees `state` if `configId` holds it (undefined: if it is still only reserved). */
  release(state: string, configId?: string): Promise<void>;
  /** Several ways made outside the bot share `state`: from now on it names none of them. */
  markShared(state: string): Promise<void>;
  holder(state: string): Promise<StateHolder | undefined>;
  /** The config_id of the one way `state` names; undefined when none, reserved or shared. */
  find(state: string): Promise<string | undefined>;
}

export function createStateIndex(keyv: Keyv): StateIndex {
  const setIfAbsent = createSetIfAbsent(keyv);
  // A corrupt entry reads as no holder: it names no way (unattributed) and, still present, cannot be claimed.
  const holder = (state: string) =>
    storeCall(async () => {
      const [read] = await readValid(keyv, [stateKey(state)], holderSchema);
      return read?.state === 'ok' ? read.value : undefined;
    });
  return {
    claim: (state, configId) => setIfAbsent(stateKey(state), configId ? { configId } : {}),
    bind: (state, configId) =>
      storeCall(async () => {
        await keyv.set(stateKey(state), { configId });
      }),
    bindWrite: (state, configId) => ({ keyv, key: stateKey(state), value: { configId } }),
    async release(state, configId) {
      const current = await holder(state);
      if (!current || current.shared || current.configId !== configId) return;
      await storeCall(() => keyv.delete(stateKey(state)));
    },
    markShared: (state) =>
      storeCall(async () => {
        await keyv.set(stateKey(state), { shared: true });
      }),
    holder,
    find: async (state) => {
      const current = await holder(state);
      return current?.shared ? undefined : current?.configId;
    },
  };
}
