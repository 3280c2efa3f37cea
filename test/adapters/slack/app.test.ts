import { describe, expect, it } from 'vitest';
import { createSlackApp } from '../../../adapters/slack/create-app.js';
import { readSlackSettings } from '../../../adapters/slack/settings.js';
import { silentLogger } from '../../../src/base/logger.js';

describe('createSlackApp: HTTP or Socket Mode from the configuration', () => {
  it('GIVEN a signing secret THEN HTTP mode', () => {
    const settings = readSlackSettings({
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_SIGNING_SECRET: 's',
    })!;
    expect(createSlackApp(settings, silentLogger(), 0).transport).toBe('http');
  });

  it('GIVEN only an app-level token THEN Socket Mode (nothing connects until start)', () => {
    const settings = readSlackSettings({
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_APP_TOKEN: 'xapp-test',
    })!;
    expect(createSlackApp(settings, silentLogger(), 0).transport).toBe('socket');
  });

  it('GIVEN both THEN HTTP wins: a signing secret means Slack posts to us', () => {
    const settings = readSlackSettings({
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_APP_TOKEN: 'xapp-test',
      SLACK_SIGNING_SECRET: 's',
    })!;
    expect(createSlackApp(settings, silentLogger(), 0).transport).toBe('http');
  });
});
