import { Client, type ClientOptions, GatewayIntentBits } from 'discord.js';
import type { Config } from '../../src/config.js';

/**
 * The discord.js client: the `Guilds` intent only (interactions need no privileged intent), and the REST
 * base from DISCORD_API_URL when set. The gateway URL is not configured: discord.js asks
 * `GET /gateway/bot` on that REST base, so a proxy or a test fake hands out its own WebSocket URL.
 */
export function createDiscordClient(
  config: Pick<Config, 'DISCORD_API_URL'>,
  extra: Partial<ClientOptions> = {},
): Client {
  return new Client({
    ...extra,
    intents: [GatewayIntentBits.Guilds],
    rest: { ...restBase(config), ...extra.rest },
  });
}

/** `{ api }` for @discordjs/rest, which appends `/v10/...` itself (so no trailing slash). */
export function restBase(config: Pick<Config, 'DISCORD_API_URL'>): { api?: string } {
  return config.DISCORD_API_URL ? { api: config.DISCORD_API_URL.replace(/\/+$/, '') } : {};
}
