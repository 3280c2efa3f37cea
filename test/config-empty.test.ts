import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv as parseDotEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readDiscordSettings } from '../adapters/discord/settings.js';
import { readSlackSettings } from '../adapters/slack/settings.js';
import { ConfigError } from '../src/base/errors.js';
import { loadConfig } from '../src/config.js';

/** The variables `.env.example` lists, as a person gets them with `cp .env.example .env`. */
const example = parseDotEnv(readFileSync(join(import.meta.dirname, '..', '.env.example'), 'utf8'));
const names = Object.keys(example);
const blank = (value: string) => Object.fromEntries(names.map((n) => [n, value]));

/** Everything each settings reader yields: the core's config and every adapter's own. */
function readAll(env: NodeJS.ProcessEnv) {
  const config = loadConfig(env, { platforms: ['console', 'slack', 'discord'] });
  return {
    config,
    slack: readSlackSettings(env, config.policyFile),
    discord: readDiscordSettings(env, config.policyFile),
  };
}

describe('an empty value in .env means the default', () => {
  it('GIVEN .env.example lists the variables THEN there are many (the file was read)', () => {
    expect(names).toEqual(expect.arrayContaining(['LOG_LEVEL', 'DEFAULT_LOCALE', 'SLACK_BOT_TOKEN', 'PORT']));
    expect(names.length).toBeGreaterThan(40);
  });

  it('GIVEN .env.example copied as is THEN every settings reader accepts it; no chat adapter is switched on', () => {
    const all = readAll(example);
    expect(all.config.sandbox).toBe(true);
    expect(all.slack).toBeUndefined();
    expect(all.discord).toBeUndefined();
  });

  it.each([
    ['empty', ''],
    ['whitespace-only', '  \t'],
  ])(
    'GIVEN every variable of .env.example %s THEN each reader yields exactly what it yields with nothing set',
    (_, value) => {
      expect(readAll(blank(value))).toEqual(readAll({}));
    },
  );

  it.each(names)('GIVEN only %s empty THEN the same as unset', (name) => {
    expect(readAll({ [name]: '' })).toEqual(readAll({}));
  });

  it('GIVEN SLACK_BOT_TOKEN and DISCORD_TOKEN empty beside other values THEN neither adapter runs nor asks for its other variables', () => {
    const env = {
      SLACK_BOT_TOKEN: '',
      SLACK_SIGNING_SECRET: '',
      DISCORD_TOKEN: ' ',
      DISCORD_APPLICATION_ID: '',
    };
    expect(() => readAll(env)).not.toThrow();
    expect(readAll(env).slack).toBeUndefined();
    expect(readAll(env).discord).toBeUndefined();
  });

  it('GIVEN PORT and SHUTDOWN_TIMEOUT_MS empty THEN their defaults (3000, 10000), not 0', () => {
    const { config } = readAll({ PORT: '', SHUTDOWN_TIMEOUT_MS: '' });
    expect(config.PORT).toBe(3000);
    expect(config.SHUTDOWN_TIMEOUT_MS).toBe(10_000);
    expect(readAll({ PORT: '0' }).config.PORT).toBe(0);
  });

  it('GIVEN a bad non-empty value THEN it is still refused, named', () => {
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(ConfigError);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL must be one of/);
    expect(() => loadConfig({ PORT: 'x' })).toThrow(/PORT/);
  });
});
