import { type ClientOptions, Events, type Interaction, MessageFlags } from 'discord.js';
import { INTERNAL_ERROR } from '../../src/base/errors.js';
import { say } from '../../src/base/i18n.js';
import type { RunningAdapter } from '../../src/chat/adapter-module.js';
import type { FlowOptions } from '../../src/chat/flow.js';
import type { ChatPort } from '../../src/chat/port.js';
import { onBrokenPacket } from './broken-packet.js';
import { createDiscordClient } from './client.js';
import { COMMAND_NAME } from './command-definitions.js';
import { type HandlerContext, localeOf } from './context.js';
import { ACTION_CHARS, decodeCustomId, isOurs, STATE_CHARS } from './custom-id.js';
import { discordFileSource } from './download-file.js';
import { handleAutocomplete } from './handle-autocomplete.js';
import { handleButton } from './handle-button.js';
import { handleCommand } from './handle-command.js';
import { handleModalSubmit } from './handle-modal.js';
import { discordNotifier } from './notifier.js';
import { registerCommands } from './register.js';
import { renderNotice } from './render-reply.js';
import type { DiscordSettings } from './settings.js';

export { commandDefinitions } from './command-definitions.js';
export { modalSubmitToFormValues } from './read-values.js';
export { formToDiscordModal } from './render-modal.js';
export { renderReply } from './render-reply.js';
export { type DiscordSettings, discordAccessRule, readDiscordSettings } from './settings.js';

/** Options for tests and embedding; production needs none. */
export interface DiscordAdapterOptions {
  /** Extra discord.js client options (e.g. `rest: { retries: 0 }`); intents and the REST base stay ours. */
  clientOptions?: Partial<ClientOptions>;
}

/**
 * Starts the Discord adapter on the core's chat port: registers `/contactway` (bulk overwrite) when
 * DISCORD_APPLICATION_ID is set, logs in over the gateway and turns interactions into the flow's requests
 * until stopped (src/chat/flow.ts decides everything; this adapter renders). Resolves once the client is
 * ready. Shutdown drains `core.ops.requests` (the flow refuses new requests, those in flight finish), then
 * calls `stop()`.
 */
export async function startDiscordAdapter(
  chatPort: (options: FlowOptions) => ChatPort,
  settings: DiscordSettings,
  options: DiscordAdapterOptions = {},
): Promise<RunningAdapter> {
  const token = settings.token;
  // Discord buttons have no confirm dialog: the flow asks before Delete and End session.
  const port = chatPort({ stateChars: STATE_CHARS, actionChars: ACTION_CHARS, confirm: 'ask' });
  const log = port.logger.child({ adapter: 'discord' });
  const ctx: HandlerContext = {
    port,
    logger: log,
    defaultLocale: port.defaultLocale,
    files: discordFileSource({ apiUrl: settings.apiUrl }),
  };

  // `broken` is read only when a packet arrives, after login: by then it is set.
  const client = createDiscordClient(settings, options.clientOptions, (error, packet) =>
    broken(error, packet),
  );
  const broken = onBrokenPacket(client.rest, log, port.defaultLocale);
  client.on(Events.Error, (error) => log.error({ err: error }, 'discord client error'));
  client.on(Events.InteractionCreate, (interaction) => void route(ctx, interaction));
  port.registerNotifier('discord', discordNotifier(client, log));
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  try {
    client.rest.setToken(token);
    // A failed registration leaves the previous commands in place: log it loudly and keep serving them.
    await registerCommands(client.rest, {
      applicationId: settings.applicationId,
      guildId: settings.guildId,
    })
      .then((count) => log.info({ guildId: settings.guildId, count }, 'registered /contactway'))
      .catch((error: unknown) => log.error({ err: error }, 'could not register /contactway'));
    await client.login(token);
    await ready;
  } catch (error) {
    await client.destroy();
    throw error;
  }
  log.info({ user: client.user?.tag }, 'discord adapter ready');

  return {
    name: 'discord',
    async stop() {
      await client.destroy();
    },
  };
}

/** Sends each interaction to its handler; a failure is logged and, when still possible, told to the user. */
async function route(ctx: HandlerContext, interaction: Interaction): Promise<void> {
  try {
    if (interaction.isChatInputCommand()) {
      if (interaction.commandName === COMMAND_NAME) await handleCommand(ctx, interaction);
      return;
    }
    if (interaction.isAutocomplete()) {
      if (interaction.commandName === COMMAND_NAME) await handleAutocomplete(ctx, interaction);
      return;
    }
    if (!interaction.isModalSubmit() && !interaction.isButton()) return;
    // Ids of ours only; one that does not decode goes on with an empty token, and the flow says it expired
    // (nothing of the id is echoed). The flow checks whose the form or button is.
    if (!isOurs(interaction.customId)) return;
    const id = decodeCustomId(interaction.customId);
    if (interaction.isModalSubmit())
      await handleModalSubmit(ctx, interaction, id?.kind === 'form' ? id.state : '');
    else await handleButton(ctx, interaction, id);
  } catch (error) {
    ctx.logger.error(
      { err: error, interaction: interaction.id, type: interaction.type },
      'discord interaction failed',
    );
    await tellFailure(ctx, interaction);
  }
}

/** The bilingual "something went wrong", never a stack; silent when the interaction can no longer be answered. */
async function tellFailure(ctx: HandlerContext, interaction: Interaction): Promise<void> {
  if (!interaction.isRepliable()) return;
  const message = renderNotice(say(INTERNAL_ERROR, localeOf(interaction, ctx.defaultLocale)));
  try {
    if (interaction.deferred || interaction.replied) await interaction.editReply(message);
    else await interaction.reply({ ...message, flags: MessageFlags.Ephemeral });
  } catch (error) {
    ctx.logger.warn({ err: error }, 'could not tell the user about a failed interaction');
  }
}
