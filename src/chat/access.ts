import type { Locale } from '../base/i18n.js';
import type { ContactWayService } from '../service/contact-way-service.js';
import type { Requester } from '../store/index.js';
import type { BaseRequest, ChatActor } from './port.js';

/**
 * When access is known. A platform that sends the requester's roles with the request (Discord) is answered
 * before any form; one that needs a lookup (Slack user groups, a Discord DM) is answered once the lookup is
 * back, and always before anything is created.
 */

/** The refusal, when the policy can answer from what we know now; it is audited in the background. */
export function refusedNow(service: ContactWayService, actor: ChatActor): unknown {
  if (actor.roles === undefined) return undefined;
  const denied = service.accessDenied(actor);
  if (denied) void service.checkAccess(actor).catch(() => undefined);
  return denied;
}

/** The refusal once roles are known (looked up if need be); audited in the background. */
export function refusedWith(
  service: ContactWayService,
  actor: ChatActor,
  roles: string[] | undefined,
): unknown {
  const denied = service.accessDenied({ ...actor, roles });
  if (denied) void service.checkAccess({ ...actor, roles }).catch(() => undefined);
  return denied;
}

/** What the platform says about the requester: language, roles and own time zone (if it tells one). */
export interface Resolved {
  locale: Locale;
  roles: string[] | undefined;
  timeZone: string | undefined;
}

/** The requester's language, roles and zone, from the request or its `later` lookups (a failed lookup falls back). */
export async function resolved(request: BaseRequest): Promise<Resolved> {
  const [locale, roles, timeZone] = await Promise.all([
    request.later?.locale?.().catch(() => request.locale) ?? request.locale,
    request.actor.roles ?? request.later?.roles?.().catch(() => []),
    request.later?.timeZone?.().catch(() => undefined),
  ]);
  return { locale, roles, timeZone };
}

export function stripRoles(actor: ChatActor): Requester {
  const { roles: _, ...requester } = actor;
  return requester;
}
