import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENTS_PATH } from '../adapters/slack/create-app.js';
import { SLASH_COMMAND } from '../adapters/slack/listeners.js';

const manifest = readFileSync(join(import.meta.dirname, '..', 'adapters', 'slack', 'manifest.yml'), 'utf8');

describe('Slack app manifest', () => {
  it('GIVEN the manifest THEN it declares the slash command the adapter listens to, with a usage hint', () => {
    expect(manifest).toMatch(new RegExp(`- command: ${SLASH_COMMAND}\\n`));
    expect(manifest).toMatch(/usage_hint: .*temp <userid>/);
  });

  it('GIVEN the manifest THEN commands and interactivity point at the events endpoint and interactivity is on', () => {
    const urls = [...manifest.matchAll(/(?:url|request_url): (\S+)/g)].map((m) => m[1]);
    expect(urls).toHaveLength(2);
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
});
