import { type REST, Routes } from 'discord.js';
import { commandDefinitions } from './command-definitions.js';

export interface RegisterTarget {
  applicationId: string;
  /** Register in this guild only (updates instantly); otherwise globally. */
  guildId?: string | undefined;
}

/**
 * Registers `/contactway` by bulk overwrite (PUT): the whole scope is replaced, so commands removed from
 * COMMANDS disappear too, and running it twice changes nothing. Returns how many commands Discord holds.
 */
export async function registerCommands(rest: REST, target: RegisterTarget): Promise<number> {
  const route = target.guildId
    ? Routes.applicationGuildCommands(target.applicationId, target.guildId)
    : Routes.applicationCommands(target.applicationId);
  const result = await rest.put(route, { body: commandDefinitions() });
  return Array.isArray(result) ? result.length : 0;
}
