/** The WeCom member directory: pickers and pre-flight read it; see member-directory.ts. */
export { IneligibleMemberError } from './ineligible.js';
export {
  createMemberDirectory,
  DIRECTORY_KEY,
  type DirectorySearch,
  type DirectoryStatus,
  MAX_SEARCH_RESULTS,
  type MemberDirectory,
  type MemberDirectoryOptions,
} from './member-directory.js';
export {
  type DirectoryMember,
  type DirectorySnapshot,
  INELIGIBLE_REASONS,
  type IneligibleReason,
  type Verdict,
} from './snapshot.js';
