import { MAX_WELCOME_ATTACHMENTS, WELCOME_MSGTYPES } from '../wecom/media-schemas.js';
import { isPlainObject } from './rules.js';
import { Rejection } from './wecom-reply.js';

/**
 * send_welcome_msg's attachment rules as WeCom answers them (§5.3): at most 9 (41064), each a known msgtype
 * with its body under the key of that msgtype (41065), and an image's media_id alive (40007).
 */
export function checkAttachments(attachments: unknown, checkMedia: (mediaId: string) => void): void {
  if (attachments === undefined) return;
  if (!Array.isArray(attachments)) throw new Rejection(40058, 'attachments must be an array');
  if (attachments.length > MAX_WELCOME_ATTACHMENTS)
    throw new Rejection(41064, `${attachments.length} attachments, at most ${MAX_WELCOME_ATTACHMENTS}`);
  attachments.forEach((item, i) => {
    const msgtype = isPlainObject(item) ? item.msgtype : undefined;
    if (typeof msgtype !== 'string' || !(WELCOME_MSGTYPES as readonly string[]).includes(msgtype))
      throw new Rejection(41065, `attachments[${i}].msgtype is not one of ${WELCOME_MSGTYPES.join(', ')}`);
    const body = (item as Record<string, unknown>)[msgtype];
    if (!isPlainObject(body)) throw new Rejection(41065, `attachments[${i}] has no ${msgtype} body`);
    if (msgtype === 'image' && typeof body.media_id === 'string') checkMedia(body.media_id);
  });
}
