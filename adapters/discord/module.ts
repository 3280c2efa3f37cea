import type { ChatAdapterModule } from '../../src/chat/adapter-module.js';
import type { DiscordAdapterOptions } from './index.js';
import {
  DISCORD_PLATFORM,
  type DiscordSettings,
  discordAccessRule,
  discordSecrets,
  readDiscordSettings,
} from './settings.js';

/** Discord, when DISCORD_TOKEN and DISCORD_APPLICATION_ID are set: a gateway client, no port of its own. */
export function discordModule(options: DiscordAdapterOptions = {}): ChatAdapterModule<DiscordSettings> {
  return {
    platform: DISCORD_PLATFORM,
    readSettings: readDiscordSettings,
    accessRule: (settings) => discordAccessRule(settings.access),
    secrets: discordSecrets,
    // One gateway session per bot: a second login in another process gets every interaction too, answered twice.
    oneConnection: true,
    async load() {
      const { startDiscordAdapter } = await import('./index.js');
      return { start: (chatPort, _host, settings) => startDiscordAdapter(chatPort, settings, options) };
    },
  };
}

export const discordAdapter = discordModule();
