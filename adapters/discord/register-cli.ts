import { REST } from 'discord.js';
import { loadDotEnv } from '../../src/base/settings.js';
import { restBase } from './client.js';
import { registerCommands } from './register.js';
import { readDiscordSettings } from './settings.js';

/**
 * `npm run register:discord`: registers `/contactway` without starting the bot (the bot also does it at
 * startup). Reads the same variables as the bot: DISCORD_TOKEN, DISCORD_APPLICATION_ID, optional
 * DISCORD_GUILD_ID and DISCORD_API_URL.
 */
async function main(): Promise<void> {
  loadDotEnv();
  const settings = readDiscordSettings(process.env);
  if (!settings) {
    throw new Error('set DISCORD_TOKEN and DISCORD_APPLICATION_ID to register the Discord commands');
  }
  const rest = new REST(restBase(settings)).setToken(settings.token);
  const count = await registerCommands(rest, {
    applicationId: settings.applicationId,
    guildId: settings.guildId,
  });
  const scope = settings.guildId ? `guild ${settings.guildId}` : 'globally';
  process.stdout.write(`registered /contactway ${scope}; Discord now holds ${count} command(s)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`register:discord: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
