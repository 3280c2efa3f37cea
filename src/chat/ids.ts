import { type RequesterIdentity, requesterKey } from '../store/keys.js';
import { configIdSchema } from '../wecom/schemas.js';

/**
 * The identifiers an adapter may need to put in its own ids and file names, without reaching into the
 * store or the WeCom client: who a requester is as one string, and whether a text is a config_id in
 * WeCom's shape (safe in a custom_id, a key or a file name).
 */
export function ownerKey(requester: RequesterIdentity): string {
  return requesterKey(requester);
}

export function isConfigId(text: string | undefined): text is string {
  return configIdSchema.safeParse(text).success;
}
