import type { Bilingual } from '../base/i18n.js';
import type { Notification } from './notification.js';

/** The Member fact's English label, as customerAddedNotification writes it (the fact that names the member). */
const MEMBER_LABEL = 'Member';

/**
 * A notification whose member is named readably: a provider app's events carry the member's open userid
 * (`wo…`, the 2022 id upgrade), which tells the requester nothing; the corp's directory knows their name.
 * The id stays beside the name (what WeCom and `close` take). Unchanged when the directory does not know it.
 */
export function namingMember(
  notification: Notification,
  nameOf: (userid: string) => string | undefined,
): Notification {
  const fact = notification.facts.find((f) => f.label.en === MEMBER_LABEL);
  const userid = typeof fact?.value === 'string' ? fact.value : undefined;
  const name = userid === undefined ? undefined : nameOf(userid);
  if (userid === undefined || !name || name === userid) return notification;
  const named = `${name} (${userid})`;
  const swap = (text: Bilingual): Bilingual => ({
    en: text.en.replaceAll(userid, named),
    zh: text.zh.replaceAll(userid, named),
  });
  return {
    ...notification,
    title: swap(notification.title),
    ...(notification.text ? { text: swap(notification.text) } : {}),
    facts: notification.facts.map((f) => (f === fact ? { ...f, value: named } : f)),
    actions: notification.actions.map((a) =>
      a.confirm ? { ...a, confirm: { ...a.confirm, text: swap(a.confirm.text) } } : a,
    ),
  };
}
