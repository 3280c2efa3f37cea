import type { App, GlobalShortcut } from '@slack/bolt';
import type { AskerDeps } from './asker.js';
import { runFromAnywhere } from './open-from-anywhere.js';
import type { AnyAck } from './surface.js';

/** The global shortcut "New temporary QR", as declared in manifest.yml. */
export const NEW_TEMP_SHORTCUT = 'new_temp_qr';

/** The shortcut opens the same form as `/contactway temp` (with the member picker when none is mapped). */
export function registerShortcut(app: App, deps: AskerDeps): void {
  app.shortcut<GlobalShortcut>(
    { type: 'shortcut', callback_id: NEW_TEMP_SHORTCUT },
    async ({ ack, body, client, context }) => {
      await runFromAnywhere(deps, {
        body,
        context,
        client,
        ack: ack as AnyAck,
        user: { id: body.user.id, name: body.user.username },
        triggerId: body.trigger_id,
        text: 'temp',
      });
    },
  );
}
