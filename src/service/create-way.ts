/**
 * Creating a contact way: once per submission (idempotency key), within the requester's creation limit, with a
 * state no other way holds, stored before anyone is told its config_id (or parked when the store fails).
 */
import { RateLimitError, UpstreamError, ValidationError, WecomError } from '../base/errors.js';
import { t } from '../base/i18n.js';
import { type CheckedImage, type ImageRef, imageRefOf } from '../media/index.js';
import {
  type ContactWayRecord,
  type Requester,
  requesterKey,
  type StoreWrite,
  writeAll,
} from '../store/index.js';
import { type Attachment, type ImageContent, toConclusions } from '../store/message-content.js';
import type { AddContactWayRequest } from '../wecom/schemas.js';
import { checkWelcome } from './check-welcome.js';
import {
  coverMediaId,
  keepImage,
  keepImageAgain,
  keepWelcomeImage,
  sendWithCover,
  sendWithImage,
} from './closing-image.js';
import type { ServiceContext } from './context.js';
import type { Remember } from './idempotency.js';
import {
  checkClosingIsTemp,
  checkOneClosingCard,
  givenLinks,
  resolveClosing,
  resolveWelcomeAttachments,
} from './rich-parts.js';
import type { ContactWayService, CreateOptions, CreateResult } from './types.js';
import { claimNewState } from './way-states.js';

/** What a way stores besides WeCom's request. */
interface Extras {
  welcome: string | undefined;
  closing?: Attachment;
  welcomeAttachments?: Attachment[];
  /** The welcome image (new bytes, or an earlier way's kept image), kept and uploaded before anything is reserved. */
  welcomeImage?: NewOrKept;
}

/** An image attached now (its bytes), or one an earlier way keeps (`again`: its ref). */
type NewOrKept = CheckedImage | ImageRef;
const isNew = (image: NewOrKept): image is CheckedImage => 'bytes' in image;
const refOf = ({ kind: _, ...ref }: ImageContent): ImageRef => ref;

export function createWay(ctx: ServiceContext): ContactWayService['create'] {
  const { wecom, records, logger, now, policy, fetchQr, idempotency, view, audited, owned } = ctx;

  async function create(
    requester: Requester,
    request: AddContactWayRequest,
    options: CreateOptions = {},
  ): Promise<CreateResult> {
    const welcome = checkWelcome(options.welcome);
    // Cards are resolved before anything is claimed or sent: a bad one is a field error, nothing half-made.
    const rich = options.rich ?? {};
    checkClosingIsTemp(request.is_temp === true, rich.closing);
    const closing = resolveClosing(ctx.miniprograms, rich.closing);
    // `again`: the earlier way's images, where none is attached now; read as the requester (owner or admin).
    const reused = await reusedImages(requester, options.imagesFrom);
    const welcomeImage: NewOrKept | undefined = options.welcomeImage ?? reused.welcome;
    const imageCard = welcomeImage
      ? { kind: 'image' as const, ...(isNew(welcomeImage) ? imageRefOf(welcomeImage) : welcomeImage) }
      : undefined;
    const welcomeAttachments = resolveWelcomeAttachments(ctx.miniprograms, rich, [], imageCard);
    await ctx.checkLinks?.(givenLinks(closing, welcomeAttachments));
    const cover = await coverMediaId(ctx.images, closing);
    const conclusions = toConclusions(request.conclusions?.text?.content, closing, cover);
    const full: AddContactWayRequest = { ...request, ...(conclusions ? { conclusions } : {}) };
    const extras: Extras = {
      welcome,
      ...(closing ? { closing } : {}),
      ...(welcomeAttachments ? { welcomeAttachments } : {}),
      ...(welcomeImage ? { welcomeImage } : {}),
    };
    const key = options.idempotencyKey;
    const image: NewOrKept | undefined = options.closingImage ?? reused.closing;
    checkOneClosingCard(image !== undefined, rich.closing);
    if (key === undefined) return createOnce(requester, full, extras, options.creator, image);
    return idempotency.once(
      `${requesterKey(requester)}:${key}`,
      (remember) => createOnce(requester, full, extras, options.creator, image, remember),
      (result) => result.record.configId,
      async (configId) => ({ ...(await replay(requester, configId)), replayed: true }),
    );
  }

  /** The images `again` reuses from an earlier way: those it has and the requester did not leave out. */
  async function reusedImages(
    requester: Requester,
    from: CreateOptions['imagesFrom'],
  ): Promise<{ closing?: ImageRef; welcome?: ImageRef }> {
    if (!from || (!from.closing && !from.welcome)) return {};
    const earlier = await owned(requester, from.configId);
    const welcome = earlier.welcomeAttachments?.find((a): a is ImageContent => a.kind === 'image');
    return {
      ...(from.closing && earlier.closingImage ? { closing: earlier.closingImage } : {}),
      ...(from.welcome && welcome ? { welcome: refOf(welcome) } : {}),
    };
  }

  /** The result of a creation that already happened, for a repeated submission. */
  async function replay(requester: Requester, configId: string): Promise<CreateResult> {
    const record = await owned(requester, configId);
    const qr = record.qrCode ? await fetchQr(record.qrCode) : undefined;
    return { record: view(record), qr, stored: true };
  }

  function createOnce(
    requester: Requester,
    request: AddContactWayRequest,
    extras: Extras,
    creator: CreateOptions['creator'],
    image: NewOrKept | undefined,
    remember?: Remember,
  ): Promise<CreateResult> {
    return audited(requester, 'create', undefined, async (success) => {
      policy.checkCreateFor(requester, request.user ?? [], request.party ?? []);
      // Kept before anything is reserved: an image the store cannot take stops the creation here.
      const imageRef = !image
        ? undefined
        : isNew(image)
          ? await keepImage(ctx.images, image)
          : await keepImageAgain(ctx.images, image);
      const welcomeImage = extras.welcomeImage;
      if (welcomeImage && isNew(welcomeImage)) await keepWelcomeImage(ctx.images, welcomeImage);
      else if (welcomeImage) await keepImageAgain(ctx.images, welcomeImage, { welcome: true });
      // The state is the only link from WeCom's add callback back to this way: one no other way holds.
      const stateTag = request.state || undefined;
      const state = await claimNewState(ctx.stateIndex, stateTag);
      const slot = await ctx.creationLimiter?.take(requesterKey(requester)).catch(async (error: unknown) => {
        await releaseState(state);
        throw error;
      });
      let checked: AddContactWayRequest = { ...request, state };
      // Only an add_contact_way whose outcome we do not know may have created a way; an image upload that
      // fails before it leaves nothing at WeCom, like an errcode.
      let uncertain = false;
      const add = (req: AddContactWayRequest) =>
        wecom.addContactWay(req).then(
          (answer) => {
            checked = req;
            return answer;
          },
          (error: unknown) => {
            if (!certainlyNotCreated(error)) uncertain = true;
            throw error;
          },
        );
      const sent = imageRef
        ? sendWithImage(ctx.images, imageRef, checked, add)
        : sendWithCover(ctx.images, extras.closing, checked, add);
      const created = await sent.catch(async (error: unknown) => {
        if (!uncertain) {
          await slot
            ?.refund()
            .catch((refundError: unknown) =>
              logger.warn({ err: refundError }, 'creation slot not given back'),
            );
          await releaseState(state);
        }
        throw uncertain ? mayHaveBeenCreated(error) : error;
      });
      const at = new Date(now());
      const expiresInS = checked.is_temp ? (checked.expires_in ?? 7 * 86_400) : undefined;
      const authCorpId = ctx.corp?.();
      const record: ContactWayRecord = {
        configId: created.config_id,
        requester,
        createdAt: at.toISOString(),
        updatedAt: at.toISOString(),
        request: checked,
        qrCode: created.qr_code,
        isTemp: checked.is_temp === true,
        expiresAt:
          expiresInS === undefined ? undefined : new Date(at.getTime() + expiresInS * 1000).toISOString(),
        status: 'active',
        source: 'created',
        ...(authCorpId ? { authCorpId } : {}),
        ...(stateTag ? { stateTag } : {}),
        ...(imageRef ? { closingImage: imageRef } : {}),
        ...(extras.welcome ? { welcome: extras.welcome } : {}),
        ...(extras.closing ? { closing: extras.closing } : {}),
        ...(extras.welcomeAttachments ? { welcomeAttachments: extras.welcomeAttachments } : {}),
        ...(creator ? { locale: creator.locale } : {}),
        ...(creator?.timeZone ? { timeZone: creator.timeZone } : {}),
      };
      const stored = await storeCreated(record, state, () => [
        ...(remember ? [remember(record.configId)] : []),
        success(),
      ]);
      const qr = created.qr_code ? await fetchQr(created.qr_code) : undefined;
      return { record: view(record), qr, stored };
    });
  }

  /**
   * Stores a new config_id before anyone is told about it, in one atomic batch (one round trip) with its
   * requester index, its state's binding and what the wrappers remember of the creation (the idempotency
   * result, the audit entry). Should the batch fail, each is written alone as before there were batches, so
   * one failing write costs no other: the record is journaled if it fails, the rest logged. The requester is
   * shown the config_id either way.
   */
  async function storeCreated(
    record: ContactWayRecord,
    state: string,
    alongside: () => StoreWrite[],
  ): Promise<boolean> {
    let others: StoreWrite[] = [];
    try {
      others = alongside();
      const binding = ctx.stateIndex ? [ctx.stateIndex.bindWrite(state, record.configId)] : [];
      await writeAll([...records.writesFor(record), ...binding, ...others]);
      return true;
    } catch (error) {
      logger.warn({ err: error, configId: record.configId }, 'batch write failed; writing one at a time');
      const stored = await storeRecord(record);
      await bindState(state, record.configId);
      for (const write of others) await writeAlone(write);
      return stored;
    }
  }

  /** The record alone, when the batch failed; if that fails too, the caller still shows its config_id. */
  async function storeRecord(record: ContactWayRecord): Promise<boolean> {
    try {
      await records.put(record);
      return true;
    } catch (error) {
      // This line is the last copy of the config_id if the requester loses the reply: keep it complete.
      logger.error(
        {
          err: error,
          configId: record.configId,
          requester: requesterKey(record.requester),
          qrCode: record.qrCode,
        },
        'store write failed after WeCom created the contact way; config_id not saved',
      );
      await ctx.pending?.add(record);
      return false;
    }
  }

  /** An idempotency result or audit entry, when the batch failed: its loss fails nothing, the line keeps it. */
  async function writeAlone(write: StoreWrite): Promise<void> {
    await writeAll([write]).catch((error: unknown) =>
      logger.error({ err: error, key: write.key, value: write.value }, 'store write failed after creation'),
    );
  }

  /**
   * Names the way its reserved state was for. A failure only costs attribution of this way's customers (the
   * reservation keeps the state from every other way): logged with both, never thrown.
   */
  async function bindState(state: string, configId: string): Promise<void> {
    try {
      await ctx.stateIndex?.bind(state, configId);
    } catch (error) {
      logger.error(
        { err: error, configId, state },
        'state index write failed; callbacks cannot attribute this way',
      );
    }
  }

  /** Frees a reservation WeCom never used; left behind on failure, it only keeps one random state unused. */
  async function releaseState(state: string): Promise<void> {
    await ctx.stateIndex
      ?.release(state)
      .catch((error: unknown) => logger.warn({ err: error }, 'state reservation not released'));
  }

  return create;
}

/**
 * WeCom answered with an errcode (or our client never sent the call): nothing exists at WeCom, so the
 * requester's creation slot is given back; a refused form must not cost one of RATE_LIMIT_CREATES. A timeout,
 * a network failure or an unreadable answer may hide a created way: those keep the slot.
 */
function certainlyNotCreated(error: unknown): boolean {
  return error instanceof WecomError || error instanceof RateLimitError || error instanceof ValidationError;
}

/**
 * add_contact_way has no idempotency key: when WeCom times out or fails with a 5xx, it may have created the
 * way anyway, and we hold no config_id for it. Say so, instead of a plain "WeCom did not answer", so the
 * requester checks before creating another (a permanent one can be recovered by an admin's sync).
 */
function mayHaveBeenCreated(error: unknown): unknown {
  if (!(error instanceof UpstreamError) || error.code === 'wecom.bad_response') return error;
  return new UpstreamError(
    error.code as 'wecom.timeout' | 'wecom.unreachable',
    t(
      `${error.human.en} WeCom may have created the contact way without our receiving its config_id. Trying again creates a new one; an unused temporary QR simply expires, and an admin's sync recovers a permanent one.`,
      `${error.human.zh} 企业微信可能已创建该「联系我」但我们未收到 config_id。重试会创建新的；未使用的临时二维码会自行过期，长期二维码可由管理员通过 sync 找回。`,
    ),
    { cause: error },
  );
}
