import type { App } from '@slack/bolt';
import {
  checkSubmission,
  errorReply,
  formFor,
  type Invocation,
  parseOptions,
  type Reply,
  runCommand,
} from '../../commands/index.js';
import { ContactwayError } from '../../src/errors.js';
import { type Locale, t } from '../../src/i18n.js';
import { commandContext, type SlackDeps } from './deps.js';
import { errorsByBlock } from './field-errors.js';
import { decodeMetadata } from './metadata.js';
import { type SlackStateValues, slackValuesToFormValues } from './read-values.js';
import { FORM_CALLBACK_ID } from './render-form.js';
import { progressView, resultView } from './render-status-view.js';
import { slackRequesterOf } from './requester.js';

/** private_metadata we cannot read (another app version's form) or a command that no longer has a form. */
const STALE_FORM = new ContactwayError(
  'slack.stale_form',
  t('This form is out of date. Please run the command again.', '此表单已失效，请重新运行该命令。'),
);

/**
 * A form whose private_metadata names another user or workspace than the one submitting it. Slack shows a
 * modal only to the person it was opened for, so this takes a crafted payload or a bug: nothing of it runs,
 * and the answer goes to the submitter alone, never to the channel or response_url the form remembers.
 */
const NOT_YOUR_FORM = new ContactwayError(
  'slack.form_not_yours',
  t(
    'This form was opened for someone else, so it cannot be sent from your account. Run the command yourself to get your own form.',
    '此表单是为其他人打开的，不能从你的账号提交。请自行运行该命令以获取自己的表单。',
  ),
);

/**
 * A submitted modal. Invalid values are answered inline (`response_action: "errors"`, under each field, in
 * the requester's language, by the same rules as every platform); that answer must be the ack, so the check
 * is synchronous. A valid form is acked at once with a "creating…" view, then WeCom is called and the result
 * delivered to the requester and shown in the modal.
 */
export function registerViewSubmission(app: App, deps: SlackDeps): void {
  app.view(FORM_CALLBACK_ID, async ({ ack, body, view, client, context: bolt }) => {
    const requester = slackRequesterOf(bolt, body.user.id, body.user.name);
    const context = decodeMetadata(view.private_metadata);
    // The locale the form was shown in, unless we have learned better since.
    const locale: Locale =
      deps.locales.peek(requester.workspaceId, requester.userId) ??
      context?.locale ??
      deps.core.config.DEFAULT_LOCALE;
    const fail = (error: unknown, title = 'contactway') =>
      ack({ response_action: 'update', view: resultView(title, errorReply(error, locale), { locale }) });

    if (!context) return fail(STALE_FORM);
    if (context.userId !== requester.userId || context.teamId !== requester.workspaceId) {
      deps.logger.warn(
        {
          submitter: { teamId: requester.workspaceId, userId: requester.userId },
          formFor: { teamId: context.teamId, userId: context.userId },
          command: context.command,
        },
        'Slack form submitted by someone it was not opened for: refused',
      );
      return fail(NOT_YOUR_FORM);
    }
    let invocation: Invocation;
    try {
      invocation = parseOptions(context.command, context.args, {
        user: deps.core.service.mappedUser(requester),
      });
    } catch (error) {
      return fail(error);
    }
    const form = formFor(invocation, locale);
    if (!form) return fail(STALE_FORM);

    const values = slackValuesToFormValues(view.state.values as unknown as SlackStateValues, form);
    let checked: ReturnType<typeof checkSubmission>;
    try {
      checked = checkSubmission(invocation, values, locale);
    } catch (error) {
      deps.logger.error({ err: error, command: form.command }, 'form check failed unexpectedly');
      return fail(error, form.title);
    }
    if (!checked.ok) {
      await ack({ response_action: 'errors', errors: errorsByBlock(checked.errors, form) });
      return;
    }

    await ack({ response_action: 'update', view: progressView(form.title, locale) });
    // The view id names this submission: a replayed or doubled submission creates one contact way.
    const ctx = {
      ...(await commandContext(deps, requester, locale)),
      idempotencyKey: `slack:${requester.workspaceId}:${view.id}`,
    };
    const reply: Reply = await runCommand(ctx, invocation, checked.input);
    const qr = await deps.deliverer.deliver(
      reply,
      { userId: requester.userId, channelId: context.channelId, responseUrl: context.responseUrl },
      locale,
    );
    try {
      await client.views.update({ view_id: view.id, view: resultView(form.title, reply, { locale, qr }) });
    } catch (error) {
      // Closed by the person meanwhile: the reply was delivered anyway.
      deps.logger.debug({ err: error }, 'Slack modal result update skipped');
    }
  });
}
