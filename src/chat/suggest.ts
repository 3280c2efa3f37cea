import type { Logger } from '../base/logger.js';
import type { MemberDirectory } from '../directory/index.js';
import type { InFlight } from '../ops/index.js';
import type { ContactWayService, RecordView } from '../service/contact-way-service.js';
import { refusedNow, stripRoles } from './access.js';
import type { Suggestion, SuggestRequest } from './port.js';

/** Suggestions answer within the same 3 s as any interaction: a slow store suggests nothing. */
const SUGGEST_TIMEOUT_MS = 2_000;

/** Arguments a platform may ask suggestions for while they are typed. */
const SUGGESTED_FIELDS: ReadonlySet<string> = new Set(['config_id', 'user']);

/**
 * Suggestions while an argument is typed: directory members for `user`, the requester's own ways for
 * `config_id`. Never throws; a refused or slow requester gets none.
 */
export function createSuggest(deps: {
  service: ContactWayService;
  directory: MemberDirectory;
  requests: InFlight;
  logger: Logger;
}): (request: SuggestRequest, limits: { max: number; chars: number }) => Promise<Suggestion[]> {
  const { service, logger } = deps;
  return async (request, limits) => {
    if (deps.requests.draining || !SUGGESTED_FIELDS.has(request.field)) return [];
    if (refusedNow(service, request.actor)) return [];
    const roles = request.actor.roles ?? (await request.later?.roles?.().catch(() => undefined));
    if (roles === undefined || service.accessDenied({ ...request.actor, roles })) return [];
    if (request.field === 'user') {
      // In a comma list, the last item is being typed; those before it stay as they are.
      const cut = request.multiple ? request.typed.lastIndexOf(',') + 1 : 0;
      const before = request.typed.slice(0, cut);
      const chosen = new Set(before.split(',').map((u) => u.trim().toLowerCase()));
      await deps.directory.prepare(stripRoles(request.actor));
      const found = deps.directory.search(request.typed.slice(cut), {
        limit: limits.max + chosen.size,
        requester: stripRoles(request.actor),
      });
      const fresh = found.members.filter((m) => !chosen.has(m.userid.toLowerCase()));
      return memberSuggestions(fresh.slice(0, limits.max), limits.chars, before);
    }
    const records = await within(service.list(stripRoles(request.actor)), SUGGEST_TIMEOUT_MS).catch(
      (error: unknown) => {
        logger.warn({ err: error }, 'suggestions could not list contact ways');
        return [];
      },
    );
    return suggestions(records ?? [], request.typed, limits);
  };
}

/** Members as picker options: the userid is the value, `name (userid)` the label, cut to the platform's limit. */
export function memberSuggestions(
  members: readonly { userid: string; name?: string | undefined }[],
  chars: number,
  before = '',
): Suggestion[] {
  return members
    .filter((m) => before.length + m.userid.length <= chars)
    .map((m) => {
      const value = `${before}${m.userid}`;
      const label = `${before}${m.name ? `${m.name} (${m.userid})` : m.userid}`;
      return { value, label: [...label].length <= chars ? label : value };
    });
}

/** Suggestions for what was typed: newest first, matched anywhere in config_id, member or remark. Pure. */
export function suggestions(
  records: readonly RecordView[],
  typed: string,
  limits: { max: number; chars: number },
): Suggestion[] {
  const needle = typed.trim().toLowerCase();
  return records
    .filter((r) => r.configId.length <= limits.chars)
    .map((r) => ({ record: r, label: labelOf(r, limits.chars) }))
    .filter(({ label }) => needle === '' || label.toLowerCase().includes(needle))
    .slice(0, limits.max)
    .map(({ record, label }) => ({ value: record.configId, label }));
}

function labelOf(record: RecordView, chars: number): string {
  const text = [record.configId, record.request.user?.join(', '), record.request.remark]
    .filter(Boolean)
    .join(' · ');
  return [...text].length <= chars ? text : `${[...text].slice(0, chars - 1).join('')}…`;
}

async function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
