import { userInfo } from 'node:os';
import type { ChatAdapterModule } from '../../src/chat/adapter-module.js';

/** The console needs no settings: it is whoever runs the bot at this terminal. */
type ConsoleSettings = Record<string, never>;

/**
 * The terminal: runs when no chat platform is configured, as the login user, on stdin/stdout. The bot
 * stops when it does (`exit`, end of input).
 */
export const consoleAdapter: ChatAdapterModule<ConsoleSettings> = {
  platform: 'console',
  fallback: true,
  terminal: true,
  readSettings: () => ({}),
  async load() {
    const { CONSOLE_FLOW, runConsoleAdapter } = await import('./index.js');
    return {
      async start(chatPort, host) {
        const user = userInfo().username;
        const ended = runConsoleAdapter({
          input: process.stdin,
          output: process.stdout,
          port: chatPort(CONSOLE_FLOW),
          requester: {
            platform: 'console',
            workspaceId: 'local',
            userId: user,
            displayName: user,
            roles: [],
          },
          locale: host.locale,
          sandbox: host.sandbox,
          qrDir: host.qrDir,
        });
        // Nothing to stop: the person ends it, and the bot stops after.
        return { name: 'console', ended, stop: async () => undefined };
      },
    };
  },
};
