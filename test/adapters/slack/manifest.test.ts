import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENTS_PATH } from '../../../adapters/slack/create-app.js';
import { SLASH_COMMAND } from '../../../adapters/slack/listeners.js';
import { NEW_TEMP_SHORTCUT } from '../../../adapters/slack/shortcut.js';

const manifest = readFileSync(
  join(import.meta.dirname, '..', '..', '..', 'adapters', 'slack', 'manifest.yml'),
  'utf8',
);

describe('Slack app manifest', () => {
  it('GIVEN the manifest THEN it declares the slash command the adapter listens to, with a usage hint', () => {
    expect(manifest).toMatch(new RegExp(`- command: ${SLASH_COMMAND}\\n`));
    expect(manifest).toMatch(/usage_hint: .*temp <userid>/);
  });

  it('GIVEN the manifest THEN commands and interactivity point at the events endpoint and interactivity is on', () => {
    const urls = [...manifest.matchAll(/(?:url|request_url): (\S+)/g)].map((m) => m[1]);
    // The command, interactivity, the pickers' options load URL and the event subscriptions: one endpoint.
    expect(urls).toHaveLength(4);
    for (const url of urls) expect(url).toBe(`https://YOUR_HOST${EVENTS_PATH}`);
    expect(manifest).toMatch(/interactivity:\n\s+# .*\n\s+is_enabled: true/);
  });

  it('GIVEN the Web API methods the adapter calls THEN every scope they need is requested', () => {
    // chat.postEphemeral/postMessage, files.uploadV2, conversations.open (DM), users.info (locale).
    for (const scope of [
      'commands',
      'chat:write',
      'files:write',
      'im:write',
      'users:read',
      'usergroups:read',
    ]) {
      expect(manifest).toMatch(new RegExp(`^\\s+- ${scope}$`, 'm'));
    }
  });

  it('GIVEN the App Home, the shortcut and the member pickers THEN the manifest enables each on the events endpoint', () => {
    expect(manifest).toMatch(/app_home:\n(?:\s+#.*\n)?\s+home_tab_enabled: true/);
    expect(manifest).toMatch(/messages_tab_enabled: true/);
    expect(manifest).toMatch(
      new RegExp(
        `event_subscriptions:\\n(?:\\s+#.*\\n)?\\s+request_url: https://YOUR_HOST${EVENTS_PATH}\\n\\s+bot_events:\\n\\s+- app_home_opened\\n`,
      ),
    );
    expect(manifest).toMatch(new RegExp(`message_menu_options_url: https://YOUR_HOST${EVENTS_PATH}\\n`));
    expect(manifest).toMatch(
      new RegExp(
        `shortcuts:\\n(?:\\s+#.*\\n)?\\s+- name: New temporary QR\\n\\s+type: global\\n\\s+callback_id: ${NEW_TEMP_SHORTCUT}\\n`,
      ),
    );
  });

  it('GIVEN the manifest THEN it is one paste: no tabs, and YOUR_HOST is the only placeholder', () => {
    expect(manifest).not.toMatch(/\t/);
    expect([...manifest.matchAll(/YOUR_[A-Z_]+/g)].map((m) => m[0]).filter((p) => p !== 'YOUR_HOST')).toEqual(
      [],
    );
  });
});
