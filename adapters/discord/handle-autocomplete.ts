import type { AutocompleteInteraction } from 'discord.js';
import { findCommand } from '../../commands/index.js';
import { optionFieldsOf } from './command-definitions.js';
import { actorOf, type HandlerContext, localeOf } from './context.js';

/** Discord shows at most 25 suggestions, each name and value at most 100 characters. */
const LIMITS = { max: 25, chars: 100 };

/**
 * Suggests `config_id` values (the requester's own) and `user` values (the member directory) as they type. The flow decides what to suggest (their own
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
      // A members list (edit's `user:`) is completed one comma-separated item at a time.
      multiple: isList(interaction.options.getSubcommand(false), focused.name),
    },
    LIMITS,
  );
  await interaction.respond(suggestions.map((s) => ({ name: s.label, value: s.value })));
}

function isList(subcommand: string | null, option: string): boolean {
  const command = subcommand ? findCommand(subcommand) : undefined;
  return command ? optionFieldsOf(command).some((f) => f.id === option && f.kind === 'members') : false;
}
