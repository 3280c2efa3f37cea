import type { AutocompleteInteraction } from 'discord.js';
import { actorOf, type HandlerContext, localeOf } from './context.js';

/** Discord shows at most 25 suggestions, each name and value at most 100 characters. */
const LIMITS = { max: 25, chars: 100 };

/**
 * Suggests `config_id` values as the requester types. The flow decides what to suggest (their own
 * records, behind the same access policy as every command, nothing when slow or refused).
 */
export async function handleAutocomplete(
  ctx: HandlerContext,
  interaction: AutocompleteInteraction,
): Promise<void> {
  const focused = interaction.options.getFocused(true);
  const suggestions = await ctx.port.flow.suggest(
    {
      actor: actorOf(interaction),
      locale: localeOf(interaction, ctx.defaultLocale),
      field: focused.name,
      typed: String(focused.value),
    },
    LIMITS,
  );
  await interaction.respond(suggestions.map((s) => ({ name: s.label, value: s.value })));
}
