import type { App, BlockSuggestion } from '@slack/bolt';
import { type AskerDeps, askerOfRequest } from './asker.js';
import { FIELD_ACTION_ID, MAX_OPTIONS, OPTION_TEXT_MAX } from './render-form.js';

/** An option's text is at most 75 characters; its value (a userid, ≤64) stays far below Slack's 150. */
const LIMITS = { max: MAX_OPTIONS, chars: OPTION_TEXT_MAX };

/**
 * Serves the external selects of our forms (member pickers) from the flow's suggestions: the directory in
 * memory, behind the access policy and CREATE_FOR, so the answer comes well inside Slack's 3 s. The form
 * field is the block id (see render-form.ts). Always answers: an error or a refusal lists nothing.
 */
export function registerOptions(app: App, deps: AskerDeps): void {
  app.options<'block_suggestion'>(
    { type: 'block_suggestion', action_id: FIELD_ACTION_ID },
    async ({ ack, body, context }) => {
      const suggestion = body as BlockSuggestion;
      let options: { text: { type: 'plain_text'; text: string; emoji: boolean }; value: string }[] = [];
      try {
        const asker = askerOfRequest(deps, body, context, suggestion.user.id, suggestion.user.name);
        const found = await deps.port.flow.suggest(
          {
            actor: asker.actor,
            locale: asker.locale,
            later: asker.later,
            field: suggestion.block_id,
            typed: suggestion.value ?? '',
          },
          LIMITS,
        );
        options = found.map((s) => ({
          text: { type: 'plain_text', text: s.label, emoji: true },
          value: s.value,
        }));
      } catch (error) {
        deps.port.logger.warn({ err: error }, 'Slack options could not be listed');
      }
      await ack({ options });
    },
  );
}
