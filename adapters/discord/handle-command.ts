import type { ChatInputCommandInteraction } from 'discord.js';
import { type AnyCommand, type FormValues, findCommand } from '../../commands/index.js';
import { optionFieldsOf } from './command-definitions.js';
import { baseRequest, type HandlerContext } from './context.js';
import { discordSurface } from './surface.js';

/**
 * `/contactway <subcommand> …` → the flow, with the subcommand's options as named arguments and the form
 * fields Discord takes as slash options (temp's `skip_verify`) as fixed form values.
 */
export async function handleCommand(
  ctx: HandlerContext,
  interaction: ChatInputCommandInteraction,
): Promise<void> {
  const base = baseRequest(interaction, ctx.defaultLocale);
  const name = interaction.options.getSubcommand(false) ?? 'help';
  const command = findCommand(name);
  await ctx.port.flow.command(
    {
      ...base,
      input: { command: name, options: command ? readArgs(interaction, command) : {} },
      fixed: command ? readOptionFields(interaction, command) : {},
    },
    discordSurface(interaction, { locale: base.locale }),
  );
}

/** The command's arguments, as typed options. */
function readArgs(
  interaction: ChatInputCommandInteraction,
  command: AnyCommand,
): Record<string, string | undefined> {
  return Object.fromEntries(
    command.args.map((a) => [a.name, interaction.options.getString(a.name) ?? undefined]),
  );
}

/**
 * The form fields given as slash options, as form text (`'true'`/`'false'` for booleans). A field left out
 * takes its form default, exactly as if it had been in the modal and submitted as opened.
 */
function readOptionFields(interaction: ChatInputCommandInteraction, command: AnyCommand): FormValues {
  const values: FormValues = {};
  for (const field of optionFieldsOf(command)) {
    const option = interaction.options.get(field.id);
    // An attachment option's value is its id; the form reads the signed CDN link, fetched at submit.
    const given = field.kind === 'file' ? option?.attachment?.url : option?.value;
    const text = given === undefined || given === null ? field.default : String(given);
    if (text !== '') values[field.id] = text;
  }
  return values;
}
