import type { ApplicationCommandOptionChoiceData, AutocompleteInteraction } from 'discord.js';
import type { RecordView } from '../../src/service/contact-way-service.js';
import { type HandlerContext, requesterOf, rolesOf } from './context.js';

/** Discord shows at most 25 suggestions, each name and value at most 100 characters. */
const MAX_CHOICES = 25;
const MAX_CHOICE_TEXT = 100;
/** Autocomplete has the same 3 s deadline as any interaction: give up on a slow store and suggest nothing. */
const LIST_TIMEOUT_MS = 2_000;

/**
 * Suggests `config_id` values from the requester's own records (the service lists only theirs; an admin's
 * list is everyone's, as in `list`). Matches what was typed anywhere in the config_id, member or remark.
 * Behind the same access policy as every command (guild, DISCORD_ROLES): a requester who may not use the
 * bot, say one who lost the allowed role, gets no suggestions at all. Not audited: it runs per keystroke,
 * and the command she then runs is.
 */
export async function handleAutocomplete(
  ctx: HandlerContext,
  interaction: AutocompleteInteraction,
): Promise<void> {
  const focused = interaction.options.getFocused(true);
  const allowed = !ctx.service.accessDenied({ ...requesterOf(interaction), roles: rolesOf(interaction) });
  if (!allowed || focused.name !== 'config_id') {
    await interaction.respond([]);
    return;
  }
  const records = await listWithin(ctx, interaction);
  await interaction.respond(suggestions(records, String(focused.value)));
}

async function listWithin(ctx: HandlerContext, interaction: AutocompleteInteraction): Promise<RecordView[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<RecordView[]>((resolve) => {
    timer = setTimeout(() => resolve([]), LIST_TIMEOUT_MS);
  });
  try {
    return await Promise.race([ctx.service.list(requesterOf(interaction)), timeout]);
  } catch (error) {
    ctx.logger.warn({ err: error }, 'autocomplete could not list contact ways');
    return [];
  } finally {
    clearTimeout(timer);
  }
}

/** The choices for what was typed so far, newest first as the service lists them. Pure. */
export function suggestions(
  records: readonly RecordView[],
  typed: string,
): ApplicationCommandOptionChoiceData<string>[] {
  const needle = typed.trim().toLowerCase();
  return records
    .filter((r) => r.configId.length <= MAX_CHOICE_TEXT)
    .map((r) => ({ record: r, label: labelOf(r) }))
    .filter(({ label }) => needle === '' || label.toLowerCase().includes(needle))
    .slice(0, MAX_CHOICES)
    .map(({ record, label }) => ({ name: label, value: record.configId }));
}

function labelOf(record: RecordView): string {
  const parts = [record.configId, record.request.user?.join(', '), record.request.remark].filter(Boolean);
  const text = parts.join(' · ');
  return text.length <= MAX_CHOICE_TEXT ? text : `${text.slice(0, MAX_CHOICE_TEXT - 1)}…`;
}
