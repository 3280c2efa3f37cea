import {
  GatewayDispatchEvents,
  InteractionResponseType,
  InteractionType,
  MessageFlags,
  type REST,
  Routes,
} from 'discord.js';
import { INTERNAL_ERROR } from '../../src/base/errors.js';
import { type Locale, say, toLocale } from '../../src/base/i18n.js';
import type { Logger } from '../../src/base/logger.js';
import { NO_MENTIONS } from './client.js';
import type { DispatchFailure } from './gateway-strategy.js';
import { escapeText } from './text.js';

/**
 * What to do with a gateway packet discord.js could not handle (see gateway-strategy.ts): log it, and when
 * it was an interaction we can still answer (it has an id and a token), tell the requester it failed
 * rather than leave Discord's "The application did not respond". Answered over REST from the raw packet,
 * since discord.js never built the interaction.
 */
export function onBrokenPacket(rest: REST, logger: Logger, defaultLocale: Locale): DispatchFailure {
  return (error, packet) => {
    logger.error({ err: error, event: packet?.t }, 'discord gateway packet could not be handled; dropped');
    if (packet?.t !== GatewayDispatchEvents.InteractionCreate) return;
    const raw = (packet.d ?? {}) as unknown as Record<string, unknown>;
    if (typeof raw.id !== 'string' || typeof raw.token !== 'string') return;
    const locale = toLocale(typeof raw.locale === 'string' ? raw.locale : undefined, defaultLocale);
    const body =
      raw.type === InteractionType.ApplicationCommandAutocomplete
        ? { type: InteractionResponseType.ApplicationCommandAutocompleteResult, data: { choices: [] } }
        : {
            type: InteractionResponseType.ChannelMessageWithSource,
            data: {
              content: escapeText(say(INTERNAL_ERROR, locale)),
              flags: MessageFlags.Ephemeral,
              allowed_mentions: NO_MENTIONS,
            },
          };
    rest
      .post(Routes.interactionCallback(raw.id, raw.token), { body, auth: false })
      .catch((answerError: unknown) =>
        logger.warn({ err: answerError }, 'could not answer a discord interaction that failed to parse'),
      );
  };
}
