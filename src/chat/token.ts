import type { StateStore } from './state-store.js';

/** Marks a token that names a state-store entry (`@<id>`) rather than carrying its value inline. */
const STORED = '@';

/**
 * How everything the flow hands a platform to carry back travels (a form's state, a button's action): inline
 * JSON when it fits the platform's field (nothing to lose on a restart), else stored with a TTL and only
 * `@<id>` travels. Synchronous: the id is chosen now and the write goes on in the background (`written`),
 * since a form must open before any await. `stored` forces the entry (a notification's buttons, whose
 * workspace a DM click must not be able to forge).
 */
export function encodeToken(
  wire: unknown,
  maxChars: number,
  store: StateStore,
  options: { ttlMs?: number; stored?: boolean; storedWire?: unknown } = {},
): { token: string; stored: boolean; written?: Promise<boolean> } {
  const inline = JSON.stringify(wire);
  if (!options.stored && inline.length <= maxChars && !inline.startsWith(STORED))
    return { token: inline, stored: false };
  const saved = store.save(options.storedWire ?? wire, options.ttlMs);
  return { token: `${STORED}${saved.id}`, stored: true, written: saved.written };
}

/** The value a token carries (undefined when unreadable or its entry is gone), and whether it was stored. */
export async function readToken(
  token: string,
  store: StateStore,
  timeoutMs?: number,
): Promise<{ raw: unknown; stored: boolean }> {
  if (token.startsWith(STORED))
    return { raw: await store.load(token.slice(STORED.length), timeoutMs), stored: true };
  try {
    return { raw: JSON.parse(token), stored: false };
  } catch {
    return { raw: undefined, stored: false };
  }
}
