import { ValidationError } from '../src/base/errors.js';
import { t } from '../src/base/i18n.js';
import type { AnyCommand, ArgSpec, ArgValues, FormCommand, ParsedForm, PlainCommand } from './types.js';

/**
 * Hides a command's types so it can join COMMANDS, soundly: the arguments are checked against its specs
 * before it sees them, and the input its form was read into stays with it, keyed by the ParsedForm it hands
 * out, so no other command's input (or a made-up one) ever reaches its `run`.
 */
export function anyCommand<Args extends ArgValues, Input>(
  command: PlainCommand<Args> | FormCommand<Args, Input>,
): AnyCommand {
  const { name, summary, word, changes } = command;
  const argsOf = (values: ArgValues): Args => {
    if (hasArgs<Args>(command.args, values)) return values;
    throw missing(command.args, values);
  };
  if (!command.form) {
    const { opens } = command;
    return {
      name,
      summary,
      word,
      changes,
      args: command.args,
      ...(opens ? { opens: (ctx, args) => opens(ctx, argsOf(args)) } : {}),
      run: (ctx, args) => command.run(ctx, argsOf(args)),
    };
  }

  const { form, parseForm, run, current } = command;
  const parsed = new WeakMap<ParsedForm, { args: Args; input: Input }>();
  return {
    name,
    summary,
    word,
    changes,
    args: command.args,
    formTitle: command.formTitle,
    submitLabel: command.submitLabel,
    current: current && ((ctx, args) => current(ctx, argsOf(args))),
    form,
    parseForm(args, values) {
      const checked = argsOf(args);
      const input = parseForm(checked, values);
      const token: ParsedForm = Object.freeze({ command: name, input });
      parsed.set(token, { args: checked, input });
      return token;
    },
    run(ctx, _args, token) {
      const bound = token && parsed.get(token);
      // A programming error, not a user's: the flow always reads the form before running its command.
      if (!bound) throw new Error(`${name} runs only with a form it read itself`);
      return run(ctx, bound.args, bound.input);
    },
  };
}

/** Every required argument the command declares is there: what its `Args` type promises. */
function hasArgs<Args extends ArgValues>(
  specs: readonly ArgSpec<keyof Args & string>[],
  values: ArgValues,
): values is Args {
  return specs.every((spec) => !spec.required || typeof values[spec.name] === 'string');
}

function missing(specs: readonly ArgSpec[], values: ArgValues): ValidationError {
  return new ValidationError(
    specs
      .filter((spec) => spec.required && typeof values[spec.name] !== 'string')
      .map((spec) => ({ field: spec.name, message: t('is required', '必填') })),
  );
}
