import { createHash } from 'node:crypto';
import type { Reply } from '../../commands/index.js';
import { isConfigId } from '../../src/chat/ids.js';

type QrImage = NonNullable<NonNullable<Reply['qr']>['image']>;

/**
 * The name a QR image is saved under in QR_DIR: `qr-{config_id}.png`. A config_id comes from WeCom (or a
 * proxy, or a stored record), so it is used only when it passes the same schema as our own input; anything
 * else (`/../../x`, a control character) is replaced by a fingerprint, so the file can only land in QR_DIR.
 */
export function qrFileName(configId: string | undefined, contentType: QrImage['contentType']): string {
  const extension = contentType === 'image/jpeg' ? 'jpg' : 'png';
  if (configId === undefined) return `qr-${Date.now()}.${extension}`;
  const safe = isConfigId(configId)
    ? configId
    : `unsafe-${createHash('sha256').update(configId).digest('hex').slice(0, 16)}`;
  return `qr-${safe}.${extension}`;
}
