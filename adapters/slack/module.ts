import type { ChatAdapterModule } from '../../src/chat/adapter-module.js';
import {
  readSlackSettings,
  SLACK_PLATFORM,
  type SlackSettings,
  slackAccessRule,
  slackSecrets,
} from './settings.js';

/**
 * Slack, when SLACK_BOT_TOKEN is set. In HTTP mode Bolt's server answers PORT: `/slack/events`, the ops
 * endpoints the host names and its routes (WeCom's callback); in Socket Mode it opens no port.
 */
export const slackAdapter: ChatAdapterModule<SlackSettings> = {
  platform: SLACK_PLATFORM,
  readSettings: readSlackSettings,
  accessRule: (settings) => slackAccessRule(settings.access),
  secrets: slackSecrets,
  async load() {
    const { startSlackAdapter } = await import('./index.js');
    return {
      async start(chatPort, host, settings) {
        const slack = await startSlackAdapter(chatPort, settings, host);
        return { ...slack, servesPort: slack.transport === 'http' ? slack.port : undefined };
      },
    };
  },
};
