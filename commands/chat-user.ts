import { ValidationError } from '../src/base/errors.js';
import { t } from '../src/base/i18n.js';
import type { Requester } from '../src/store/index.js';

/** `platform:workspace:user`, as ADMINS and USER_MAP write a chat identity (parts URI-encoded). */
const IDENTITY = /^([a-z][a-z0-9-]{0,31}):([^\s:=,]+):([^\s:=,]+)$/;
/** A mention as the platform puts it in typed text: Slack `<@U123>` or `<@U123|name>`, Discord `<@123>`, `<@!123>`. */
const MENTION = /^<@!?([A-Za-z0-9_]+)(?:\|[^>]*)?>$/;

/**
 * The chat user an admin names in `link <chat user> <userid>` or `unlink <chat user>`: a full identity, or a
 * mention of someone in the admin's own workspace. Throws ValidationError naming `field`.
 */
export function readChatUser(text: string, by: Requester, field: string): Requester {
  const mention = MENTION.exec(text.trim());
  if (mention?.[1]) return { platform: by.platform, workspaceId: by.workspaceId, userId: mention[1] };
  const identity = IDENTITY.exec(text.trim());
  if (identity) {
    try {
      const [, platform, workspaceId, userId] = identity.map((p) => decodeURIComponent(p));
      if (platform && workspaceId && userId) return { platform, workspaceId, userId };
    } catch {
      // A malformed %-escape: refused below like any other text.
    }
  }
  throw new ValidationError([
    {
      field,
      message: t(
        'must be a chat user: a mention (@someone) or platform:workspace:user, as ADMINS names people',
        '须为聊天用户：@某人，或 平台:工作区:用户（与 ADMINS 中的写法相同）',
      ),
    },
  ]);
}
