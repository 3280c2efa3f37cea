import { CALLBACK_EVENT_PREFIX, CALLBACK_NONCE_PREFIX } from '../store/keys.js';
import type { ContactEvent } from './event.js';

/**
 * Keys of the callback families (table in `src/store/keys.ts`; the customer keys live there, beside their store). Every part is URI-encoded, so `:` only ever
 * separates parts (a State may hold any character) and prefixes never match a longer id.
 */
const part = encodeURIComponent;

/**
 * The event's own identity (reference §4): ChangeType + UserID + ExternalUserID + CreateTime. A WeCom retry
 * carries the same four; two customers in the same second differ in ExternalUserID.
 */
export function eventKey(
  event: Pick<ContactEvent, 'changeType' | 'userId' | 'externalUserId' | 'createTime'>,
) {
  return `${CALLBACK_EVENT_PREFIX}${[event.changeType, event.userId, event.externalUserId, String(event.createTime)].map(part).join(':')}`;
}

/** A callback's nonce, remembered while its timestamp is fresh (the nonce is any text WeCom chose). */
export function callbackNonceKey(nonce: string): string {
  return `${CALLBACK_NONCE_PREFIX}${part(nonce)}`;
}
