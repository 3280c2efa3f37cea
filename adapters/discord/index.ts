import {
  type ButtonInteraction,
  type ClientOptions,
  Events,
  type Interaction,
  MessageFlags,
  type ModalSubmitInteraction,
} from 'discord.js';
import type { RunningAdapter } from '../../src/adapter.js';
import type { Core } from '../../src/app.js';
import { INTERNAL_ERROR } from '../../src/errors.js';
import { say } from '../../src/i18n.js';
import { RESTARTING, withRequestScope } from '../../src/ops/index.js';
import { onBrokenPacket } from './broken-packet.js';
import { createDiscordClient } from './client.js';
import { COMMAND_NAME } from './command-definitions.js';
import { type HandlerContext, localeOf, ownerOf } from './context.js';
import { type CustomId, decodeCustomId, isOurs } from './custom-id.js';
import { createDraftStore } from './form-drafts.js';
import { handleAutocomplete } from './handle-autocomplete.js';
import { handleButton } from './handle-button.js';
import { handleCommand } from './handle-command.js';
import { handleModalSubmit } from './handle-modal.js';
import { refuseNotYours } from './not-yours.js';
import { registerCommands } from './register.js';
import { renderNotice } from './render-reply.js';
import type { DiscordSettings } from './settings.js';
import { TEXTS } from './texts.js';

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
 * Starts the Discord adapter on the wired core: registers `/contactway` (bulk overwrite) when
 * DISCORD_APPLICATION_ID is set, logs in over the gateway and answers interactions until stopped.
 * Resolves once the client is ready. Shutdown drains `core.ops.requests` (new interactions are refused,
 * those in flight finish), then calls `stop()`.
 */
export async function startDiscordAdapter(
  core: Core,
  settings: DiscordSettings,
  options: DiscordAdapterOptions = {},
): Promise<RunningAdapter> {
  const { config, logger } = core;
  const token = settings.token;
  const log = logger.child({ adapter: 'discord' });
  const ctx: HandlerContext = {
    service: core.service,
    logger: log,
    drafts: createDraftStore(core.keyv, { logger: log }),
    sandbox: core.sandbox !== undefined,
    defaultLocale: config.DEFAULT_LOCALE,
    observer: core.ops.commands,
  };
  const requests = core.ops.requests;

  // `broken` is read only when a packet arrives, after login: by then it is set.
  const client = createDiscordClient(settings, options.clientOptions, (error, packet) =>
    broken(error, packet),
  );
  const broken = onBrokenPacket(client.rest, log, config.DEFAULT_LOCALE);
  client.on(Events.Error, (error) => log.error({ err: error }, 'discord client error'));
  client.on(Events.InteractionCreate, (interaction) => {
    // Shutting down: refuse politely; otherwise count it in flight, with one requestId on its log lines.
    if (requests.draining) void refuse(ctx, interaction);
    else void requests.track(() => withRequestScope(() => route(ctx, interaction)));
  });
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
    if (interaction.isModalSubmit()) {
      const id = await ownId(ctx, interaction);
      if (id?.kind === 'form' || id?.kind === 'formref') await handleModalSubmit(ctx, interaction, id);
      return;
    }
    if (interaction.isButton()) {
      const id = await ownId(ctx, interaction);
      if (id && id.kind !== 'form' && id.kind !== 'formref') await handleButton(ctx, interaction, id);
    }
  } catch (error) {
    ctx.logger.error(
      { err: error, interaction: interaction.id, type: interaction.type },
      'discord interaction failed',
    );
    await tellFailure(ctx, interaction);
  }
}

/**
 * The custom_id of a modal submit or button click, when it is ours and the submitter's own. Otherwise the
 * interaction is answered here and undefined returned: someone else's form or button is refused; an id
 * of ours that does not decode (an older format, a tampered one) is told to run the command again, and
 * nothing of it is echoed.
 */
async function ownId(
  ctx: HandlerContext,
  interaction: ModalSubmitInteraction | ButtonInteraction,
): Promise<CustomId | undefined> {
  const locale = localeOf(interaction, ctx.defaultLocale);
  const id = decodeCustomId(interaction.customId);
  if (id && id.owner === ownerOf(interaction)) return id;
  if (id) await refuseNotYours(ctx, interaction, locale);
  else if (isOurs(interaction.customId))
    await interaction.reply({
      ...renderNotice(say(TEXTS.formExpired, locale)),
      flags: MessageFlags.Ephemeral,
    });
  return undefined;
}

/** An interaction that arrived after shutdown began: "restarting, try again", ephemeral. */
async function refuse(ctx: HandlerContext, interaction: Interaction): Promise<void> {
  ctx.logger.info(
    { interaction: interaction.id, type: interaction.type },
    'discord interaction refused: shutting down',
  );
  try {
    if (interaction.isAutocomplete()) await interaction.respond([]);
    else if (interaction.isRepliable())
      await interaction.reply({
        ...renderNotice(say(RESTARTING, localeOf(interaction, ctx.defaultLocale))),
        flags: MessageFlags.Ephemeral,
      });
  } catch (error) {
    ctx.logger.debug({ err: error }, 'could not refuse a discord interaction');
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
