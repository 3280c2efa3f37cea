import { requesterOfKey } from '../service/links.js';
import type { Requester } from '../store/record-schema.js';

/** The ADMINS entries (or the policy file's) of one workspace: who hears that its corp was lost. */
export function workspaceAdmins(keys: readonly string[]) {
  return (platform: string, workspaceId: string): Requester[] =>
    keys.flatMap((key) => {
      const admin = requesterOfKey(key);
      return admin?.platform === platform && admin.workspaceId === workspaceId ? [admin] : [];
    });
}
