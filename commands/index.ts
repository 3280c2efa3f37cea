import { ValidationError } from '../src/base/errors.js';
import { type Locale, say, t } from '../src/base/i18n.js';
import { again } from './again.js';
import { anyCommand } from './any-command.js';
import { audit } from './audit.js';
import { close } from './close.js';
import { deleteCommand } from './delete.js';
import { edit } from './edit.js';
import { helpCommand } from './help.js';
import { install } from './install.js';
import { link } from './link.js';
import { list } from './list.js';
import { memberField } from './member-field.js';
import { newCommand } from './new.js';
import { errorReply, localizeField } from './replies.js';
import { show } from './show.js';
import { status } from './status.js';
import { sync } from './sync.js';
import { temp } from './temp.js';
import type {
  AnyCommand,
  ArgValues,
  CommandContext,
  FieldError,
  FieldSpec,
  Form,
  FormValues,
  ParsedForm,
  Reply,
} from './types.js';
import { unlink } from './unlink.js';

export { anyCommand } from './any-command.js';
export { LINK_ANSWERS } from './link-answer.js';
export { deleteConfirm, errorReply, FIX_FIELDS } from './replies.js';
export type * from './types.js';

const help = helpCommand(() => COMMANDS);

/** Every command, in the order help lists them. */
export const COMMANDS: AnyCommand[] = [
  anyCommand(temp),
  anyCommand(newCommand),
  anyCommand(list),
  anyCommand(show),
  anyCommand(again),
  anyCommand(edit),
  anyCommand(deleteCommand),
  anyCommand(close),
  anyCommand(sync),
  anyCommand(link),
  anyCommand(unlink),
  anyCommand(audit),
  anyCommand(install),
  anyCommand(status),
  anyCommand(help),
];

export function findCommand(name: string): AnyCommand | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** A command and its arguments, however the platform delivered them. */
export interface Invocation {
  command: AnyCommand;
  args: ArgValues;
}

/**
 * Parses `/contactway temp zhangsan`, `temp zhangsan` or an empty line (help). Synchronous and cheap:
 * adapters call it before their platform deadline. Throws ValidationError naming the bad part.
 */
export function parseText(text: string, defaults: ArgDefaults = {}): Invocation {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words[0] === '/contactway') words.shift();
  const [name = 'help', ...rest] = words;
  const command = findCommand(name.toLowerCase());
  if (!command) {
    throw new ValidationError([
      {
        field: 'command',
        message: t(
          `unknown command "${name.slice(0, 40)}"; try: ${COMMANDS.map((c) => c.name).join(', ')}`,
          `未知命令“${name.slice(0, 40)}”；可用：${COMMANDS.map((c) => c.name).join('、')}`,
        ),
      },
    ]);
  }
  const args: Record<string, string> = {};
  command.args.forEach((spec, i) => {
    const value = rest[i];
    if (value !== undefined) args[spec.name] = value;
  });
  return checkArgs(command, args, defaults);
}

/**
 * Values for arguments the requester left out: `user` is the WeCom userid the policy maps to them, so
 * `/contactway temp` creates a temp QR for themselves.
 */
export interface ArgDefaults {
  user?: string | undefined;
}

/** For platforms with typed options (Discord): the same checks as text, from named values. */
export function parseOptions(
  name: string,
  options: Record<string, string | undefined>,
  defaults: ArgDefaults = {},
): Invocation {
  const command = findCommand(name);
  if (!command) return parseText(name, defaults);
  const args: Record<string, string> = {};
  for (const spec of command.args) {
    const value = options[spec.name]?.trim();
    if (value) args[spec.name] = value;
  }
  return checkArgs(command, args, defaults);
}

function checkArgs(command: AnyCommand, args: Record<string, string>, defaults: ArgDefaults): Invocation {
  for (const [name, value] of Object.entries(defaults)) {
    if (value && !args[name] && command.args.some((a) => a.name === name)) args[name] = value;
  }
  // An argument the form asks for (`pickedInForm`) may be left out when the command has a form.
  const missing = command.args.filter(
    (a) => a.required && !args[a.name] && !(a.pickedInForm && command.form),
  );
  if (missing.length > 0) {
    const usage = `/contactway ${command.name} ${command.args.map((a) => `<${a.name}>`).join(' ')}`;
    throw new ValidationError(
      missing.map((a) => ({
        field: a.name,
        message: t(`is required (usage: ${usage})`, `必填（用法：${usage}）`),
      })),
    );
  }
  // Arguments are checked before any form opens: a bad userid is named at once, not after the form.
  const issues = command.args.flatMap((spec) => {
    const value = args[spec.name];
    if (value === undefined || !spec.check) return [];
    try {
      spec.check(value);
      return [];
    } catch (error) {
      if (error instanceof ValidationError) return error.issues;
      throw error;
    }
  });
  if (issues.length > 0) throw new ValidationError(issues);
  return { command, args };
}

/**
 * The invocation a submitted form completes: arguments the form asked for (`pickedInForm`, e.g. temp's
 * member picker) take their submitted value and are checked like typed ones. Throws ValidationError
 * naming the field.
 */
export function withPickedArgs(invocation: Invocation, form: Form, values: FormValues): Invocation {
  const { command } = invocation;
  const picked: Record<string, string> = {};
  for (const arg of command.args) {
    const value = values[arg.name]?.trim();
    if (arg.pickedInForm && !invocation.args[arg.name] && value && form.fields.some((f) => f.id === arg.name))
      picked[arg.name] = value;
  }
  if (Object.keys(picked).length === 0) return invocation;
  return checkArgs(command, { ...invocation.args, ...picked }, {});
}

/**
 * What a form opens with besides its defaults: the values its command read (`current`), or `unavailable` when
 * they could not be read in time (the form then opens with its defaults and says so).
 */
export type CurrentValues = FormValues | 'unavailable';

const UNAVAILABLE = t(
  'The current values could not be loaded in time: fields left empty keep them.',
  '未能及时读取当前值：留空的字段保持不变。',
);

/** The form to open for an invocation, in the requester's language; undefined when none is needed. */
export function formFor(invocation: Invocation, locale: Locale, current?: CurrentValues): Form | undefined {
  const { command, args } = invocation;
  if (!command.form) return undefined;
  const values = current === 'unavailable' ? {} : (current ?? {});
  return {
    command: command.name,
    args,
    title: say(command.formTitle ?? command.summary, locale),
    submit: say(command.submitLabel ?? t('Create', '创建'), locale),
    ...(current === 'unavailable' ? { notice: say(UNAVAILABLE, locale) } : {}),
    fields: [...pickedFields(invocation), ...command.form()].map((f) =>
      localizeField({ ...f, default: values[f.id] ?? f.default }, locale),
    ),
  };
}

/** Arguments the command left out that its form asks for (`pickedInForm`): a member picker each, first. */
function pickedFields({ command, args }: Invocation): FieldSpec[] {
  return command.args
    .filter((a) => a.pickedInForm && !args[a.name])
    .map((a) => ({ ...memberField(), id: a.name }));
}

/** A checked submission: the form as its command read it (undefined for a command without a form), or why not. */
export type Submission = { ok: true; input: ParsedForm | undefined } | { ok: false; errors: FieldError[] };

/** Checks submitted form values synchronously (Slack shows the errors inline, under each field). */
export function checkSubmission(invocation: Invocation, values: FormValues, locale: Locale): Submission {
  try {
    return { ok: true, input: invocation.command.parseForm?.(invocation.args, values) };
  } catch (error) {
    if (error instanceof ValidationError) {
      return {
        ok: false,
        errors: error.issues.map((i) => ({ field: i.field, message: say(i.message, locale) })),
      };
    }
    throw error;
  }
}

/**
 * Runs a command, with the form checkSubmission read for it when it has one. Never throws: every failure
 * becomes an error reply with the bilingual explanation.
 */
export async function runCommand(
  ctx: CommandContext,
  invocation: Invocation,
  input?: ParsedForm,
): Promise<Reply> {
  const finish = ctx.observer?.start(invocation.command.name);
  try {
    await ctx.service.checkAccess({ ...ctx.requester, roles: ctx.roles });
    const reply = await invocation.command.run(ctx, invocation.args, input);
    finish?.(reply);
    return reply;
  } catch (error) {
    finish?.({ error });
    return errorReply(error, ctx.locale);
  }
}
