import type { Client } from 'discord.js';
import type { Logger } from '../../src/base/logger.js';
import type { Notifier } from '../../src/chat/port.js';
import { renderReply } from './render-reply.js';

/**
 * Reaches a requester outside any interaction: a DM (`POST /users/@me/channels`, then a message in it).
 * Discord tells no language outside an interaction, so the one the requester used when they made the way
 * (DEFAULT_LOCALE on older ways) is used, with DEFAULT_TIMEZONE (Discord never tells a zone). The buttons (Show, End
 * session) carry the flow's tokens, stored and naming the guild they were made for, since a click in a DM
 * comes from no guild (handle-button.ts). Mentions stay off (client.ts).
 */
export function discordNotifier(client: Client, logger: Logger): Notifier {
  return {
    async notify(requester, build, remembered) {
      try {
        const reply = await build(remembered);
        const dm = await client.users.createDM(requester.userId);
        await dm.send(renderReply(reply, { locale: remembered.locale }));
        return true;
      } catch (error) {
        // The person may have DMs closed or have left every shared guild.
        logger.warn({ err: error, userId: requester.userId }, 'could not DM a discord requester');
        return false;
      }
    },
  };
}
