import type { Client } from 'discord.js';
import type { Notifier } from '../../src/chat/port.js';
import type { StateStore } from '../../src/chat/state-store.js';
import type { Locale } from '../../src/i18n.js';
import type { Logger } from '../../src/logger.js';
import { saveNotes } from './notify-buttons.js';
import { renderReply } from './render-reply.js';

/**
 * Reaches a requester outside any interaction: a DM (`POST /users/@me/channels`, then a message in it).
 * Discord tells no language outside an interaction, so the default one is used. A click in a DM comes from
 * no guild, so the buttons (Show, End session) carry the id of a state-store entry naming the requester
 * they were sent to (notify-buttons.ts, handle-note.ts). Mentions stay off (client.ts).
 */
export function discordNotifier(
  client: Client,
  state: StateStore,
  defaultLocale: Locale,
  logger: Logger,
): Notifier {
  return {
    async notify(requester, build) {
      try {
        const reply = build(defaultLocale);
        const notes = await saveNotes(state, requester, reply.actions);
        const dm = await client.users.createDM(requester.userId);
        await dm.send(renderReply(reply, { locale: defaultLocale, notes }));
        return true;
      } catch (error) {
        // The person may have DMs closed or have left every shared guild.
        logger.warn({ err: error, userId: requester.userId }, 'could not DM a discord requester');
        return false;
      }
    },
  };
}
