import { type ChatInputCommandInteraction, MessageFlags } from 'discord.js';
import {
  type Command,
  errorReply,
  findCommand,
  formFor,
  type Invocation,
  parseOptions,
  runCommand,
} from '../../commands/index.js';
import { optionFieldsOf } from './command-definitions.js';
import { commandContext, type HandlerContext, localeOf, ownerOf, requesterOf } from './context.js';
import { openForm } from './open-form.js';
import { renderReply } from './render-reply.js';

/**
 * `/contactway <subcommand> …`. A command with a form answers with its modal and nothing else first:
 * Discord takes a modal only as the first response (no defer before it), so everything up to
 * `showModal` is synchronous and touches neither WeCom nor the store. Other commands defer an ephemeral
 * reply at once and edit it when the work is done (the token stays valid for 15 minutes).
 */
export async function handleCommand(
  ctx: HandlerContext,
  interaction: ChatInputCommandInteraction,
): Promise<void> {
  const locale = localeOf(interaction, ctx.defaultLocale);
  const owner = ownerOf(interaction);
  const name = interaction.options.getSubcommand(false) ?? 'help';
  const command = findCommand(name);
  let invocation: Invocation;
  try {
    // A requester the policy maps to a WeCom userid may leave `user` out (synchronous: no store read).
    const defaults = { user: ctx.service.mappedUser(requesterOf(interaction)) };
    invocation = parseOptions(name, command ? readArgs(interaction, command) : {}, defaults);
  } catch (error) {
    await interaction.reply({
      ...renderReply(errorReply(error, locale), { locale, owner }),
      flags: MessageFlags.Ephemeral,
    });
    return;
  }

  const form = formFor(invocation, locale);
  if (form) {
    const fixed = readOptionFields(interaction, invocation.command);
    await openForm(ctx, interaction, { command: name, params: { ...invocation.args, ...fixed } }, form);
    return;
  }

  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const reply = await runCommand(commandContext(ctx, interaction, locale), invocation);
  await interaction.editReply(renderReply(reply, { locale, owner }));
}

/** The command's arguments, as typed options. */
function readArgs(
  interaction: ChatInputCommandInteraction,
  command: Command,
): Record<string, string | undefined> {
  return Object.fromEntries(
    command.args.map((a) => [a.name, interaction.options.getString(a.name) ?? undefined]),
  );
}

/**
 * The form fields given as slash options, as form text (`'true'`/`'false'` for booleans). A field left out
 * takes its form default, exactly as if it had been in the modal and submitted as opened.
 */
function readOptionFields(
  interaction: ChatInputCommandInteraction,
  command: Command,
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const field of optionFieldsOf(command)) {
    const given = interaction.options.get(field.id)?.value;
    const text = given === undefined || given === null ? field.default : String(given);
    if (text !== '') values[field.id] = text;
  }
  return values;
}
