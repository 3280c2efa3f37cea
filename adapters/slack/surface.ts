import type { types as slack, webApi } from '@slack/bolt';
import { errorReply, type Form } from '../../commands/index.js';
import { ContactwayError, ValidationError } from '../../src/base/errors.js';
import { type Locale, t } from '../../src/base/i18n.js';
import type { Logger } from '../../src/base/logger.js';
import type { OpenForm, Surface } from '../../src/chat/port.js';
import type { Deliverer, DeliveryTarget, QrDelivery } from './deliver.js';
import { errorsByBlock } from './field-errors.js';
import { formToSlackView } from './render-form.js';
import { replyToBlocks, replyToText } from './render-reply.js';
import { progressView, resultView } from './render-status-view.js';

/** Usually an expired trigger_id (slow network, or a retried command): nothing to fix but to run it again. */
export const FORM_NOT_OPENED = new ContactwayError(
  'slack.form_not_opened',
  t(
    'Slack did not let us open the form in time. Please run the command again.',
    'Slack 未能及时打开表单，请重新运行该命令。',
  ),
  { title: t('Form not opened', '表单未能打开') },
);

/** ack's many typed shapes, seen as what they all are. */
export type AnyAck = (response?: unknown) => Promise<void>;

/** What a Slack request gives its surface. */
export interface SurfaceContext {
  kind: 'command' | 'submission' | 'action';
  ack: AnyAck;
  client: webApi.WebClient;
  deliverer: Deliverer;
  logger: Logger;
  /** Where replies go; without a channel or response_url (a refused submission) only the modal answers. */
  target: DeliveryTarget;
  triggerId: string;
  /** The requester's language as known now, and as known after a lookup (`users.info`). */
  locale: Locale;
  currentLocale: () => Locale;
  lateLocale: () => Promise<Locale>;
  /** A submitted modal: its id, title and first input block (for refusals under it). */
  view?: { id: string; title: string; firstBlock: string | undefined };
}

/**
 * How one Slack request answers. Slack wants an ack within 3 s and a modal opened with a trigger_id that
 * lives as long, so: `openForm` acks and calls `views.open` at once; a reply known before the ack is the ack
 * itself (an ephemeral message for a command, the result view for a submission); a submission's `defer`
 * acks with a "creating…" view on the next turn of the event loop, unless the answer comes first.
 */
export function slackSurface(ctx: SurfaceContext): Surface {
  const { kind, client, deliverer, logger, target } = ctx;
  let acked = false;
  let pendingAck: NodeJS.Immediate | undefined;
  let opened: { id: string; hash?: string | undefined; title: string } | undefined = ctx.view;

  const ack = async (response?: unknown) => {
    if (acked) return false;
    acked = true;
    if (pendingAck) clearImmediate(pendingAck);
    await ctx.ack(response);
    return true;
  };
  const delivers = Boolean(target.channelId || target.responseUrl || target.dm);
  const formView = (open: OpenForm, locale: Locale) =>
    formToSlackView(prefilled(open), open.state, { locale });

  async function updateView(view: slack.ModalView, hash?: string): Promise<void> {
    if (!opened) return;
    try {
      await client.views.update({ view_id: opened.id, ...(hash ? { hash } : {}), view });
    } catch (error) {
      // Closed or submitted meanwhile (hash_conflict): the reply reaches the requester anyway.
      logger.debug({ err: error }, 'Slack modal update skipped');
    }
  }

  const self: Surface = {
    async defer() {
      if (acked || pendingAck) return;
      if (kind !== 'submission') {
        await ack();
        return;
      }
      const title = ctx.view?.title ?? 'contactway';
      pendingAck = setImmediate(() => {
        pendingAck = undefined;
        void ack({ response_action: 'update', view: progressView(title, ctx.locale) });
      });
    },

    async acknowledge() {
      // A command keeps its ack for a reply known at once (the ephemeral answer in the ack itself).
      if (kind === 'action') await ack();
    },

    async openForm(open) {
      await ack();
      // views.open comes right after the ack: the trigger_id expires ~3 s after Slack sent the request.
      try {
        const answer = await client.views.open({
          trigger_id: ctx.triggerId,
          view: formView(open, ctx.locale),
        });
        if (answer.view?.id) opened = { id: answer.view.id, hash: answer.view.hash, title: open.form.title };
      } catch (error) {
        logger.warn({ err: error, command: open.form.command }, 'Slack views.open failed');
        const locale = await ctx.lateLocale();
        await deliverer.deliver(errorReply(FORM_NOT_OPENED, locale), target, locale);
      }
    },

    async showFieldErrors(errors, open) {
      if (await ack({ response_action: 'errors', errors: errorsByBlock(errors, open.form) })) return;
      const issues = errors.map((e) => ({ field: e.field, message: t(e.message, e.message) }));
      await self.reply(errorReply(new ValidationError(issues), ctx.locale));
    },

    async reply(reply) {
      const locale = ctx.currentLocale();
      if (kind === 'submission') {
        const title = ctx.view?.title ?? 'contactway';
        // The modal shows the result: a channel summary of it would be the third copy once the QR (with the
        // facts and buttons) is in the DM, and one more Slack call per creation.
        const once = { summary: 'unless-dm' } as const;
        if (!acked) {
          await ack({ response_action: 'update', view: resultView(title, reply, { locale }) });
          if (delivers) await deliverer.deliver(reply, target, locale, once);
          return;
        }
        const qr: QrDelivery = delivers ? await deliverer.deliver(reply, target, locale, once) : 'url';
        await updateView(resultView(title, reply, { locale, qr }));
        return;
      }
      // Known before the ack and nothing to upload: the answer is the ack itself.
      if (kind === 'command' && !acked && !reply.qr?.image) {
        await ack({
          response_type: 'ephemeral',
          text: replyToText(reply),
          blocks: replyToBlocks(reply, { locale }),
        });
        return;
      }
      await ack();
      await deliverer.deliver(reply, target, locale);
    },

    async update(content) {
      const locale = ctx.currentLocale();
      if (!opened) return;
      const view =
        'reply' in content
          ? resultView(opened.title, content.reply, { locale })
          : formView(content.form, locale);
      await updateView(view, opened.hash);
    },

    async decline(text) {
      if (kind === 'command' && (await ack({ response_type: 'ephemeral', text }))) return;
      if (kind === 'submission' && ctx.view?.firstBlock) {
        if (await ack({ response_action: 'errors', errors: { [ctx.view.firstBlock]: text } })) return;
      }
      await ack();
      if (delivers) await deliverer.note(text, target);
    },
  };
  return self;
}

/** The form with what was typed before as its defaults. */
function prefilled(open: OpenForm): Form {
  return {
    ...open.form,
    fields: open.form.fields.map((f) => {
      const typed = open.prefill[f.id];
      return typed === undefined ? f : { ...f, default: typed };
    }),
  };
}
