import type Keyv from 'keyv';
import { currentCorp } from '../base/corp-scope.js';
import type { Logger } from '../base/logger.js';
import { namingMember } from '../callbacks/member-names.js';
import type { Notification } from '../callbacks/notification.js';
import { type CorpDirectories, createCorpDirectories } from '../directory/corp-directories.js';
import type { MemberDirectoryOptions } from '../directory/member-directory.js';
import { createOpenIdResolver } from '../directory/open-ids.js';
import { corpPolicy, resolvingMembers } from '../service/resolve-members.js';
import type { ContactWayService } from '../service/types.js';
import type { DirectoryApi } from '../wecom/directory-api.js';
import type { Provider } from './index.js';

/**
 * Members in a provider mode (issue 22 item 6), wired in one place: a directory per installed corp, typed
 * members and USER_MAP's userids turned into each corp's open userids, callbacks' open ids named readably.
 * The directory api given is per corp (perCorp): every call runs in the corp's scope.
 */
export function providerMembers(options: {
  api: DirectoryApi;
  store: Keyv;
  logger: Logger;
  provider: Pick<Provider, 'tenants' | 'installs'>;
}) {
  const { tenants, installs } = options.provider;
  const corps = {
    corps: async () => (await tenants.list()).filter((x) => x.status === 'active').map((x) => x.authCorpId),
    bindingOf: installs.bindingOf,
    anyBound: installs.anyBound,
  };
  const resolver = createOpenIdResolver({ api: options.api, store: options.store, logger: options.logger });
  let directories: CorpDirectories | undefined;
  return {
    /** CREATE_FOR=mapped compares a way's open ids with the open id of the requester's mapped member. */
    policy<P extends Parameters<typeof corpPolicy>[0]>(policy: P): P {
      return corpPolicy(policy, (userid) => {
        const corp = currentCorp();
        return corp === undefined ? undefined : resolver.known(corp, userid);
      });
    },

    /** The service with members resolved (wrap it inside scopeByWorkspace: it needs the corp's scope). */
    service(built: ContactWayService): ContactWayService {
      return resolvingMembers(built, (typed) =>
        directories ? directories.resolve(typed) : Promise.resolve(typed.map((t) => ({ typed: t, id: t }))),
      );
    },

    directory(base: Omit<MemberDirectoryOptions, 'key' | 'run'>): CorpDirectories {
      directories = createCorpDirectories({ ...corps, logger: options.logger, base, resolver });
      return directories;
    },

    /** A callback's notification, in its corp's scope, with the member's name beside their open id. */
    async named(notification: Notification): Promise<Notification> {
      const found = directories;
      if (!found) return notification;
      await found.ready();
      return namingMember(notification, (userid) => found.member(userid)?.name);
    },
  };
}
