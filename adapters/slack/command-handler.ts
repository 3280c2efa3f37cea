import type { App, SlashCommand, webApi } from '@slack/bolt';
import {
  checkSubmission,
  errorReply,
  type Form,
  formFor,
  type Invocation,
  parseText,
  type Reply,
  runCommand,
} from '../../commands/index.js';
import { ContactwayError, ValidationError } from '../../src/errors.js';
import { type Locale, say, t } from '../../src/i18n.js';
import type { Requester } from '../../src/store/index.js';
import type { DeliveryTarget } from './deliver.js';
import { commandContext, type SlackDeps } from './deps.js';
import { argumentErrors } from './field-errors.js';
import { encodeMetadata, type FormContext } from './metadata.js';
import { formToSlackView } from './render-form.js';
import { resultView } from './render-status-view.js';
import { slackRequesterOf } from './requester.js';

/** Usually an expired trigger_id (slow network, or a retried command): nothing to fix but to run it again. */
const FORM_NOT_OPENED = new ContactwayError(
  'slack.form_not_opened',
  t(
    'Slack did not let us open the form in time. Please run the command again.',
    'Slack 未能及时打开表单，请重新运行该命令。',
  ),
);

/** The slash command, as declared in manifest.yml. */
export const SLASH_COMMAND = '/contactway';

/**
 * `/contactway <text>`. Everything before the ack and `views.open` is synchronous and local (parse the
 * text, render the form): Slack shows `operation_timeout` after 3 s without an ack, and the trigger_id
 * expires ~3 s after Slack sent the command and works once. WeCom, the store and `users.info` come later.
 */
export function registerCommand(app: App, deps: SlackDeps): void {
  app.command(SLASH_COMMAND, async ({ command, ack, client, context }) => {
    const requester = slackRequesterOf(context, command.user_id, command.user_name);
    const target: DeliveryTarget = {
      userId: command.user_id,
      channelId: command.channel_id,
      responseUrl: command.response_url,
    };
    // The cached locale if we have it; the lookup is an API call and must not delay the modal.
    const known = deps.locales.peek(requester.workspaceId, requester.userId);
    const locale = known ?? deps.core.config.DEFAULT_LOCALE;

    let invocation: Invocation;
    try {
      // A requester USER_MAP maps to a WeCom userid may type just `temp`.
      invocation = parseText(command.text ?? '', { user: deps.core.service.mappedUser(requester) });
    } catch (error) {
      await ack();
      await replyLater(deps, requester, target, (l) => errorReply(error, l));
      return;
    }

    const form = formFor(invocation, locale);
    if (!form) {
      await ack();
      const resolved = await deps.locales.lookup(requester.workspaceId, requester.userId);
      const reply = await runCommand(await commandContext(deps, requester, resolved), invocation);
      await deps.deliverer.deliver(reply, target, resolved);
      return;
    }

    // A bad argument (`temp bad/id`) is known now, with the defaults: say so instead of opening a form
    // that could never be sent. checkSubmission is synchronous and local.
    const metadata = encodeMetadata(formContext(command, requester, invocation, locale));
    if (hasArgumentErrors(invocation, form, locale) || metadata === undefined) {
      await ack();
      await replyLater(deps, requester, target, (l) => argumentReply(invocation, form, metadata, l));
      return;
    }

    await ack();
    // views.open is the first thing after the ack: no await on anything else may come before it.
    let opened: webApi.ViewsOpenResponse;
    try {
      opened = await client.views.open({
        trigger_id: command.trigger_id,
        view: formToSlackView(form, metadata, { locale }),
      });
    } catch (error) {
      deps.logger.warn({ err: error, command: invocation.command.name }, 'Slack views.open failed');
      await replyLater(deps, requester, target, (l) => errorReply(FORM_NOT_OPENED, l));
      return;
    }
    void settleForm(deps, client, command, requester, invocation, locale, opened).catch((error: unknown) =>
      deps.logger.warn({ err: error }, 'Slack form settling failed'),
    );
  });
}

/** What the form remembers, bound to its requester: a submission by anyone else is refused. */
function formContext(
  command: SlashCommand,
  requester: Requester,
  invocation: Invocation,
  locale: Locale,
): FormContext {
  return {
    command: invocation.command.name,
    args: invocation.args,
    channelId: command.channel_id,
    teamId: requester.workspaceId,
    userId: requester.userId,
    responseUrl: command.response_url,
    locale,
  };
}

function defaults(form: Form): Record<string, string> {
  return Object.fromEntries(form.fields.map((f) => [f.id, f.default]));
}

function hasArgumentErrors(invocation: Invocation, form: Form, locale: Locale): boolean {
  try {
    const checked = checkSubmission(invocation, defaults(form), locale);
    return !checked.ok && argumentErrors(checked.errors, form).length > 0;
  } catch {
    // Not a validation problem: let the submission report it, the form must still open in time.
    return false;
  }
}

function argumentReply(
  invocation: Invocation,
  form: Form,
  metadata: string | undefined,
  locale: Locale,
): Reply {
  const localized = formFor(invocation, locale) ?? form;
  const checked = checkSubmission(invocation, defaults(localized), locale);
  const issues = checked.ok ? [] : argumentErrors(checked.errors, localized);
  if (issues.length === 0 && metadata === undefined) {
    issues.push({ field: 'command', message: say(t('the arguments are too long', '参数过长'), locale) });
  }
  return errorReply(
    new ValidationError(issues.map((i) => ({ field: i.field, message: t(i.message, i.message) }))),
    locale,
  );
}

/** After the ack: learn the requester's language, build the reply in it, deliver it. */
async function replyLater(
  deps: SlackDeps,
  requester: Requester,
  target: DeliveryTarget,
  build: (locale: Locale) => Reply,
): Promise<void> {
  const locale = await deps.locales.lookup(requester.workspaceId, requester.userId);
  await deps.deliverer.deliver(build(locale), target, locale);
}

/**
 * Runs what could not run before `views.open`: the access check (it writes the audit trail) and, when the
 * requester's language was not cached, the locale lookup. A refused requester sees the refusal in place of
 * the form; a requester whose language differs sees the form re-rendered in it. `hash` makes Slack refuse
 * the update if the view changed meanwhile (already submitted), so this never overwrites a later state.
 * The submission checks access again in any case.
 */
async function settleForm(
  deps: SlackDeps,
  client: webApi.WebClient,
  command: SlashCommand,
  requester: Requester,
  invocation: Invocation,
  usedLocale: Locale,
  opened: webApi.ViewsOpenResponse,
): Promise<void> {
  const viewId = opened.view?.id;
  if (!viewId) return;
  const [locale, denied] = await Promise.all([
    deps.locales.lookup(requester.workspaceId, requester.userId),
    deps.usergroups
      .groupsOf(requester.userId)
      .then((roles) => deps.core.service.checkAccess({ ...requester, roles }))
      .then(
        () => undefined,
        (error: unknown) => error,
      ),
  ]);
  let view: ReturnType<typeof formToSlackView> | undefined;
  const form = formFor(invocation, locale);
  if (denied) {
    view = resultView(form?.title ?? 'contactway', errorReply(denied, locale), { locale });
  } else if (locale !== usedLocale) {
    const metadata = encodeMetadata(formContext(command, requester, invocation, locale));
    if (form && metadata !== undefined) view = formToSlackView(form, metadata, { locale });
  }
  if (!view) return;
  try {
    await client.views.update({
      view_id: viewId,
      ...(opened.view?.hash ? { hash: opened.view.hash } : {}),
      view,
    });
  } catch (error) {
    deps.logger.debug({ err: error }, 'Slack form update after opening skipped');
  }
}
