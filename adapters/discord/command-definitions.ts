import {
  type APIApplicationCommandBasicOption,
  type APIApplicationCommandSubcommandOption,
  ApplicationCommandOptionType,
  type LocalizationMap,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { type AnyCommand, COMMANDS, type FieldSpec } from '../../commands/index.js';
import { type Bilingual, t } from '../../src/base/i18n.js';
import { clip } from '../../src/base/text.js';

/** The one slash command; every neutral command is one of its subcommands. */
export const COMMAND_NAME = 'contactway';

/** `/contactway` in Chinese: what the contact ways are called in WeCom's own client. */
const COMMAND_WORD = t('contactway', '联系我');

/** Discord allows at most five top-level components in a modal. */
export const MAX_MODAL_FIELDS = 5;

/** Discord's limit for command and option descriptions. */
const MAX_DESCRIPTION = 100;

/**
 * Form fields that travel as slash-command options instead of modal inputs, because a modal holds at most
 * five components. Chosen so the modal keeps what people type and the options hold short switches:
 * - `temp` has seven fields: `skip_verify` (a yes/no with a sensible default) becomes a boolean option, so
 *   `/contactway temp user:zhangsan` still opens a modal that creates a valid QR when submitted as opened,
 *   and `state` (a short channel tag) a text option, so the multiline welcome message keeps its paragraph.
 * - `new` has six: `state`, as for temp (its checkbox stays in the modal).
 * - `edit` has eight: `skip_verify`, the member list and `state`, all rarely changed (and `remove_images`).
 * - The cards (closing link or mini-program, welcome links and mini-programs) and `unionid` are options on
 *   every command that has them: each is one line (several welcome links are separated by ` || `), and the
 *   modal keeps the texts people write at length.
 */
const CARD_OPTIONS = ['closing_link', 'closing_miniprogram', 'welcome_links', 'welcome_miniprograms'];
const OPTION_FIELDS: Record<string, readonly string[]> = {
  // The closing and welcome images are attachment options (type 11): the modal is full, and an option needs
  // no FileUpload support from the client.
  temp: ['skip_verify', 'state', 'image', ...CARD_OPTIONS, 'welcome_image', 'unionid', 'remove_images'],
  new: ['state', ...CARD_OPTIONS, 'welcome_image'],
  // Removing an image is a choice among three, like skip_verify's yes/no: an option with choices.
  edit: ['skip_verify', 'user', 'state', 'image', ...CARD_OPTIONS, 'welcome_image', 'remove_images'],
};

/**
 * Splits a command's form fields into those rendered in the modal and those taken as slash options.
 * Anything past five that the table above does not place also becomes an option, so a form that grows
 * later degrades to more options instead of a modal Discord rejects.
 */
export function splitFields<T extends { id: string }>(
  command: string,
  fields: readonly T[],
): { modal: T[]; options: T[] } {
  const chosen = new Set(OPTION_FIELDS[command] ?? []);
  const modal = fields.filter((f) => !chosen.has(f.id));
  const overflow = new Set(modal.splice(MAX_MODAL_FIELDS));
  return { modal, options: fields.filter((f) => chosen.has(f.id) || overflow.has(f)) };
}

/**
 * The form fields of a command as declared (bilingual), for registration; empty when it has no form. A
 * field picked for a missing argument (temp's member picker) is not among them: on Discord that argument is
 * a slash option with autocomplete.
 */
export function formSpecsOf(command: AnyCommand): FieldSpec[] {
  return command.form?.() ?? [];
}

/** Options whose values Discord suggests as they are typed (see handle-autocomplete.ts). */
const AUTOCOMPLETED = new Set(['config_id', 'user']);

/** A Discord command or option name: lower case, no spaces, letters, digits, `-`, `_`, `'`; 1-32 characters. */
const NAME_PATTERN = /^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/**
 * The zh-CN name of a command or option, from its one-word name or else its Chinese label made into a
 * valid name; none when nothing valid is left (Discord then shows the English name).
 */
function localizedName(
  word: Bilingual | undefined,
  label: Bilingual,
): { name_localizations?: LocalizationMap } {
  const text = word?.zh ?? label.zh;
  const name = [
    ...text
      .toLowerCase()
      .replace(/\s+/g, '')
      .replace(/[^-_'\p{L}\p{N}]/gu, ''),
  ]
    .slice(0, 32)
    .join('');
  return NAME_PATTERN.test(name) ? { name_localizations: { 'zh-CN': name } } : {};
}

/** The form fields a command takes as slash options. */
export function optionFieldsOf(command: AnyCommand): FieldSpec[] {
  return splitFields(command.name, formSpecsOf(command)).options;
}

/** English is the default description; Chinese goes to zh-CN, the locale our Chinese texts are written for. */
function describe(text: Bilingual): { description: string; description_localizations: LocalizationMap } {
  return {
    description: clip(text.en, MAX_DESCRIPTION),
    description_localizations: { 'zh-CN': clip(text.zh, MAX_DESCRIPTION) },
  };
}

function fieldOption(field: FieldSpec): APIApplicationCommandBasicOption {
  const base = {
    name: field.id,
    ...localizedName(undefined, field.label),
    ...describe(field.help),
    required: false,
  };
  switch (field.kind) {
    case 'boolean':
      return { ...base, type: ApplicationCommandOptionType.Boolean };
    case 'choice':
      return {
        ...base,
        type: ApplicationCommandOptionType.String,
        choices: (field.options ?? []).slice(0, 25).map((o) => ({
          name: clip(o.label.en, MAX_DESCRIPTION),
          name_localizations: { 'zh-CN': clip(o.label.zh, MAX_DESCRIPTION) },
          value: o.value,
        })),
      };
    case 'file':
      return { ...base, type: ApplicationCommandOptionType.Attachment };
    case 'number':
      return {
        ...base,
        type: ApplicationCommandOptionType.Integer,
        ...(field.min === undefined ? {} : { min_value: field.min }),
        ...(field.max === undefined ? {} : { max_value: field.max }),
      };
    default:
      return {
        ...base,
        type: ApplicationCommandOptionType.String,
        ...(field.maxLength === undefined ? {} : { max_length: Math.min(field.maxLength, 6000) }),
        ...(AUTOCOMPLETED.has(field.id) ? { autocomplete: true } : {}),
      };
  }
}

function subcommand(command: AnyCommand): APIApplicationCommandSubcommandOption {
  const args: APIApplicationCommandBasicOption[] = command.args.map((arg) => ({
    type: ApplicationCommandOptionType.String,
    name: arg.name,
    ...localizedName(arg.word, arg.label),
    ...describe(arg.label),
    // An argument the policy can fill in (USER_MAP) must stay optional, or mapped users could not omit it.
    required: arg.required && !arg.mappedFromRequester,
    // The requester's own config_ids and the directory's members are offered as they type.
    ...(AUTOCOMPLETED.has(arg.name) ? { autocomplete: true } : {}),
  }));
  const options = [...args, ...optionFieldsOf(command).map(fieldOption)];
  // Discord rejects a required option after an optional one.
  options.sort((a, b) => Number(b.required ?? false) - Number(a.required ?? false));
  return {
    type: ApplicationCommandOptionType.Subcommand,
    name: command.name,
    ...localizedName(command.word, command.summary),
    ...describe(command.summary),
    options,
  };
}

/**
 * The body of the bulk overwrite: `/contactway` with one subcommand per neutral command, in help order,
 * generated from COMMANDS so registration never drifts from what the bot understands.
 */
export function commandDefinitions(
  commands: readonly AnyCommand[] = COMMANDS,
): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return [
    {
      name: COMMAND_NAME,
      ...localizedName(COMMAND_WORD, COMMAND_WORD),
      ...describe(t('WeCom 「联系我」 contact-way QR codes', '企业微信「联系我」二维码')),
      options: commands.map(subcommand),
    },
  ];
}
