/**
 * Editing a way: only what differs from the way as it is goes anywhere (nothing changed, nothing sent); the same
 * CREATE_FOR rule as creation, WeCom's rules against the existing way checked first (so the user hears them in
 * their words), a new unique state for a new tag, and the stored record kept in step.
 */
import { ValidationError } from '../base/errors.js';
import { t } from '../base/i18n.js';
import { definedOnly } from '../base/validate.js';
import { imageHash, imageRefOf } from '../media/index.js';
import { type ContactWayRecord, writeAll } from '../store/index.js';
import { type Attachment, type ImageContent, toConclusions } from '../store/message-content.js';
import type { UpdateContactWayRequest } from '../wecom/schemas.js';
import { checkWelcome } from './check-welcome.js';
import { coverMediaId, keepImage, keepWelcomeImage, sendWithCover, sendWithImage } from './closing-image.js';
import type { ServiceContext } from './context.js';
import {
  checkClosingIsTemp,
  checkOneClosingCard,
  currentClosing,
  givenLinks,
  resolveClosing,
  resolveWelcomeAttachments,
} from './rich-parts.js';
import type { ContactWayService, RecordView, UpdateChanges } from './types.js';
import { changedOnly } from './way-current.js';
import { claimNewState } from './way-states.js';

export function updateWay(ctx: ServiceContext): ContactWayService['update'] {
  const { wecom, records, now, policy, view, audited, owned } = ctx;
  return (requester, configId, { closingImage, welcomeImage, ...changes }) =>
    audited(requester, 'update', configId, async (success) => {
      const record = await owned(requester, configId);
      const changed = changedOnly(record, changes);
      // The same picture attached again is no change; removing an image the way does not have, neither.
      const newImage =
        closingImage && imageHash(closingImage.bytes) !== record.closingImage?.sha256
          ? closingImage
          : undefined;
      const removeImage = closingImage === null && record.closingImage !== undefined;
      if (newImage || removeImage) (changed as Record<string, unknown>).closingImage = true;
      const welcomeChange = welcomeImageChange(record, welcomeImage);
      if (welcomeChange !== undefined) (changed as Record<string, unknown>).welcomeImage = true;
      if (Object.keys(changed).length === 0) return { record: view(record), changed: [] };
      const {
        welcome: newWelcome,
        state: newTag,
        closing: _closing,
        welcomeLinks: _links,
        welcomeMiniprograms: _minis,
        closingImage: _image,
        welcomeImage: _welcomeImage,
        ...wecomChanges
      } = changed;
      const welcome = newWelcome === undefined ? record.welcome : checkWelcome(newWelcome) || undefined;
      const request: UpdateContactWayRequest = { ...definedOnly(wecomChanges), config_id: configId };
      const rich = await closingAndWelcome(ctx, record, changed, {
        hasImage: !removeImage && (newImage ?? record.closingImage) !== undefined,
        imageChanged: newImage !== undefined || removeImage,
        imageRemoved: removeImage,
        welcomeImage: welcomeChange && { kind: 'image', ...imageRefOf(welcomeChange) },
      });
      if (rich.conclusions) request.conclusions = rich.conclusions;
      // Only links new to this way are opened: the kept ones were checked when they were given.
      const known = new Set(givenLinks(currentClosing(record), record.welcomeAttachments).map((l) => l.url));
      await ctx.checkLinks?.(
        givenLinks(rich.closing, rich.welcomeAttachments).filter((l) => !known.has(l.url)),
      );
      // Changing members is creating for them: the same CREATE_FOR rule, before WeCom hears of it.
      if (request.user !== undefined || request.party !== undefined) {
        policy.checkCreateFor(requester, request.user ?? [], request.party ?? []);
      }
      if (newImage && !record.isTemp) request.conclusions = {};
      checkUpdateFits(view(record), request);
      const imageRef = removeImage
        ? undefined
        : newImage
          ? await keepImage(ctx.images, newImage)
          : record.closingImage;
      if (welcomeChange) await keepWelcomeImage(ctx.images, welcomeChange);
      // A new tag gets a new state, unique like a creation's; the old one stays this way's (late events).
      const retagged = newTag !== undefined && newTag !== '' && newTag !== record.stateTag;
      if (retagged) request.state = await claimNewState(ctx.stateIndex, newTag, configId);
      // A welcome-only edit is ours alone: WeCom hears of nothing.
      // Conclusions go whole: the kept image goes with new text, with a media_id fresh enough (or re-uploaded).
      if (imageRef && (newImage || request.conclusions !== undefined)) {
        let sent = request;
        await sendWithImage(ctx.images, imageRef, request, (req) => {
          sent = req;
          return wecom.updateContactWay(req);
        });
        if (sent.conclusions) request.conclusions = sent.conclusions;
      } else if (Object.keys(request).length > 1) {
        // A closing mini-program whose cover is a file goes with a fresh media_id (40007: uploaded again).
        let sent = request;
        await sendWithCover(ctx.images, rich.closing, request, (req) => {
          sent = req;
          return wecom.updateContactWay(req);
        });
        if (sent.conclusions) request.conclusions = sent.conclusions;
      }
      const { config_id: _, ...applied } = request;
      const at = now();
      const {
        welcome: _previous,
        closing: _card,
        welcomeAttachments: _cards,
        closingImage: _closingImage,
        ...kept
      } = record;
      const updated: ContactWayRecord = {
        ...kept,
        ...(retagged ? { stateTag: newTag } : {}),
        ...(imageRef ? { closingImage: imageRef } : {}),
        request: { ...record.request, ...applied },
        updatedAt: new Date(at).toISOString(),
        // WeCom counts a new expires_in from the update, not from the creation: so do we, or `list` calls
        // a way expired (and edits are refused) while WeCom keeps it alive.
        ...(record.isTemp && request.expires_in !== undefined
          ? { expiresAt: new Date(at + request.expires_in * 1000).toISOString() }
          : {}),
        ...(welcome ? { welcome } : {}),
        ...(rich.closing ? { closing: rich.closing } : {}),
        ...(rich.welcomeAttachments ? { welcomeAttachments: rich.welcomeAttachments } : {}),
      };
      // The record, its index and the audit entry in one atomic round trip; the requester stays the stored one.
      await writeAll([...records.writesFor(updated), success()]);
      return { record: view(updated), changed: Object.keys(changed) };
    });
}

/**
 * The closing card and welcome attachments after an edit, and the conclusions WeCom gets when the closing text
 * or card changed: text and card together, since WeCom replaces conclusions as a whole (a new text must not drop
 * the card, a removed card must not drop the text). WeCom cannot clear a closing message: removing the last of
 * it is refused on the field that tried.
 */
async function closingAndWelcome(
  ctx: ServiceContext,
  record: ContactWayRecord,
  changed: UpdateChanges,
  image: {
    hasImage: boolean;
    imageChanged: boolean;
    /** The closing image is removed: an empty closing message left behind is this removal's fault. */
    imageRemoved?: boolean;
    welcomeImage: ImageContent | null | undefined;
  },
): Promise<{
  conclusions?: UpdateContactWayRequest['conclusions'];
  closing?: Attachment;
  welcomeAttachments?: Attachment[];
}> {
  checkClosingIsTemp(record.isTemp, changed.closing);
  const closing =
    changed.closing === undefined
      ? currentClosing(record)
      : resolveClosing(ctx.miniprograms, changed.closing);
  // A card kept from before and a newly attached image: the image is named, it is what made them clash.
  checkOneClosingCard(image.hasImage, closing, changed.closing ? undefined : 'image');
  const welcomeAttachments = resolveWelcomeAttachments(
    ctx.miniprograms,
    changed,
    record.welcomeAttachments,
    image.welcomeImage,
  );
  const out = { ...(closing ? { closing } : {}), ...(welcomeAttachments ? { welcomeAttachments } : {}) };
  const closingChanged = changed.closing !== undefined || changed.conclusions !== undefined;
  if (!closingChanged && !image.imageChanged) return out;
  const text = changed.conclusions?.text?.content ?? record.request.conclusions?.text?.content;
  // The image itself is added when sent (a fresh media_id): here it only makes the closing message non-empty.
  const conclusions =
    toConclusions(text, closing, await coverMediaId(ctx.images, closing)) ??
    (image.hasImage ? {} : undefined);
  if (!conclusions) {
    throw new ValidationError([
      {
        field: image.imageRemoved
          ? 'remove_images'
          : changed.closing === null
            ? 'closing_link'
            : 'conclusions',
        message: t(
          'WeCom can replace a closing message but not clear it: keep its text or a card',
          '企业微信只能替换结束语，不能清除：请保留文本或一张卡片',
        ),
      },
    ]);
  }
  return { ...out, conclusions };
}

/** Rules WeCom applies against the existing way, checked here so the user hears them in their words. */
function checkUpdateFits(record: RecordView, request: UpdateContactWayRequest): void {
  const issues = [];
  if (record.isTemp && record.expired) {
    issues.push({
      field: 'config_id',
      message: t(
        'this temporary QR has expired and can no longer be edited',
        '该临时二维码已过期，不能再修改',
      ),
    });
  }
  if (record.isTemp && request.user && request.user.length !== 1) {
    issues.push({
      field: 'user',
      message: t('a temporary session has exactly one member', '临时会话只能有一个成员'),
    });
  }
  if (record.request.type === 1 && request.party && request.party.length > 0) {
    issues.push({
      field: 'party',
      message: t(
        'departments are only allowed when type is 2 (several members)',
        '只有多人类型（type=2）才能填写部门',
      ),
    });
  }
  const tempOnly = ['expires_in', 'chat_expires_in', 'unionid', 'conclusions'] as const;
  for (const key of tempOnly) {
    if (!record.isTemp && request[key] !== undefined) {
      issues.push({
        field: key,
        message: t('only applies to temporary sessions (is_temp)', '仅在临时会话模式（is_temp）下有效'),
      });
    }
  }
  if (issues.length > 0) throw new ValidationError(issues);
}

/** The welcome image an edit sets: a new picture, null to remove the way's, undefined when nothing changes. */
function welcomeImageChange(
  record: ContactWayRecord,
  image: UpdateChanges['welcomeImage'],
): NonNullable<UpdateChanges['welcomeImage']> | null | undefined {
  const current = record.welcomeAttachments?.find((a) => a.kind === 'image');
  if (image === null) return current ? null : undefined;
  if (!image || imageHash(image.bytes) === current?.sha256) return undefined;
  return image;
}
