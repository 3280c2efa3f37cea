import { formatDurationS } from '../src/base/duration.js';
import { asContactwayError, RateLimitError, ValidationError } from '../src/base/errors.js';
import { type Bilingual, type Locale, say, t } from '../src/base/i18n.js';
import { formatTime, type Viewer } from '../src/base/time.js';
import type { RecordView } from '../src/service/contact-way-service.js';
import type { QrImage } from '../src/service/fetch-qr.js';
import type { CustomerRecord } from '../src/store/customer-store.js';
import { contentFacts } from './content-facts.js';
import { errorTitle } from './error-titles.js';
import type { CommandContext, FieldSpec, FormField, Reply, ReplyAction, ReplyFact } from './types.js';
import { againAction, expiredLine, isDead, usedLine, type WayLife, wayLife } from './way-life.js';

/** Localizes a field spec for rendering. */
export function localizeField(spec: FieldSpec, locale: Locale): FormField {
  return {
    ...spec,
    label: say(spec.label, locale),
    help: say(spec.help, locale),
    placeholder: spec.placeholder ? say(spec.placeholder, locale) : undefined,
    options: spec.options?.map((o) => ({ value: o.value, label: say(o.label, locale) })),
  };
}

export const SANDBOX_NOTE = t(
  'SANDBOX: this QR comes from the embedded WeCom simulator, not a real contact way.',
  '沙箱：此二维码来自内置的企业微信模拟器，并非真实的「联系我」。',
);

/**
 * Any error as a reply: a headline fixed by the error's kind, the whole human text as the body (WeCom's
 * errcode, the admin-console path), field errors for bad input, never a stack.
 */
export function errorReply(error: unknown, locale: Locale): Reply {
  const known = asContactwayError(error);
  const fieldErrors =
    known instanceof ValidationError
      ? known.issues.map((i) => ({ field: i.field, message: say(i.message, locale) }))
      : undefined;
  const retry =
    known instanceof RateLimitError
      ? say(
          t(
            `Try again in ${Math.ceil(known.retryAfterMs / 1000)} s.`,
            `请 ${Math.ceil(known.retryAfterMs / 1000)} 秒后重试。`,
          ),
          locale,
        )
      : undefined;
  // Platforms cut headlines (Slack's header: 150 characters), never a body we split for them.
  const listed = Boolean(fieldErrors?.length);
  const body = [...(listed ? [] : [say(known.human, locale)]), ...(retry ? [retry] : [])];
  return {
    status: 'error',
    title: say(listed ? FIX_FIELDS : errorTitle(known), locale),
    text: body.length ? body.join('\n') : undefined,
    facts: [],
    actions: [],
    fieldErrors,
  };
}

export function fact(label: Bilingual, value: string, locale: Locale): ReplyFact {
  return { label: say(label, locale), value };
}

/**
 * The facts that identify a contact way: config_id, members, expiry (or who used a temp QR) in the viewer's
 * zone, and what was asked.
 */
export function recordFacts(record: RecordView, viewer: Viewer, usedBy?: CustomerRecord): ReplyFact[] {
  const { locale } = viewer;
  const facts = [fact(t('config_id', 'config_id'), record.configId, locale)];
  const users = record.request.user ?? [];
  if (users.length > 0) facts.push(fact(t('Member', '成员'), users.join(', '), locale));
  if (record.request.party?.length)
    facts.push(fact(t('Departments', '部门'), record.request.party.join(', '), locale));
  if (record.isTemp && usedBy) {
    facts.push(fact(t('Used', '已使用'), formatTime(usedBy.addedAt, viewer), locale));
  } else if (record.isTemp && record.expiresAt) {
    const label = record.expired ? t('Expired', '已过期') : t('QR expires', '二维码到期');
    facts.push(fact(label, formatTime(record.expiresAt, viewer), locale));
  }
  if (record.isTemp) {
    const chat = record.request.chat_expires_in;
    if (chat !== undefined) facts.push(fact(t('Session lasts', '会话时长'), formatDurationS(chat), locale));
  } else {
    facts.push(fact(t('Kind', '类型'), say(t('permanent', '长期'), locale), locale));
  }
  if (record.request.remark) facts.push(fact(t('Remark', '备注'), record.request.remark, locale));
  if (record.request.state) facts.push(fact(t('State', '渠道'), record.request.state, locale));
  facts.push(...contentFacts(record, locale));
  return facts;
}

/**
 * Buttons under a contact way: show it (its QR again while it works), delete (with a confirm); a used or
 * expired temp way first offers a new QR like it.
 */
export function recordActions(configId: string, locale: Locale, life: WayLife = 'usable'): ReplyAction[] {
  const dead = isDead(life);
  return [
    ...(dead ? [againAction(configId, locale)] : []),
    {
      kind: 'show',
      label: say(dead ? t('Show', '查看') : t('Show QR again', '再次显示二维码'), locale),
      configId,
    },
    {
      kind: 'delete',
      label: say(t('Delete', '删除'), locale),
      configId,
      danger: true,
      confirm: deleteConfirm(configId, locale),
    },
  ];
}

/** The question asked before a delete: in Slack's confirm dialog, or by the flow where a platform has none. */
export function deleteConfirm(configId: string, locale: Locale): NonNullable<ReplyAction['confirm']> {
  return {
    title: say(t('Delete contact way?', '删除「联系我」？'), locale),
    text: say(t(`Delete ${configId}? Its QR stops working.`, `删除 ${configId}？其二维码将失效。`), locale),
    yes: say(t('Delete', '删除'), locale),
    no: say(t('Cancel', '取消'), locale),
  };
}

/** The headline over a list of invalid fields, on every platform. */
export const FIX_FIELDS = t('Please fix:', '请修改：');

/**
 * The reply for a contact way with its QR: created, or shown again. A used or expired temp way (`usedBy`: who
 * used it) says so instead of offering its dead QR.
 */
export function recordReply(
  ctx: CommandContext,
  record: RecordView,
  qr: QrImage | undefined,
  title: Bilingual,
  extra: Bilingual[] = [],
  usedBy?: CustomerRecord,
): Reply {
  const { locale } = ctx;
  const life = wayLife(record, usedBy);
  const dead = isDead(life);
  const lines = [
    ...(usedBy ? [usedLine(usedBy, ctx)] : life === 'expired' ? [expiredLine(record, ctx)] : []),
    ...extra,
  ];
  if (ctx.sandbox) lines.push(SANDBOX_NOTE);
  if (!dead && !qr && record.qrCode)
    lines.push(
      t(`QR image unavailable; open: ${record.qrCode}`, `二维码图片获取失败，请打开：${record.qrCode}`),
    );
  const user = record.request.user?.join(', ') ?? record.configId;
  return {
    status: 'ok',
    configId: record.configId,
    title: (ctx.sandbox ? '[SANDBOX] ' : '') + say(title, locale),
    text: lines.length ? lines.map((l) => say(l, locale)).join('\n') : undefined,
    facts: recordFacts(record, ctx, usedBy),
    qr:
      !dead && (record.qrCode || qr)
        ? { image: qr, url: record.qrCode, alt: say(t(`QR code for ${user}`, `${user} 的二维码`), locale) }
        : undefined,
    actions: recordActions(record.configId, locale, life),
  };
}

/** A plain confirmation or information reply. */
export function infoReply(
  title: Bilingual,
  locale: Locale,
  body: Bilingual[] = [],
  status: Reply['status'] = 'ok',
): Reply {
  return {
    status,
    title: say(title, locale),
    text: body.length ? body.map((b) => say(b, locale)).join('\n') : undefined,
    facts: [],
    actions: [],
  };
}
