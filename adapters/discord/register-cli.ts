import { REST } from 'discord.js';
import { loadConfig, loadDotEnv } from '../../src/config.js';
import { restBase } from './client.js';
import { registerCommands } from './register.js';

/**
 * `npm run register:discord`: registers `/contactway` without starting the bot (the bot also does it at
 * startup). Reads the same variables as the bot: DISCORD_TOKEN, DISCORD_APPLICATION_ID, optional
 * DISCORD_GUILD_ID and DISCORD_API_URL.
 */
async function main(): Promise<void> {
  loadDotEnv();
  const config = loadConfig();
  if (!config.DISCORD_TOKEN || !config.DISCORD_APPLICATION_ID) {
    throw new Error('set DISCORD_TOKEN and DISCORD_APPLICATION_ID to register the Discord commands');
  }
  const rest = new REST(restBase(config)).setToken(config.DISCORD_TOKEN);
  const count = await registerCommands(rest, {
    applicationId: config.DISCORD_APPLICATION_ID,
    guildId: config.DISCORD_GUILD_ID,
  });
  const scope = config.DISCORD_GUILD_ID ? `guild ${config.DISCORD_GUILD_ID}` : 'globally';
  process.stdout.write(`registered /contactway ${scope}; Discord now holds ${count} command(s)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`register:discord: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
