import { type APIAllowedMentions, Client, type ClientOptions, GatewayIntentBits } from 'discord.js';
import { type DispatchFailure, guardedStrategy } from './gateway-strategy.js';
import type { DiscordSettings } from './settings.js';

/**
 * No message of ours mentions anyone: not @everyone, roles or users, not even the requester we reply to.
 * Replies echo what people typed (remarks, states), so a mention in them must never ping.
 */
export const NO_MENTIONS: APIAllowedMentions = { parse: [], replied_user: false };

/**
 * The discord.js client: the `Guilds` intent only (interactions need no privileged intent), and the REST
 * base from DISCORD_API_URL when set. The gateway URL is not configured: discord.js asks
 * `GET /gateway/bot` on that REST base, so a proxy or a test fake hands out its own WebSocket URL.
 *
 * Set here, after `extra`, so no caller and no code path can forget them: `allowedMentions` is the default
 * of every message discord.js sends (replies, follow-ups, edits, DMs), and the gateway runs on
 * a guarded strategy (gateway-strategy.ts), which hands a packet discord.js cannot read to `onBrokenPacket` instead of
 * ending the process.
 */
export function createDiscordClient(
  settings: Pick<DiscordSettings, 'apiUrl'>,
  extra: Partial<ClientOptions> = {},
  onBrokenPacket: DispatchFailure = () => {},
): Client {
  return new Client({
    ...extra,
    intents: [GatewayIntentBits.Guilds],
    rest: { ...restBase(settings), ...extra.rest },
    allowedMentions: { parse: [], repliedUser: false },
    ws: { ...extra.ws, buildStrategy: (manager) => guardedStrategy(manager, onBrokenPacket) },
  });
}

/** `{ api }` for @discordjs/rest, which appends `/v10/...` itself (so no trailing slash). */
export function restBase(settings: Pick<DiscordSettings, 'apiUrl'>): { api?: string } {
  return settings.apiUrl ? { api: settings.apiUrl.replace(/\/+$/, '') } : {};
}
