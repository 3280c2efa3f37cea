import type { Client } from 'discord.js';
import type { Locale } from '../../src/base/i18n.js';
import type { Logger } from '../../src/base/logger.js';
import type { Notifier } from '../../src/chat/port.js';
import { renderReply } from './render-reply.js';

/**
 * Reaches a requester outside any interaction: a DM (`POST /users/@me/channels`, then a message in it).
 * Discord tells no language outside an interaction, so the default one is used. The buttons (Show, End
 * session) carry the flow's tokens, stored and naming the guild they were made for, since a click in a DM
 * comes from no guild (handle-button.ts). Mentions stay off (client.ts).
 */
export function discordNotifier(client: Client, defaultLocale: Locale, logger: Logger): Notifier {
  return {
    async notify(requester, build) {
      try {
        const reply = await build(defaultLocale);
        const dm = await client.users.createDM(requester.userId);
        await dm.send(renderReply(reply, { locale: defaultLocale }));
        return true;
      } catch (error) {
        // The person may have DMs closed or have left every shared guild.
        logger.warn({ err: error, userId: requester.userId }, 'could not DM a discord requester');
        return false;
      }
    },
  };
}
