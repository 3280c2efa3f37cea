import { ContactwayError, WecomError } from '../base/errors.js';
import { type Bilingual, t } from '../base/i18n.js';
import type { Logger } from '../base/logger.js';
import { type ImageMedia, welcomeImageLateError } from '../media/index.js';
import type { WelcomeStatus } from '../store/customer-store.js';
import type { ContactWayRecord } from '../store/index.js';
import {
  type Attachment,
  describeCards,
  imageOfCard,
  toWelcomeAttachment,
} from '../store/message-content.js';
import type { CustomerClient } from '../wecom/customers.js';
import type { EventStore, StoredEvent } from './event-store.js';

/** WeCom accepts send_welcome_msg for 20 s after the event (reference §5). */
export const WELCOME_WINDOW_MS = 20_000;
/**
 * The last second of the window is not used: a request started then reaches WeCom after the code expired,
 * and WeCom's clock and ours are never exactly the same.
 */
export const WELCOME_MARGIN_MS = 1_000;
/** Wait before retrying a 41096 (another app is sending right now); retried until the window closes. */
export const WELCOME_RETRY_MS = 1_000;

export interface WelcomeDeps {
  wecom: Pick<CustomerClient, 'sendWelcomeMsg'>;
  events: Pick<EventStore, 'markWelcomeAttempt'>;
  logger: Logger;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** The welcome images' media_ids, kept fresh ahead of time; without it a welcome goes without its image. */
  images?: Pick<ImageMedia, 'welcomeMediaId'> | undefined;
}

export interface WelcomeResult {
  status: WelcomeStatus;
  /** What went out, when it did: the text's length and each card, for the requester's notification. */
  sent?: Bilingual;
  code?: string;
  human?: Bilingual;
}

/**
 * When the welcome code stops working, on our clock. The window starts at the event's CreateTime (WeCom's
 * clock): a WeCom retry or a run after an outage may come long after it. Our receipt time bounds it too, in
 * case our clock runs behind WeCom's (CreateTime would then look younger than it is).
 */
export function welcomeDeadline(stored: StoredEvent): number {
  const start = Math.min(stored.event.createTime * 1000, Date.parse(stored.receivedAt));
  return start + WELCOME_WINDOW_MS - WELCOME_MARGIN_MS;
}

/**
 * send_welcome_msg within WeCom's window, once: 41096 retried until it closes, 41051 reported. The attempt is
 * recorded on the event before the call, so a later run of the same event (the first died, or a later step
 * failed) tells "our earlier send went out" apart from "someone else greeted them".
 */
export async function sendWelcome(
  way: ContactWayRecord,
  stored: StoredEvent,
  deps: WelcomeDeps,
): Promise<WelcomeResult> {
  const { event } = stored;
  const storedCards = way.welcomeAttachments ?? [];
  if (!way.welcome && storedCards.length === 0) return { status: 'not_configured' };
  if (!event.welcomeCode) return { status: 'no_code' };
  const triedBefore = stored.welcomeAttemptedAt !== undefined;
  const deadline = welcomeDeadline(stored);
  if (deps.now() >= deadline) return { status: triedBefore ? 'unknown' : 'window_passed' };
  const cards = await wireCards(way, storedCards, deps);
  if (!way.welcome && cards.length === 0) {
    const late = welcomeImageLateError();
    return { status: 'failed', code: late.code, human: late.human };
  }
  // Throws when the store is down: the event then fails and is retried, and nothing was sent unrecorded.
  await deps.events.markWelcomeAttempt(stored.key, deps.now());
  for (;;) {
    if (deps.now() >= deadline) return { status: triedBefore ? 'unknown' : 'window_passed' };
    try {
      await deps.wecom.sendWelcomeMsg({
        welcome_code: event.welcomeCode,
        ...(way.welcome ? { text: { content: way.welcome } } : {}),
        ...(cards.length > 0 ? { attachments: cards.map((c) => c.wire) } : {}),
      });
      return {
        status: 'sent',
        sent: whatWasSent(
          way.welcome,
          cards.map((c) => c.card),
        ),
      };
    } catch (error) {
      if (error instanceof WecomError && error.errcode === 41051)
        return { status: triedBefore ? 'probably_sent' : 'already_greeted', code: 'wecom.41051' };
      if (error instanceof WecomError && error.errcode === 41096) {
        await deps.sleep(Math.max(0, Math.min(WELCOME_RETRY_MS, deadline - deps.now())));
        continue;
      }
      const failure = error instanceof ContactwayError ? error : undefined;
      deps.logger.warn({ err: error, configId: way.configId }, 'callback: welcome message not sent');
      return {
        status: 'failed',
        code: failure?.code ?? 'internal',
        ...(failure ? { human: failure.human } : {}),
      };
    }
  }
}

/**
 * The attachments as WeCom takes them. Cards were resolved when the way was made (presets, links); an image only
 * reads its stored media_id: nothing is uploaded in the 20 s. An image without a fresh one is left out, noted.
 */
async function wireCards(way: ContactWayRecord, cards: readonly Attachment[], deps: WelcomeDeps) {
  const wired = await Promise.all(
    cards.map(async (card) => {
      // An image, or a mini-program whose cover is a file (MINIPROGRAMS pic_path): the stored media_id only.
      const image = imageOfCard(card);
      const mediaId = image ? await deps.images?.welcomeMediaId(image) : undefined;
      const wire = toWelcomeAttachment(card, mediaId);
      if (!wire)
        deps.logger.warn(
          { configId: way.configId, image: image?.slice(0, 12) },
          'callback: welcome image has no fresh media_id; sent without it',
        );
      return wire ? [{ card, wire }] : [];
    }),
  );
  return wired.flat();
}

/** "Text (120 characters) and link “Opening hours”": what the customer got, for the requester. */
function whatWasSent(text: string | undefined, cards: Attachment[]): Bilingual {
  const parts: Bilingual[] = [];
  if (text) parts.push(t(`text (${[...text].length} characters)`, `文本（${[...text].length} 个字符）`));
  if (cards.length > 0) parts.push(describeCards(cards));
  return t(parts.map((p) => p.en).join('; '), parts.map((p) => p.zh).join('；'));
}
