/**
 * The cards of a creation or an edit, resolved before WeCom hears of anything: mini-programs from their
 * presets, the nine-attachment limit, temp-only closing cards. Every problem is a field error, so nothing is
 * half-created.
 */
import { type FieldIssue, ValidationError } from '../base/errors.js';
import { t } from '../base/i18n.js';
import type { ContactWayRecord } from '../store/index.js';
import {
  type Attachment,
  type AttachmentChoice,
  cardOfConclusions,
  type ImageContent,
  type LinkContent,
  type RichInput,
} from '../store/message-content.js';
import { MAX_WELCOME_ATTACHMENTS } from '../wecom/attachment-schemas.js';
import type { GivenLink } from './link-check.js';
import { type MiniprogramPresets, resolveMiniprograms } from './miniprograms.js';

/** The form field a closing card came from: errors about it name that field. */
export function closingField(choice: { kind: string }): string {
  return choice.kind === 'link' ? 'closing_link' : 'closing_miniprogram';
}

/** A chosen closing card, resolved; undefined for none. */
export function resolveClosing(
  presets: MiniprogramPresets,
  choice: AttachmentChoice | null | undefined,
): Attachment | undefined {
  if (!choice) return undefined;
  if (choice.kind === 'link') return choice;
  return resolveMiniprograms(presets, [choice.name], 'closing_miniprogram')[0];
}

/**
 * The welcome attachments after `input`: links, mini-programs and the image replaced where the input says
 * (undefined keeps the current ones, null removes the image). Throws ValidationError for an unknown preset or
 * more than nine.
 */
export function resolveWelcomeAttachments(
  presets: MiniprogramPresets,
  input: RichInput,
  current: readonly Attachment[] = [],
  image?: ImageContent | null,
): Attachment[] | undefined {
  const links: LinkContent[] =
    input.welcomeLinks ?? current.filter((a): a is LinkContent => a.kind === 'link');
  const minis =
    input.welcomeMiniprograms === undefined
      ? current.filter((a) => a.kind === 'miniprogram')
      : resolveMiniprograms(presets, input.welcomeMiniprograms, 'welcome_miniprograms');
  const images = image === undefined ? current.filter((a) => a.kind === 'image') : image ? [image] : [];
  const all = [...images, ...links, ...minis];
  if (all.length > MAX_WELCOME_ATTACHMENTS) {
    const field =
      input.welcomeLinks !== undefined
        ? 'welcome_links'
        : input.welcomeMiniprograms !== undefined
          ? 'welcome_miniprograms'
          : 'welcome_image';
    throw new ValidationError([
      {
        field,
        message: t(
          `a welcome message takes at most ${MAX_WELCOME_ATTACHMENTS} attachments (links, mini-programs and images together); this makes ${all.length}`,
          `欢迎语最多 ${MAX_WELCOME_ATTACHMENTS} 个附件（链接、小程序、图片合计）；当前为 ${all.length} 个`,
        ),
      },
    ]);
  }
  return all.length > 0 ? all : undefined;
}

/** A closing card on a way that is not temporary: WeCom ignores conclusions there, so we refuse it. */
export function checkClosingIsTemp(isTemp: boolean, choice: AttachmentChoice | null | undefined): void {
  if (isTemp || !choice) return;
  const issue: FieldIssue = {
    field: closingField(choice),
    message: t(
      'a closing message only applies to temporary sessions (temp)',
      '结束语仅适用于临时会话（temp）',
    ),
  };
  throw new ValidationError([issue]);
}

/**
 * A link or mini-program beside a closing image: WeCom sends one card, image > link > mini-program, so the
 * card would never reach the customer; refused rather than stored and shown as if it would.
 */
export function checkOneClosingCard(
  hasImage: boolean,
  choice: AttachmentChoice | Attachment | null | undefined,
  field?: string,
): void {
  if (!hasImage || !choice || choice.kind === 'image') return;
  throw new ValidationError([
    {
      field: field ?? closingField(choice),
      message: t(
        'WeCom sends one closing card, in the order image > link > mini-program: beside an image a link or mini-program would never be sent. Keep only one.',
        '企业微信结束语只发送一张卡片（图片 > 链接 > 小程序）：有图片时链接或小程序不会被发送。请只保留一个。',
      ),
    },
  ]);
}

/** The closing card a way has now: as stored, else read back from its conclusions (synced ways). */
export function currentClosing(record: ContactWayRecord): Attachment | undefined {
  return record.closing ?? cardOfConclusions(record.request.conclusions);
}

/** The links of the cards a requester gave (a closing link card, welcome link cards), each with its field. */
export function givenLinks(
  closing: Attachment | undefined,
  welcome: readonly Attachment[] | undefined,
): GivenLink[] {
  const of = (card: Attachment | undefined, field: string): GivenLink[] =>
    card?.kind === 'link'
      ? [{ url: card.url, field }, ...(card.picurl ? [{ url: card.picurl, field }] : [])]
      : [];
  return [...of(closing, 'closing_link'), ...(welcome ?? []).flatMap((card) => of(card, 'welcome_links'))];
}
