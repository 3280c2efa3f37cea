/**
 * The key layout inside the one shared Keyv. Every logical key starts with a short family prefix, so records,
 * their index, the audit trail and other users of the same connection (the WeCom token cache keys
 * `wecom-token:…`, later idempotency keys and locks) never collide and can be listed by prefix.
 *
 * | key                                   | value                | why                                      |
 * |---------------------------------------|----------------------|------------------------------------------|
 * | `rec:{configId}`                      | ContactWayRecord     | one key per record: writes never race    |
 * | `own:{requesterKey}:{configId}`       | `1`                  | one index key per (requester, record)    |
 * | `audit:{at ms, 15 digits}:{random}`   | AuditEntry           | sorts by time as text; TTL'd             |
 * | `chat-state:{random id}`              | form state (wire)    | forms too long to carry inline; TTL'd    |
 * | `cbev:{change}:{user}:{ext}:{time s}` | StoredEvent          | one WeCom callback; set-if-absent dedupes |
 * | `cbnonce:{nonce}`                     | message fingerprint  | a callback nonce, for the freshness window |
 * | `state:{state}`                       | `{configId}`         | the one way a callback's State names     |
 * | `cust:{configId}:{externalUserId}`    | CustomerRecord       | one key per customer: adds never race    |
 * | `custof:{userid}:{ext}:{configId}`    | `1`                  | finds the way(s) of a deleted customer   |
 * | `directory:members`                   | DirectorySnapshot    | member directory, shared by instances    |
 * | `directory:corp:{authCorpId}`         | DirectorySnapshot    | provider modes: one per installed corp   |
 * | `directory:open-ids:{authCorpId}`     | {userid: open id}    | provider modes: userid_to_openuserid     |
 * | `link:{requesterKey}`                 | Link                 | a chat user linked to a WeCom userid     |
 * | `linkreq:{digest of requesterKey}`    | LinkRequest          | a `link` waiting for an admin; TTL'd     |
 * | `wecom:suite-ticket:{suiteId}`        | newest suite_ticket  | provider modes; newest TimeStamp; 30 min |
 * | `wecom:tenant:{authCorpId}`           | Tenant               | an installed corp and its suite id; another suite's is ignored; permanent code sealed |
 * | `wecom:authcode:{sha256(code)}`       | `1`                  | one exchange of an auth_code; 10 min     |
 * | `suiteev:{sha256(message)}`           | StoredSuiteEvent     | a /wecom/suite auth event; dedupes; TTL'd |
 *
 * Keyv adds its namespace in front (`{ns}:` for sqlite, PostgreSQL and memory, `{ns}::` for Redis).
 * Every part we put in a key is restricted to `[A-Za-z0-9_.!~*'()%-]` (config ids by their schema, requester
 * parts by `encodeURIComponent`), so `:` only ever separates parts and a prefix can never match a longer id.
 */

export const RECORD_PREFIX = 'rec:';
export const OWNER_PREFIX = 'own:';
export const AUDIT_PREFIX = 'audit:';
/** Short-lived chat state: form contexts too long for the platform's form, drafts of failed forms. TTL'd. */
export const CHAT_STATE_PREFIX = 'chat-state:';
/** Callback events and state index: see `src/callbacks/keys.ts` for how the parts are encoded. */
export const CALLBACK_EVENT_PREFIX = 'cbev:';
export const CALLBACK_NONCE_PREFIX = 'cbnonce:';
export const STATE_PREFIX = 'state:';
/** Before issue 17: one `wstate:{state}:{configId}` key per way, a State shared by several; removed at start. */
export const LEGACY_WAY_STATE_PREFIX = 'wstate:';
export const CUSTOMER_PREFIX = 'cust:';
export const CUSTOMER_OF_PREFIX = 'custof:';
/** The WeCom member directory (src/directory): one snapshot, refreshed in the background. TTL'd. */
export const DIRECTORY_PREFIX = 'directory:';
/** Chat users linked to WeCom members, and requests for a link (src/store/links.ts). */
export const LINK_PREFIX = 'link:';
export const LINK_REQUEST_PREFIX = 'linkreq:';

/** Provider modes (src/provider): the newest suite_ticket, installed corps, auth_code claims, auth events. */
export const SUITE_TICKET_PREFIX = 'wecom:suite-ticket:';
export const TENANT_PREFIX = 'wecom:tenant:';
export const AUTH_CODE_PREFIX = 'wecom:authcode:';
export const SUITE_EVENT_PREFIX = 'suiteev:';

/** Matches a config id as WeCom returns it (same rule as `configIdSchema`). */
const CONFIG_ID = /^[A-Za-z0-9_-]{1,128}$/;

/** True when `configId` is safe to put in a key. */
export function isKeySafeConfigId(configId: string): boolean {
  return CONFIG_ID.test(configId);
}

/** Who asked: the fields of a requester that identify them. */
export interface RequesterIdentity {
  platform: string;
  workspaceId: string;
  userId: string;
}

/**
 * `${platform}:${workspaceId}:${userId}`, each part URI-encoded. For ordinary Slack/Discord ids the encoding
 * changes nothing; it exists so a workspace or user id containing `:` (console user names, future platforms)
 * can neither be confused with another requester nor break prefix listing.
 */
export function requesterKey(r: RequesterIdentity): string {
  return [r.platform, r.workspaceId, r.userId].map(encodeURIComponent).join(':');
}

export function recordKey(configId: string): string {
  return `${RECORD_PREFIX}${configId}`;
}

/** The prefix under which every index key of one requester lives. Ends with `:` so `U1` never matches `U10`. */
export function ownerPrefix(requester: string): string {
  return `${OWNER_PREFIX}${requester}:`;
}

export function ownerKey(requester: string, configId: string): string {
  return `${ownerPrefix(requester)}${configId}`;
}

/** Width of the millisecond timestamp in audit keys: 15 digits cover dates up to the year 33658. */
const AUDIT_TS_DIGITS = 15;

export function auditKey(atMs: number, random: string): string {
  return `${AUDIT_PREFIX}${String(Math.max(0, Math.trunc(atMs))).padStart(AUDIT_TS_DIGITS, '0')}:${random}`;
}

/** Every audit key of an entry older than `atMs` sorts before this string (same digit count, then `:`). */
export function auditKeysBefore(atMs: number): string {
  return `${AUDIT_PREFIX}${String(Math.max(0, Math.trunc(atMs))).padStart(AUDIT_TS_DIGITS, '0')}`;
}

/** The time encoded in an audit key, or undefined when the key is not one of ours. */
export function auditKeyTime(key: string): number | undefined {
  const digits = key.slice(AUDIT_PREFIX.length, AUDIT_PREFIX.length + AUDIT_TS_DIGITS);
  return key.startsWith(AUDIT_PREFIX) && /^\d+$/.test(digits) ? Number(digits) : undefined;
}

/** A customer key's userid and external_userid are WeCom's free text: URI-encoded, like a requester's parts. */
const part = encodeURIComponent;

export function customerPrefix(configId: string): string {
  return `${CUSTOMER_PREFIX}${configId}:`;
}

export function customerKey(configId: string, externalUserId: string): string {
  return `${customerPrefix(configId)}${part(externalUserId)}`;
}

export function customerOfPrefix(userId: string, externalUserId: string): string {
  return `${CUSTOMER_OF_PREFIX}${part(userId)}:${part(externalUserId)}:`;
}

export function customerOfKey(userId: string, externalUserId: string, configId: string): string {
  return `${customerOfPrefix(userId, externalUserId)}${configId}`;
}

/** The one way a callback's State names (src/store/state-index.ts); a State may hold any character. */
export function stateKey(state: string): string {
  return `${STATE_PREFIX}${part(state)}`;
}
