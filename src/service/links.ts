/**
 * Linking a chat user to a WeCom member without editing USER_MAP: a requester asks (`link <userid>`), each
 * admin is told with Approve and Decline buttons, and an admin links anyone directly. Every step is audited
 * (`link.request`, `link.approve`, `link.decline`, `link`, `unlink`).
 */

import { ContactwayError, ForbiddenError, ValidationError } from '../base/errors.js';
import { type Bilingual, type Locale, say, t } from '../base/i18n.js';
import { IneligibleMemberError, type MemberDirectory } from '../directory/index.js';
import { type LinkStore, type Requester, requesterKey } from '../store/index.js';
import type { Reply, ReplyAction } from '../ui/model.js';
import type { ServiceContext } from './context.js';

/** How the service reaches a person outside a request (the core's notifications). */
export type Notify = (requester: Requester, build: (locale: Locale) => Reply) => Promise<boolean>;

/** What a requester's `link <userid>` came to. */
export type LinkRequestOutcome =
  | { kind: 'linked'; userid: string }
  | { kind: 'already'; userid: string }
  /** Waiting for an admin; `told`: how many admins a notification reached. */
  | { kind: 'asked'; userid: string; told: number };

export interface LinkMethods {
  /** `link <userid>`: an admin is linked at once; anyone else asks the admins. */
  requestLink(requester: Requester, userid: string): Promise<LinkRequestOutcome>;
  /** An admin's answer to a request (its id is on the buttons): the requester is told either way. */
  decideLink(
    admin: Requester,
    requestId: string,
    approve: boolean,
  ): Promise<{ requester: string; userid: string }>;
  /** Admins: `link <chat user> <userid>`. */
  linkUser(admin: Requester, target: Requester, userid: string): Promise<void>;
  /**
   * Removes a stored link: one's own, or anyone's for an admin. Returns the removed userid (undefined: none
   * was stored) and what the requester still maps to (a USER_MAP seed, which only a restart changes).
   */
  unlink(requester: Requester, target?: Requester): Promise<{ removed?: string; seed?: string }>;
}

/** A request that was answered already, or expired. */
export class LinkRequestGoneError extends ContactwayError {
  constructor() {
    super(
      'link.gone',
      t('This link request was already answered or has expired.', '该绑定请求已被处理或已过期。'),
      { title: t('Link request gone', '绑定请求已失效') },
    );
  }
}

const onlyAdmins = (what: Bilingual) => new ForbiddenError(what);

/** A requester key as ADMINS writes it (`platform:workspace:user`, parts URI-encoded) → the requester. */
export function requesterOfKey(key: string): Requester | undefined {
  const parts = key.split(':');
  if (parts.length !== 3 || parts.some((p) => !p)) return undefined;
  try {
    const [platform, workspaceId, userId] = parts.map(decodeURIComponent) as [string, string, string];
    return { platform, workspaceId, userId };
  } catch {
    return undefined;
  }
}

function info(
  title: Bilingual,
  text: Bilingual | undefined,
  locale: Locale,
  actions: ReplyAction[] = [],
): Reply {
  return {
    status: 'info',
    title: say(title, locale),
    ...(text ? { text: say(text, locale) } : {}),
    facts: [],
    actions,
  };
}

export function linkMethods(
  ctx: ServiceContext,
  links: LinkStore,
  deps: {
    notify?: Notify | undefined;
    directory?: () => Pick<MemberDirectory, 'verdict' | 'status'> | undefined;
  },
): LinkMethods {
  const { audited, isAdmin, policy, now } = ctx;
  const notify: Notify = deps.notify ?? (async () => false);

  /** The directory's word on the member: refused when WeCom would refuse them, or when it knows no such member. */
  function checkMember(userid: string): void {
    const directory = deps.directory?.();
    if (!directory) return;
    const verdict = directory.verdict(userid);
    if (verdict.kind === 'ineligible') throw new IneligibleMemberError(userid, verdict.reason);
    if (verdict.kind === 'unknown' && directory.status().loaded) {
      throw new ValidationError([
        {
          field: 'user',
          message: t(
            `${userid} is not a member in WeCom's directory. Check the userid (WeCom admin console → 通讯录 → the member → 账号).`,
            `企业微信通讯录中没有成员 ${userid}。请核对 userid（企业微信管理后台 → 通讯录 → 成员 → 账号）。`,
          ),
        },
      ]);
    }
  }

  async function store(target: Requester, userid: string, by: Requester): Promise<void> {
    await links.set(requesterKey(target), {
      userid,
      by: requesterKey(by),
      at: new Date(now()).toISOString(),
    });
  }

  return {
    requestLink(requester, userid) {
      const key = requesterKey(requester);
      return audited(requester, 'link.request', userid, async (): Promise<LinkRequestOutcome> => {
        if (policy.mappedUser(requester) === userid) return { kind: 'already', userid };
        checkMember(userid);
        if (isAdmin(requester)) {
          await store(requester, userid, requester);
          return { kind: 'linked', userid };
        }
        const id = await links.request({ requester: key, userid, at: new Date(now()).toISOString() });
        const who = requester.displayName ? `${requester.displayName} (${key})` : key;
        const admins = policy.adminKeys().flatMap((k) => requesterOfKey(k) ?? []);
        const told = await Promise.all(
          admins.map((admin) =>
            notify(admin, (locale) => ({
              // Names the buttons' block (Slack) and keeps the request's id with its reply.
              configId: id,
              ...info(
                t('Link request', '绑定请求'),
                t(
                  `${who} asks to be linked to the WeCom member ${userid}.`,
                  `${who} 请求绑定企业微信成员 ${userid}。`,
                ),
                locale,
                [
                  { kind: 'approve-link', label: say(t('Approve', '批准'), locale), configId: id },
                  {
                    kind: 'decline-link',
                    label: say(t('Decline', '拒绝'), locale),
                    configId: id,
                    danger: true,
                  },
                ],
              ),
            })),
          ),
        );
        return { kind: 'asked', userid, told: told.filter(Boolean).length };
      });
    },

    async decideLink(admin, requestId, approve) {
      const pending = await links.pending(requestId);
      return audited(admin, approve ? 'link.approve' : 'link.decline', pending?.requester, async () => {
        if (!isAdmin(admin))
          throw onlyAdmins(t('Only admins can answer link requests.', '只有管理员可以处理绑定请求。'));
        if (!pending) throw new LinkRequestGoneError();
        const target = requesterOfKey(pending.requester);
        if (!target) throw new LinkRequestGoneError();
        if (approve) {
          checkMember(pending.userid);
          await store(target, pending.userid, admin);
        }
        await links.dropRequest(requestId);
        await notify(target, (locale) =>
          approve
            ? info(
                t(`Linked to ${pending.userid}`, `已绑定 ${pending.userid}`),
                t(
                  `An admin linked you to the WeCom member ${pending.userid}: \`temp\` now makes your QR without a userid.`,
                  `管理员已将你绑定到企业微信成员 ${pending.userid}：现在直接发送 \`temp\` 即可生成你的二维码。`,
                ),
                locale,
              )
            : info(
                t('Link request declined', '绑定请求被拒绝'),
                t(
                  `An admin declined linking you to ${pending.userid}. Ask an admin if this is a mistake.`,
                  `管理员拒绝了将你绑定到 ${pending.userid} 的请求。如有疑问请联系管理员。`,
                ),
                locale,
              ),
        );
        return { requester: pending.requester, userid: pending.userid };
      });
    },

    linkUser(admin, target, userid) {
      return audited(admin, 'link', `${requesterKey(target)}=${userid}`, async () => {
        if (!isAdmin(admin))
          throw onlyAdmins(
            t(
              'Only admins can link another chat user. Run `link <your WeCom userid>` to ask for your own link.',
              '只有管理员可以为他人绑定。发送 `link <你的企业微信 userid>` 可为自己申请绑定。',
            ),
          );
        checkMember(userid);
        await store(target, userid, admin);
      });
    },

    unlink(requester, target = requester) {
      const key = requesterKey(target);
      return audited(requester, 'unlink', key, async () => {
        if (key !== requesterKey(requester) && !isAdmin(requester))
          throw onlyAdmins(t('Only admins can unlink another chat user.', '只有管理员可以解除他人的绑定。'));
        const removed = await links.remove(key);
        const seed = policy.mappedUser(target);
        return { ...(removed ? { removed } : {}), ...(seed ? { seed } : {}) };
      });
    },
  };
}
