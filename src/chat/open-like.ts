import {
  errorReply,
  type FormOpening,
  formFor,
  type Invocation,
  parseOptions,
} from '../../commands/index.js';
import { refusedNow, stripRoles } from './access.js';
import type { FlowKit } from './flow-kit.js';
import { encodeFormState, formState } from './form-state.js';
import type { BaseRequest, Extra, Surface } from './port.js';
import { membersOf, preflight } from './preflight.js';

/**
 * A command that opens another command's form, prefilled (`again`: the temp form from an earlier way), typed
 * or as a button. The form must still be the first answer (Slack's trigger_id, Discord's modal): the one
 * await before it is the command's own read of the store. The values go with the form twice: to prefill it,
 * and as given outside it (`fixed`), so a field a platform does not show in its form (Discord's slash-option
 * fields) keeps the earlier way's value while every shown field is what the requester submits.
 */
export function createOpenLike(kit: FlowKit) {
  const { service, directory, state } = kit.deps;

  return async function openLike(
    request: BaseRequest & { extra?: Extra | undefined },
    invocation: Invocation,
    surface: Surface,
  ): Promise<void> {
    const { actor, locale } = request;
    const fail = async (error: unknown) => {
      await surface.defer();
      await surface.reply(errorReply(error, locale));
    };
    const opens = invocation.command.opens;
    if (!opens) return;
    const refused = refusedNow(service, actor);
    if (refused) return fail(refused);
    let opening: FormOpening;
    let target: Invocation;
    try {
      opening = await opens(
        kit.context(request, { locale, roles: actor.roles, timeZone: undefined }),
        invocation.args,
      );
      target = parseOptions(opening.command, opening.args);
    } catch (error) {
      return fail(error);
    }
    await directory.prepare(stripRoles(actor), membersOf(target, undefined));
    const ineligible = preflight(
      directory,
      target,
      undefined,
      service.memberScope(stripRoles(actor)),
      stripRoles(actor),
    );
    if (ineligible) return fail(ineligible);
    const form = formFor(target, locale);
    if (!form) return;
    const s = formState(actor, {
      command: target.command.name,
      args: target.args,
      fixed: opening.values,
      typed: opening.values,
      locale,
      extra: request.extra,
    });
    const { token, written } = encodeFormState(s, kit.options.stateChars, state);
    await surface.openForm({ form, state: token, prefill: opening.values });
    await written;
  };
}
