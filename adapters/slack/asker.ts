import type { Context, webApi } from '@slack/bolt';
import type { ChatActor, ChatPort, LaterFacts } from '../../src/chat/port.js';
import type { Locale } from '../../src/i18n.js';
import type { Deliverer, DeliveryTarget } from './deliver.js';
import type { LocaleResolver } from './locale.js';
import { slackRequesterOf } from './requester.js';
import type { SurfaceContext } from './surface.js';
import type { UsergroupResolver } from './usergroups.js';

export interface AskerDeps {
  port: ChatPort;
  deliverer: Deliverer;
  locales: LocaleResolver;
  /** Undefined when ACCESS_SLACK_USERGROUPS is unset: nobody then has roles, known without a lookup. */
  usergroups: UsergroupResolver | undefined;
}

/** Who asks, as the flow's requests want it, with their language now and after a lookup. */
export interface Asker {
  actor: ChatActor;
  locale: Locale;
  later: LaterFacts;
  currentLocale: () => Locale;
  lateLocale: () => Promise<Locale>;
}

/**
 * The requester of a Slack request (the signed user id in the workspace Bolt derives, `context.teamId`):
 * their language and user groups are API calls, so they are only `later` facts unless cached.
 */
export function askerOf(
  deps: AskerDeps,
  context: Pick<Context, 'teamId' | 'enterpriseId'>,
  userId: string,
  name?: string,
): Asker {
  const requester = slackRequesterOf(context, userId, name);
  const actor: ChatActor = { ...requester, ...(deps.usergroups ? {} : { roles: [] }) };
  const currentLocale = () => deps.locales.peek(requester.workspaceId, userId) ?? deps.port.defaultLocale;
  const lateLocale = () => deps.locales.lookup(requester.workspaceId, userId);
  const usergroups = deps.usergroups;
  const later: LaterFacts = {
    locale: lateLocale,
    ...(usergroups ? { roles: () => usergroups.groupsOf(userId) } : {}),
  };
  return { actor, locale: currentLocale(), later, currentLocale, lateLocale };
}

/** A surface context for a request of this asker. */
export function surfaceContextOf(
  deps: AskerDeps,
  asker: Asker,
  rest: Pick<SurfaceContext, 'kind' | 'ack' | 'triggerId' | 'view'> & {
    client: webApi.WebClient;
    target: DeliveryTarget;
  },
): SurfaceContext {
  const { currentLocale, lateLocale, locale } = asker;
  return { ...rest, deliverer: deps.deliverer, logger: deps.port.logger, locale, currentLocale, lateLocale };
}
