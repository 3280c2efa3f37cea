import type { Context, webApi } from '@slack/bolt';
import type { Locale } from '../../src/base/i18n.js';
import type { ChatActor, ChatPort, LaterFacts } from '../../src/chat/port.js';
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
 * The asker of a Slack request: who sent the payload, by `slackIdentityOf` (the one rule for every kind of
 * payload), with their language and user groups, API calls that are only `later` facts unless cached.
 */
export function askerOfRequest(
  deps: AskerDeps,
  body: unknown,
  context: Pick<Context, 'teamId' | 'enterpriseId'>,
  userId: string,
  name?: string,
): Asker {
  return askerOf(deps, slackRequesterOf(body, { ...context, userId }, name));
}

/** The asker for a requester already known (a republished App Home). */
export function askerOf(deps: AskerDeps, requester: Omit<ChatActor, 'roles'>): Asker {
  const { workspaceId, userId } = requester;
  const actor: ChatActor = { ...requester, ...(deps.usergroups ? {} : { roles: [] }) };
  const currentLocale = () => deps.locales.peek(workspaceId, userId) ?? deps.port.defaultLocale;
  const lateLocale = () => deps.locales.lookup(workspaceId, userId);
  const usergroups = deps.usergroups;
  const later: LaterFacts = {
    locale: lateLocale,
    timeZone: () => deps.locales.timeZone(workspaceId, userId),
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
