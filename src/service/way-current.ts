/**
 * What an edit starts from and is compared with: a way's values as WeCom applies them (its defaults filled
 * in), so a form that opens with them and is saved unchanged sends nothing, and a re-sent `expires_in` never
 * restarts a temporary QR's clock by accident.
 */
import type { ContactWayRecord } from '../store/index.js';
import type { Attachment, AttachmentChoice } from '../store/message-content.js';
import { currentClosing } from './rich-parts.js';
import type { UpdateChanges } from './types.js';

/** WeCom's defaults when add_contact_way was sent without them (wecom-contact-way.md §1a). */
export const DEFAULT_EXPIRES_IN_S = 7 * 86_400;
export const DEFAULT_CHAT_EXPIRES_IN_S = 86_400;

export interface CurrentValues {
  remark: string;
  /**
   * The requester's tag, without the unique suffix WeCom got; '' when none was typed (WeCom's state is then
   * one we made up) or the way was synced (a new tag still gets a suffix, and empty keeps WeCom's).
   */
  state: string;
  skip_verify: boolean;
  user: string[];
  party: number[];
  /** Temporary ways only. */
  expires_in?: number;
  chat_expires_in?: number;
  /** The closing message's text; '' when there is none. */
  conclusions: string;
  welcome: string;
  /** The closing message's card, if any. */
  closing?: Attachment | undefined;
  /** The welcome message's cards, in order. */
  welcomeCards: Attachment[];
}

export function currentValues(record: ContactWayRecord): CurrentValues {
  const r = record.request;
  return {
    remark: r.remark ?? '',
    state: record.stateTag ?? '',
    skip_verify: r.skip_verify ?? true,
    user: r.user ?? [],
    party: r.party ?? [],
    ...(record.isTemp
      ? {
          expires_in: r.expires_in ?? DEFAULT_EXPIRES_IN_S,
          chat_expires_in: r.chat_expires_in ?? DEFAULT_CHAT_EXPIRES_IN_S,
        }
      : {}),
    conclusions: r.conclusions?.text?.content ?? '',
    welcome: record.welcome ?? '',
    closing: currentClosing(record),
    welcomeCards: record.welcomeAttachments ?? [],
  };
}

/** The changes that differ from the way as it is: only these go to WeCom and into the record. */
export function changedOnly(record: ContactWayRecord, changes: UpdateChanges): UpdateChanges {
  const current = currentValues(record);
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    if (!same(key, value, current, record)) kept[key] = value;
  }
  return kept as UpdateChanges;
}

function same(key: string, value: unknown, current: CurrentValues, record: ContactWayRecord): boolean {
  if (key === 'closing') return sameCard(value as AttachmentChoice | null, currentClosing(record));
  if (key === 'welcomeLinks' || key === 'welcomeMiniprograms') {
    const kind = key === 'welcomeLinks' ? 'link' : 'miniprogram';
    const now = (record.welcomeAttachments ?? []).filter((a) => a.kind === kind);
    return (
      JSON.stringify((value as Attachment[] | string[]).map(cardKey)) === JSON.stringify(now.map(cardKey))
    );
  }
  if (key === 'conclusions') {
    const sent = value as NonNullable<UpdateChanges['conclusions']>;
    // Only the text is edited here; a way's image, link or mini-program stays as long as the text does.
    const textOnly = !sent.image && !sent.link && !sent.miniprogram;
    return textOnly && (sent.text?.content ?? '') === current.conclusions;
  }
  const known = key in current ? current[key as keyof CurrentValues] : record.request[key as 'style'];
  return JSON.stringify(value) === JSON.stringify(known);
}

/** A chosen card against the way's: a mini-program by its preset name, a link field by field; null is none. */
function sameCard(choice: AttachmentChoice | null, card: Attachment | undefined): boolean {
  if (!choice || !card) return !choice && !card;
  return cardKey(choice) === cardKey(card);
}

/** What makes two cards the same for an edit: a link's four fields, a mini-program's preset name. */
function cardKey(card: AttachmentChoice | Attachment | string): string {
  if (typeof card === 'string') return `miniprogram\u0000${card}`;
  if (card.kind === 'link')
    return ['link', card.title, card.url, card.desc ?? '', card.picurl ?? ''].join('\u0000');
  if (card.kind === 'miniprogram') return `miniprogram\u0000${card.name}`;
  return `image\u0000${card.sha256}`;
}
