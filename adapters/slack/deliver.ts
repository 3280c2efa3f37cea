import type { webApi } from '@slack/bolt';
import type { Reply } from '../../commands/index.js';
import type { Locale } from '../../src/base/i18n.js';
import type { Logger } from '../../src/base/logger.js';
import { replyToBlocks, replyToText } from './render-reply.js';

/** Where a reply goes: always to one person, in the conversation they asked from. */
export interface DeliveryTarget {
  userId: string;
  /** The conversation the command or button was used in. */
  channelId?: string;
  /** The command's or message's response_url (ephemeral by default, 5 uses in 30 minutes). */
  responseUrl?: string;
  /** Asked from no conversation (App Home, a global shortcut): replies go to the DM with the app. */
  dm?: boolean;
}

/** What happened to the QR: uploaded to the DM, or only linked. */
export type QrDelivery = 'dm' | 'url';

/** How a reply is delivered. */
export interface DeliverOptions {
  /**
   * `unless-dm`: no ephemeral summary when the QR reached the DM, for a reply the requester already sees in
   * full elsewhere (a submitted modal shows the result; the DM holds the QR, the facts and the buttons).
   * Default `always`.
   */
  summary?: 'always' | 'unless-dm';
}

export interface Deliverer {
  /** Sends a reply to its requester only; never throws (failures are logged). */
  deliver(
    reply: Reply,
    target: DeliveryTarget,
    locale: Locale,
    options?: DeliverOptions,
  ): Promise<QrDelivery>;
  /** A short text for the requester only, by the same ways as a reply; never throws. */
  note(text: string, target: DeliveryTarget): Promise<void>;
  /** A message in the person's DM with the app, buttons included (a notification); throws on failure. */
  direct(userId: string, reply: Reply, locale: Locale): Promise<void>;
}

export interface DelivererOptions {
  client: webApi.WebClient;
  logger: Logger;
  /** For response_url posts; Bolt's own respond() is not available in view handlers. */
  fetch?: typeof fetch;
}

interface Message {
  text: string;
  blocks: ReturnType<typeof replyToBlocks>;
}

/**
 * Delivers replies so that only the requester sees them.
 *
 * An ephemeral message cannot carry an uploaded file, and a QR posted in the channel would be visible to
 * everyone there. So the QR image is uploaded with `files.uploadV2` to the requester's DM with the app
 * (it stays there after WeCom's URL changes, with the facts and buttons), and the channel gets an
 * ephemeral summary pointing to it (unless the caller says the requester already sees the result, see
 * {@link DeliverOptions}). Without image bytes, or when the upload fails (missing files:write or im:write),
 * the ephemeral summary carries the QR URL instead.
 *
 * The ephemeral part goes through response_url first (it works in channels the app is not a member of),
 * then chat.postEphemeral, then as a DM, so a reply is never silently lost.
 */
export function createDeliverer(options: DelivererOptions): Deliverer {
  const { client, logger } = options;
  const doFetch = options.fetch ?? globalThis.fetch;

  // A user's DM with the bot never changes: one conversations.open per user per process is enough.
  const dms = new Map<string, string>();

  async function openDm(userId: string): Promise<string> {
    const known = dms.get(userId);
    if (known) return known;
    const opened = await client.conversations.open({ users: userId });
    const id = opened.channel?.id;
    if (!id) throw new Error('conversations.open returned no channel');
    dms.set(userId, id);
    return id;
  }

  async function uploadQr(reply: Reply, target: DeliveryTarget, locale: Locale): Promise<boolean> {
    const image = reply.qr?.image;
    if (!image) return false;
    try {
      const channelId = await openDm(target.userId);
      await client.filesUploadV2({
        channel_id: channelId,
        file: image.bytes,
        filename: `contactway-${reply.configId ?? 'qr'}.${image.fileName.split('.').pop()}`,
        title: reply.title,
        alt_text: reply.qr?.alt ?? reply.title,
        blocks: replyToBlocks(reply, { locale, qr: 'none' }),
      });
      return true;
    } catch (error) {
      logger.warn(
        { err: error, configId: reply.configId },
        'Slack QR upload failed; sending the QR URL instead',
      );
      return false;
    }
  }

  async function viaResponseUrl(url: string, message: Message): Promise<void> {
    const response = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ response_type: 'ephemeral', replace_original: false, ...message }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`response_url answered HTTP ${response.status}`);
  }

  async function postEphemeral(target: DeliveryTarget, message: Message): Promise<void> {
    const attempts: [string, () => Promise<unknown>][] = [];
    if (target.responseUrl) {
      const url = target.responseUrl;
      attempts.push(['response_url', () => viaResponseUrl(url, message)]);
    }
    if (target.channelId) {
      const channel = target.channelId;
      attempts.push([
        'chat.postEphemeral',
        () => client.chat.postEphemeral({ channel, user: target.userId, ...message }),
      ]);
    }
    attempts.push([
      'dm',
      async () => client.chat.postMessage({ channel: await openDm(target.userId), ...message }),
    ]);
    for (const [how, attempt] of attempts) {
      try {
        await attempt();
        logger.debug({ how }, 'Slack reply delivered');
        return;
      } catch (error) {
        logger.warn({ err: error, how }, 'Slack reply delivery failed; trying the next way');
      }
    }
    logger.error({ userId: target.userId }, 'Slack reply could not be delivered by any means');
  }

  return {
    async deliver(reply, target, locale, options = {}) {
      const qr: QrDelivery = (await uploadQr(reply, target, locale)) ? 'dm' : 'url';
      if (qr === 'dm' && options.summary === 'unless-dm') return qr;
      await postEphemeral(target, { text: replyToText(reply), blocks: replyToBlocks(reply, { locale, qr }) });
      return qr;
    },
    async note(text, target) {
      await postEphemeral(target, {
        text,
        blocks: [{ type: 'section', text: { type: 'plain_text', text } }],
      });
    },
    async direct(userId, reply, locale) {
      await client.chat.postMessage({
        channel: await openDm(userId),
        text: replyToText(reply),
        blocks: replyToBlocks(reply, { locale }),
      });
    },
  };
}
