import { describe, expect, it } from 'vitest';
import { ADAPTERS } from '../adapters/index.js';
import { readBotSettings } from '../src/compose.js';
import { ConfigError } from '../src/errors.js';

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
