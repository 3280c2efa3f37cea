import { AGAIN_LABEL } from '../../commands/way-life.js';
import { type Bilingual, type Locale, say, t } from '../base/i18n.js';
import type { Logger } from '../base/logger.js';
import { outsideName } from '../base/text.js';
import { formatTime, type Viewer } from '../base/time.js';
import type { CustomerRecord, WelcomeStatus } from '../store/customer-store.js';
import type { ContactWayRecord, Requester } from '../store/index.js';
import type { Reply, ReplyAction } from '../ui/model.js';

/**
 * A message to a requester outside any request (a customer scanned their QR): plain data, in every language,
 * shaped like a command Reply so each adapter's notifier renders it as it renders replies (Slack DM,
 * Discord DM, a console line). The notifier port itself arrives with issue 11; until then `logNotify` is
 * the default.
 */
export interface Notification {
  kind: 'customer_added';
  status: 'ok' | 'info' | 'error';
  title: Bilingual;
  text?: Bilingual;
  /** The way this is about (button ids, file names). */
  configId: string;
  facts: NotificationFact[];
  actions: NotificationAction[];
  /**
   * What the way remembers of its creator, who receives this: the language and (where their platform told
   * it) zone they made it in. Unset on older ways: DEFAULT_LOCALE and DEFAULT_TIMEZONE then.
   */
  recipient: Partial<Viewer>;
}

export interface NotificationFact {
  label: Bilingual;
  /** Ids and names are the same in every language; texts are Bilingual; a moment is shown in the reader's zone. */
  value: string | Bilingual | { at: string };
}

/**
 * A button. `end_session` must be allowed only to the way's owner or an admin (the flow runs it as `close`);
 * `again` opens the temp form prefilled from the way (the `again` command, same rule).
 */
export interface NotificationAction {
  kind: 'end_session' | 'show' | 'again';
  label: Bilingual;
  configId: string;
  /** end_session: whose session (close_temp_chat needs both). */
  userId?: string;
  externalUserId?: string;
  danger?: boolean;
  confirm?: { title: Bilingual; text: Bilingual; yes: Bilingual; no: Bilingual };
}

/** Delivers a notification to the requester; the default only logs it. */
export type Notify = (requester: Requester, notification: Notification) => Promise<void>;

/** A notification with every text in one language: what a renderer needs, like `commands/types.ts` Reply. */
export interface LocalizedNotification {
  kind: Notification['kind'];
  status: Notification['status'];
  title: string;
  text?: string;
  configId: string;
  facts: { label: string; value: string }[];
  actions: (Omit<NotificationAction, 'label' | 'confirm'> & {
    label: string;
    confirm?: { title: string; text: string; yes: string; no: string };
  })[];
}

/** The notification in one language, its times in `timeZone` (UTC for logs). */
export function localizeNotification(
  n: Notification,
  locale: Locale,
  timeZone = 'UTC',
): LocalizedNotification {
  const text = (v: NotificationFact['value']) =>
    typeof v === 'string' ? v : 'at' in v ? formatTime(v.at, { timeZone }) : say(v, locale);
  return {
    kind: n.kind,
    status: n.status,
    title: say(n.title, locale),
    ...(n.text ? { text: say(n.text, locale) } : {}),
    configId: n.configId,
    facts: n.facts.map((f) => ({ label: say(f.label, locale), value: text(f.value) })),
    actions: n.actions.map(({ label, confirm, ...rest }) => ({
      ...rest,
      label: say(label, locale),
      ...(confirm
        ? {
            confirm: {
              title: say(confirm.title, locale),
              text: say(confirm.text, locale),
              yes: say(confirm.yes, locale),
              no: say(confirm.no, locale),
            },
          }
        : {}),
    })),
  };
}

/**
 * A notification as a reply every adapter renders (facts, buttons): End session becomes a `close` action
 * carrying the way's config_id and the customer's external_userid (the flow runs `close` with both, so the
 * same owner-or-admin rule holds for the button and the command).
 */
export function notificationReply(n: Notification, viewer: Viewer): Reply {
  const l = localizeNotification(n, viewer.locale, viewer.timeZone);
  return {
    status: l.status,
    title: l.title,
    ...(l.text ? { text: l.text } : {}),
    configId: l.configId,
    facts: l.facts,
    actions: l.actions.flatMap((a): ReplyAction[] => {
      if (a.kind === 'show' || a.kind === 'again')
        return [{ kind: a.kind, label: a.label, configId: a.configId }];
      if (!a.externalUserId) return [];
      return [
        {
          kind: 'close',
          label: a.label,
          configId: a.configId,
          customer: a.externalUserId,
          ...(a.danger ? { danger: true } : {}),
          ...(a.confirm ? { confirm: a.confirm } : {}),
        },
      ];
    }),
  };
}

/** The notifier until adapters provide one: an info line with the English text (no personal data beyond ids). */
export function logNotify(logger: Logger): Notify {
  return async (requester, notification) => {
    const en = localizeNotification(notification, 'en');
    logger.info(
      {
        requester: `${requester.platform}:${requester.workspaceId}:${requester.userId}`,
        configId: en.configId,
        facts: en.facts,
      },
      `notification: ${en.title}`,
    );
  };
}

const WELCOME_TEXT: Record<WelcomeStatus, Bilingual> = {
  sent: t('Welcome message sent.', '欢迎语已发送。'),
  already_greeted: t(
    'Welcome message not sent: already greeted by WeCom or another app.',
    '欢迎语未发送：企业微信或其他应用已发送过欢迎语。',
  ),
  no_code: t(
    'Welcome message not sent: WeCom did not offer a greeting (a console-configured welcome message or an existing chat).',
    '欢迎语未发送：企业微信未提供发送机会（管理后台已配置欢迎语，或客户已在聊天中）。',
  ),
  not_configured: t('This contact way has no welcome message.', '该「联系我」未设置欢迎语。'),
  window_passed: t(
    'Welcome message not sent: WeCom’s 20-second window had passed before the event could be processed.',
    '欢迎语未发送：事件处理前已超过企业微信的 20 秒发送时限。',
  ),
  failed: t('Welcome message not sent: WeCom refused it.', '欢迎语未发送：企业微信拒绝了请求。'),
  probably_sent: t(
    'Welcome message probably sent: our first attempt was interrupted before its result was saved, and WeCom now says the customer was already greeted.',
    '欢迎语很可能已发送：首次发送后未能保存结果，企业微信现表示该客户已收到欢迎语。',
  ),
  unknown: t(
    'Welcome message may have been sent: our attempt was interrupted before its result was saved, and WeCom’s 20-second window has passed, so it was not tried again.',
    '欢迎语可能已发送：发送后未能保存结果，且已超过企业微信的 20 秒时限，因此未再重试。',
  ),
};

/** What the requester is told when a customer adds a member through their way. */
export function customerAddedNotification(
  way: ContactWayRecord,
  customer: CustomerRecord,
  welcomeFailure?: Bilingual,
  welcomeSent?: Bilingual,
): Notification {
  // The nickname is the customer's own text: written out inert before it reaches any platform.
  const name = customer.name ? outsideName(customer.name) : '';
  const who = name || customer.externalUserId;
  const wayName = way.request.remark ? `${way.request.remark} (${way.configId})` : way.configId;
  const welcome =
    customer.welcome.status === 'failed' && welcomeFailure
      ? welcomeFailure
      : WELCOME_TEXT[customer.welcome.status];
  const facts: NotificationFact[] = [
    {
      label: t('Customer', '客户'),
      value: name ? `${name} (${customer.externalUserId})` : customer.externalUserId,
    },
    { label: t('Member', '成员'), value: customer.userId },
    { label: t('Contact way', '「联系我」'), value: wayName },
    { label: t('Added at', '添加时间'), value: { at: customer.addedAt } },
    { label: t('Welcome message', '欢迎语'), value: welcome },
    ...(welcomeSent && customer.welcome.status === 'sent'
      ? [{ label: t('Sent', '已发送'), value: welcomeSent }]
      : []),
  ];
  if (customer.session === 'open' && customer.sessionEndsAt) {
    facts.push({ label: t('Session ends', '会话结束时间'), value: { at: customer.sessionEndsAt } });
  }
  const actions: NotificationAction[] = [];
  if (customer.session === 'open') {
    actions.push({
      kind: 'end_session',
      label: t('End session', '结束会话'),
      configId: way.configId,
      userId: customer.userId,
      externalUserId: customer.externalUserId,
      danger: true,
      confirm: {
        title: t('End this session?', '结束该会话？'),
        text: t(
          `WeCom sends the closing message to ${who}, then the temporary session with ${customer.userId} ends.`,
          `企业微信会先向 ${who} 发送结束语，然后结束其与 ${customer.userId} 的临时会话。`,
        ),
        yes: t('End session', '结束会话'),
        no: t('Cancel', '取消'),
      },
    });
  }
  // A temporary QR works once: this customer used it up, so the next one is a click away.
  if (way.isTemp) actions.push({ kind: 'again', label: AGAIN_LABEL, configId: way.configId });
  actions.push({ kind: 'show', label: t('Show', '查看'), configId: way.configId });
  const used = way.isTemp
    ? t(' This temporary QR is now used: it no longer works.', '该临时二维码已被使用，不再有效。')
    : t('', '');
  return {
    kind: 'customer_added',
    status: 'ok',
    title: t(`${who} added ${customer.userId}`, `${who} 添加了 ${customer.userId}`),
    text: t(
      `A customer added ${customer.userId} through your contact way ${wayName}.${used.en}`,
      `有客户通过你的「联系我」${wayName} 添加了 ${customer.userId}。${used.zh}`,
    ),
    configId: way.configId,
    facts,
    actions,
    recipient: {
      ...(way.locale ? { locale: way.locale } : {}),
      ...(way.timeZone ? { timeZone: way.timeZone } : {}),
    },
  };
}
