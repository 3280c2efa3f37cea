/**
 * What a closing message or a welcome message carries besides its text, as we keep it with a way: one neutral
 * shape (`kind`) that the forms fill, the record stores, `show` describes and the WeCom bodies are made from.
 * Mini-programs are stored resolved from their preset (a preset changed later does not change a way's card).
 *
 * An image is kept as src/media keeps it (an ImageRef: the content hash finds the bytes); its media_id is never
 * stored here, it is asked of src/media when sent (fresh, or re-uploaded).
 */
import { z } from 'zod';
import { type Bilingual, t } from '../base/i18n.js';
import { imageRefSchema } from '../media/index.js';
import {
  linkBodySchema,
  MAX_WELCOME_ATTACHMENTS,
  miniprogramBodySchema,
  type WelcomeAttachment,
} from '../wecom/attachment-schemas.js';
import type { AddContactWayRequest } from '../wecom/schemas.js';

export const linkContentSchema = linkBodySchema.extend({ kind: z.literal('link') }).strict();
export type LinkContent = z.infer<typeof linkContentSchema>;

/**
 * A mini-program card. Its cover is a media_id (a preset's pic_media_id, as the admin gave it) or `pic_image`:
 * the hash of a preset's cover file (pic_path), kept by src/media, whose fresh media_id is asked for when sent.
 */
export const miniprogramContentSchema = miniprogramBodySchema
  .extend({
    kind: z.literal('miniprogram'),
    name: z.string().min(1).max(64),
    pic_media_id: miniprogramBodySchema.shape.pic_media_id.optional(),
    pic_image: imageRefSchema.shape.sha256.optional(),
  })
  .strict();
export type MiniprogramContent = z.infer<typeof miniprogramContentSchema>;

export const imageContentSchema = imageRefSchema.extend({ kind: z.literal('image') }).strict();
export type ImageContent = z.infer<typeof imageContentSchema>;

/** One card besides the text: stored as-is with the way. */
export const attachmentSchema = z.discriminatedUnion('kind', [
  linkContentSchema,
  miniprogramContentSchema,
  imageContentSchema,
]);
export type Attachment = z.infer<typeof attachmentSchema>;

/** Read side of the record: a value this runtime cannot read is dropped rather than hiding the record. */
export const storedAttachmentsSchema = z.array(attachmentSchema).max(MAX_WELCOME_ATTACHMENTS);

/**
 * What a form asks for: a link as typed, a mini-program by its preset's name (the service resolves it). Edits
 * also say `null` (remove it) or leave it undefined (keep it).
 */
export type AttachmentChoice = LinkContent | { kind: 'miniprogram'; name: string };

/** The rich parts of a creation or an edit, as the forms read them. */
export interface RichInput {
  /** The closing message's card (temp ways only); null removes it. */
  closing?: AttachmentChoice | null;
  /** The welcome message's links, in order; [] removes them. */
  welcomeLinks?: LinkContent[];
  /** The welcome message's mini-programs by preset name, in order; [] removes them. */
  welcomeMiniprograms?: string[];
}

/** The media_id a card needs asked of src/media when sent: an image's, a file cover's; none otherwise. */
export function imageOfCard(card: Attachment): string | undefined {
  if (card.kind === 'image') return card.sha256;
  return card.kind === 'miniprogram' ? card.pic_image : undefined;
}

/** WeCom's miniprogram body: the cover's media_id given (`coverMediaId`) where the card keeps a file's. */
function miniprogramWire(
  { kind: _, name: __, pic_image, pic_media_id, ...rest }: MiniprogramContent,
  coverMediaId: string | undefined,
) {
  const media = pic_image ? coverMediaId : pic_media_id;
  return media ? { ...rest, pic_media_id: media } : undefined;
}

/**
 * A stored card as a welcome attachment. An image, or a mini-program whose cover is a file, needs its media_id
 * (`imageMediaId`, e.g. src/media's `welcomeMediaId` for `imageOfCard`): without one it is undefined, and the
 * welcome goes without it.
 */
export function toWelcomeAttachment(
  content: Attachment,
  imageMediaId?: string,
): WelcomeAttachment | undefined {
  switch (content.kind) {
    case 'link': {
      const { kind: _, ...link } = content;
      return { msgtype: 'link', link };
    }
    case 'miniprogram': {
      const miniprogram = miniprogramWire(content, imageMediaId);
      return miniprogram ? { msgtype: 'miniprogram', miniprogram } : undefined;
    }
    case 'image':
      return imageMediaId ? { msgtype: 'image', image: { media_id: imageMediaId } } : undefined;
  }
}

type Conclusions = NonNullable<AddContactWayRequest['conclusions']>;

/**
 * The conclusions WeCom gets: the text, and the one card. WeCom applies image > link > miniprogram and sends
 * only one; we send only one, so what `show` says is what the customer gets. The closing image is the way's
 * `closingImage`, added when sent (src/service/closing-image.ts `sendWithImage`, with a fresh media_id): never
 * a card here. A mini-program whose cover is a file takes `coverMediaId` (fresh, src/media's `mediaIdFor`).
 */
export function toConclusions(
  text: string | undefined,
  card: Attachment | undefined,
  coverMediaId?: string,
): Conclusions | undefined {
  const body: Conclusions = text ? { text: { content: text } } : {};
  if (card?.kind === 'link') {
    const { kind: _, ...link } = card;
    body.link = link;
  } else if (card?.kind === 'miniprogram') {
    const miniprogram = miniprogramWire(card, coverMediaId);
    if (miniprogram) body.miniprogram = miniprogram;
  }
  return Object.keys(body).length > 0 ? body : undefined;
}

/**
 * The card a way's conclusions carry, for a way we did not store one for (synced, or made before cards): read
 * back from the request, in WeCom's priority.
 */
export function cardOfConclusions(conclusions: AddContactWayRequest['conclusions']): Attachment | undefined {
  if (!conclusions) return undefined;
  if (conclusions.link) return { kind: 'link', ...conclusions.link };
  if (conclusions.miniprogram) return { kind: 'miniprogram', name: '', ...conclusions.miniprogram };
  return undefined;
}

/** One card in a line a person reads: `link “Opening hours”`, `mini-program “booking” (Book a visit)`. */
export function describeCard(card: Attachment): Bilingual {
  switch (card.kind) {
    case 'link':
      return t(`link “${card.title}” (${card.url})`, `链接“${card.title}”（${card.url}）`);
    case 'miniprogram': {
      const named = card.name ? `“${card.name}” (${card.title})` : `“${card.title}”`;
      return t(`mini-program ${named}`, `小程序 ${named}`);
    }
    case 'image':
      return t(`image “${card.filename}”`, `图片“${card.filename}”`);
  }
}

/** Several cards on one line, in the reader's list style. */
export function describeCards(cards: readonly Attachment[]): Bilingual {
  const each = cards.map(describeCard);
  return t(each.map((c) => c.en).join('; '), each.map((c) => c.zh).join('；'));
}
