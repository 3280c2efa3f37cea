import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../adapters/index.js';
import { ConfigError } from '../src/base/errors.js';
import { silentLogger } from '../src/base/logger.js';
import type { ChatAdapterModule } from '../src/chat/adapter-module.js';
import { composeBot, readBotSettings } from '../src/compose.js';

/** What src/compose.ts decides from the environment before anything starts. */
describe('composer: which adapters run, and the configuration errors', () => {
  const running = (env: NodeJS.ProcessEnv) =>
    readBotSettings(env, ADAPTERS).adapters.map((a) => a.module.platform);

  it('GIVEN no chat credentials THEN the console runs; GIVEN Slack or Discord THEN they run and the console does not', () => {
    expect(running({})).toEqual(['console']);
    expect(running({ SLACK_BOT_TOKEN: 'xoxb-t', SLACK_APP_TOKEN: 'xapp-t' })).toEqual(['slack']);
    expect(
      running({
        SLACK_BOT_TOKEN: 'xoxb-t',
        SLACK_SIGNING_SECRET: 's',
        DISCORD_TOKEN: 'd',
        DISCORD_APPLICATION_ID: '1',
      }),
    ).toEqual(['slack', 'discord']);
  });

  it('GIVEN bad variables in the core’s and two adapters’ fragments THEN one error names all of them, no value echoed', () => {
    let thrown: unknown;
    try {
      readBotSettings(
        { PORT: 'not-a-port', SLACK_BOT_TOKEN: 'xoxb-secret-value', DISCORD_TOKEN: 'discord-secret-value' },
        ADAPTERS,
      );
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const message = (thrown as ConfigError).message;
    for (const name of ['PORT', 'SLACK_SIGNING_SECRET', 'DISCORD_APPLICATION_ID'])
      expect(message).toContain(name);
    expect(message).not.toContain('secret-value');
    expect((thrown as ConfigError).human.zh).toContain('DISCORD_APPLICATION_ID');
  });

  it('GIVEN USER_MAP naming a platform no module declares THEN it is refused; the listed ones are accepted', () => {
    expect(() => readBotSettings({ USER_MAP: 'teams:T1:U1=zhangsan' }, ADAPTERS)).toThrow(ConfigError);
    expect(() => readBotSettings({ USER_MAP: 'console:local:me=zhangsan' }, ADAPTERS)).not.toThrow();
  });
});

/**
 * A platform that receives webhooks but runs no server of its own (as a fourth platform might): it mounts
 * its path on the composer's server on PORT, beside the ops endpoints and WeCom's callback.
 */
const webhookChat: ChatAdapterModule<{ path: string }> = {
  platform: 'webhookchat',
  readSettings: (env) => (env.WEBHOOKCHAT_PATH ? { path: env.WEBHOOKCHAT_PATH } : undefined),
  async load() {
    return {
      async start(_chatPort, host, settings) {
        host.serve({
          path: settings.path,
          methods: ['POST'],
          handler: (_req, res) => res.end('event taken'),
        });
        return { name: 'webhookchat', stop: async () => undefined };
      },
    };
  },
};

describe('composer: an adapter mounts its webhook on PORT', () => {
  it.each([{}, { OPS_PORT: '0' }])(
    'GIVEN %o THEN PORT answers its path and /healthz; other methods fall through',
    async (env) => {
      const bot = await composeBot(
        { STORE_URL: 'memory:', PORT: '0', WEBHOOKCHAT_PATH: '/webhookchat/events', ...env },
        { adapters: [webhookChat], logger: silentLogger() },
      );
      try {
        const port = bot.servers.at(-1)?.port;
        const post = await fetch(`http://127.0.0.1:${port}/webhookchat/events`, {
          method: 'POST',
          body: '{}',
        });
        expect(await post.text()).toBe('event taken');
        expect((await fetch(`http://127.0.0.1:${port}/webhookchat/events`)).status).toBe(404);
        expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
      } finally {
        await bot.stop();
      }
    },
  );
});
