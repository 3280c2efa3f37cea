import type { ResolvedMember } from '../directory/open-ids.js';
import type { Policy } from './policy.js';
import type { ContactWayService } from './types.js';

/**
 * A provider mode's members as the tenant's token takes them (the 2022 id upgrade): the members a requester
 * typed or picked (`temp zhangsan`, USER_MAP's default, a name the directory knows) become the corp's open
 * userids before the service sees them, so WeCom gets ids it accepts and the record keeps the ids its
 * callbacks will carry (matched as stored). Wrapped inside scopeByWorkspace: it runs in the requester's corp.
 */
export function resolvingMembers(
  service: ContactWayService,
  resolve: (typed: readonly string[]) => Promise<ResolvedMember[]>,
): ContactWayService {
  const ids = async (users: readonly string[] | undefined): Promise<string[] | undefined> =>
    users && users.length > 0 ? (await resolve(users)).map((r) => r.id) : users && [...users];
  return {
    ...service,
    async create(requester, request, options) {
      // USER_MAP's member is learned with them: CREATE_FOR=mapped compares against its open id (corpPolicy).
      const mine = service.mappedUser(requester);
      const user = await ids(request.user && mine ? [...request.user, mine] : request.user);
      if (user && mine && request.user) user.length = request.user.length;
      return service.create(requester, user ? { ...request, user } : request, options);
    },
    async update(requester, configId, changes) {
      const user = await ids(changes.user);
      return service.update(requester, configId, user ? { ...changes, user } : changes);
    },
    async closeTempChat(requester, request) {
      const [userid] = (await ids([request.userid])) ?? [request.userid];
      return service.closeTempChat(requester, { ...request, userid: userid ?? request.userid });
    },
  };
}

/**
 * The policy of a provider mode: USER_MAP and links name plaintext userids (what an admin typed), the way's
 * members are the corp's open ids; CREATE_FOR=mapped compares the open id of the requester's mapped member.
 */
export function corpPolicy<P extends Pick<Policy, 'mappedUser' | 'checkCreateFor'>>(
  policy: P,
  openOf: (userid: string) => string | undefined,
): P {
  return {
    ...policy,
    checkCreateFor(requester, userids, departments) {
      const mine = policy.mappedUser(requester);
      const open = mine === undefined ? undefined : openOf(mine);
      const plain = open === undefined ? userids : userids.map((u) => (u === open ? (mine as string) : u));
      policy.checkCreateFor(requester, plain, departments);
    },
  };
}
