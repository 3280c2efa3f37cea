import type { CommandContext } from '../../commands/index.js';
import type { Core } from '../../src/app.js';
import type { Locale } from '../../src/i18n.js';
import type { Logger } from '../../src/logger.js';
import type { Requester } from '../../src/store/index.js';
import type { Deliverer } from './deliver.js';
import type { LocaleResolver } from './locale.js';
import type { UsergroupResolver } from './usergroups.js';

/** What the Slack listeners share: the core, the locale cache and the reply delivery. */
export interface SlackDeps {
  core: Pick<Core, 'config' | 'service' | 'sandbox' | 'ops'>;
  logger: Logger;
  locales: LocaleResolver;
  deliverer: Deliverer;
  usergroups: UsergroupResolver;
}

/** The neutral command context for one Slack requester; their user groups stand in for roles. */
export async function commandContext(
  deps: SlackDeps,
  requester: Requester,
  locale: Locale,
): Promise<CommandContext> {
  return {
    requester,
    locale,
    roles: await deps.usergroups.groupsOf(requester.userId),
    service: deps.core.service,
    sandbox: deps.core.sandbox !== undefined,
    observer: deps.core.ops.commands,
  };
}
