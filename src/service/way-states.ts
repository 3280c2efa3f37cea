import { randomBytes, randomInt } from 'node:crypto';
import { ContactwayError } from '../base/errors.js';
import { t } from '../base/i18n.js';
import type { Logger } from '../base/logger.js';
import type { ContactWayRecord, RecordStore } from '../store/index.js';
import type { StateHolder, StateIndex } from '../store/state-index.js';
import { MAX_TEXT_CHARS } from '../wecom/schemas.js';

/**
 * The `state` WeCom echoes in a customer's add event is the only link from that customer back to a way
 * (callbacks reference §3). A state two ways share cannot say which QR was scanned, so the state we send is
 * never the requester's tag alone: it is the tag plus a short random suffix, claimed in the state index before
 * WeCom hears of it, so no other way (another requester's, the same requester's, a concurrent creation) holds it.
 */

const SUFFIX_CHARS = 6;
const SEPARATOR = '~';
/** How much of a typed tag fits before the suffix within WeCom's 30 characters. */
export const MAX_TAG_CHARS = MAX_TEXT_CHARS - SEPARATOR.length - SUFFIX_CHARS;
/** A taken state means a random suffix repeated: a few fresh draws always find a free one. */
const DRAWS = 5;

/** `spring-fair~k3f9a1` for the tag `spring-fair` (clipped to fit 30 characters); `cw-` + 12 hex without one. */
export function newState(tag: string | undefined): string {
  if (!tag) return `cw-${randomBytes(6).toString('hex')}`;
  const suffix = randomInt(36 ** SUFFIX_CHARS)
    .toString(36)
    .padStart(SUFFIX_CHARS, '0');
  // Code points, as WeCom's limit and our schema count them: a clip never splits a character.
  return `${[...tag].slice(0, MAX_TAG_CHARS).join('')}${SEPARATOR}${suffix}`;
}

/**
 * A new state for `tag`, claimed for `configId` (or reserved for a creation about to call WeCom). Without an
 * index (a service with no callbacks) the state is drawn but nothing can attribute its customers anyway.
 */
export async function claimNewState(
  index: Pick<StateIndex, 'claim'> | undefined,
  tag: string | undefined,
  configId?: string,
): Promise<string> {
  for (let draw = 0; draw < DRAWS; draw++) {
    const state = newState(tag);
    if (!index || (await index.claim(state, configId))) return state;
  }
  throw new ContactwayError(
    'state.taken',
    t(
      'Could not pick a state no other contact way uses. Nothing was created; please try again.',
      '未能生成与其他「联系我」不重复的渠道参数（state）。未创建任何内容，请重试。',
    ),
  );
}

/**
 * A way sync imports keeps the state it was made with (we do not change ways made elsewhere), and names that way
 * only if no other way holds it: one of ours keeps its customers (its state was claimed first and has our random
 * suffix, so the copy is the newcomer); two imported ways sharing a state name neither. Logged either way, so an
 * admin can give the imported way its own state with `edit`.
 */
export async function claimImportedState(
  index: StateIndex,
  way: ContactWayRecord,
  records: Pick<RecordStore, 'get'>,
  logger: Logger,
): Promise<void> {
  const state = way.request.state;
  if (!state || (await index.claim(state, way.configId))) return;
  const holder: StateHolder | undefined = await index.holder(state);
  if (holder?.configId === way.configId) return;
  const held = holder?.configId ? await records.get(holder.configId) : undefined;
  if (held?.source === 'synced') await index.markShared(state);
  logger.warn(
    { configId: way.configId, heldBy: holder?.configId, shared: held?.source === 'synced' },
    'sync: imported contact way shares its state with another way; its customers are not attributed',
  );
}
