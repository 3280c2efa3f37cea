import { afterEach, describe, expect, it } from 'vitest';
import { slackRequester } from '../../adapters/slack/requester.js';
import { ConfigError } from '../../src/base/errors.js';
import { loadConfig } from '../../src/config.js';
import type { Requester } from '../../src/store/index.js';
import { contactWayRecordSchema } from '../../src/store/record-schema.js';
import { startConsoleSession } from '../fixtures/console-session.js';
import { displayed, type RecordedRequest } from '../fixtures/discord/fake-discord.js';
import { type DiscordHarness, startDiscordHarness } from '../fixtures/discord/harness.js';
import {
  chatInput,
  type FakeUser,
  GUILD_ID,
  modalSubmit,
  type SentModal,
} from '../fixtures/discord/interactions.js';
import { type SlackHarness, startSlackHarness } from '../fixtures/slack/harness.js';
import type { SlackUser } from '../fixtures/slack/requests.js';

/**
 * Issue 19 item 8: times in the reader's zone, always with the zone shown, and notifications in the
 * language of the interaction that made the way. Through the doors: signed Slack requests, the Discord
 * gateway, the console session, the configuration.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

// biome-ignore lint/suspicious/noExplicitAny: recorded wire bodies are read freely in assertions.
type Json = any;

/** `iso` as a wall clock `hours` off UTC, minute precision: what a reader in that zone expects to see. */
function wallClock(iso: string, hours: number): string {
  return new Date(Date.parse(iso) + hours * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}

/** A temporary way of `requester`'s, made through the service (the door under test is the one reading it). */
async function wayOf(core: { service: SlackHarness['core']['service'] }, requester: Requester) {
  const { record } = await core.service.create(requester, {
    type: 1,
    scene: 2,
    user: ['zhangsan'],
    is_temp: true,
    expires_in: 86_400,
  });
  return record;
}

describe('Slack: the requester’s own zone from users.info', () => {
  it('GIVEN users.info says tz Asia/Shanghai and locale zh-CN THEN list and the scan DM show times in UTC+08:00, in Chinese', async () => {
    const h = await startSlackHarness({ DEFAULT_TIMEZONE: 'UTC' });
    cleanups.push(() => h.close());
    const zhou: SlackUser = { teamId: 'T_ACME', userId: 'U_ZHOU', userName: 'zhou' };
    h.fake.setLocale(zhou.userId, 'zh-CN');
    h.fake.setTimeZone(zhou.userId, 'Asia/Shanghai');
    const record = await wayOf(h.core, slackRequester(zhou.teamId, zhou.userId));

    const sent = await h.command(zhou, 'list');
    expect(sent.status).toBe(200);
    const reply = await h.fake.waitFor(() => h.fake.responsesTo(sent.responseId)[0]);
    const text = JSON.stringify(reply.body);
    expect(text).toContain(`有效至 ${wallClock(record.expiresAt ?? '', 8)} UTC+08:00`);
    expect(text).not.toMatch(/\d{2}:\d{2} UTC"/);

    // A customer scans it: the DM to the requester is in their language, its times in their zone.
    await h.core.sandbox?.scan(record.configId);
    const dm = await h.fake.waitFor(() =>
      h.fake.callsTo('chat.postMessage').find((c) => c.args.channel === 'D_ZHOU'),
    );
    const told = JSON.stringify(dm.args);
    expect(told).toContain('添加时间');
    expect(told).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\+08:00/);
  }, 20_000);
});

describe('Discord: DEFAULT_TIMEZONE, and notifications in the creator’s language', () => {
  const ZHOU: FakeUser = { id: '1600000000000000008', username: 'zhou' };

  async function createTemp(h: DiscordHarness, user: FakeUser, locale: string) {
    const open = h.send(chatInput('temp', { user: 'zhangsan' }, { user, locale }));
    const modal = (await h.callback(open)).body.data as SentModal;
    const submitted = h.send(modalSubmit(modal, { user, locale }));
    return h.edit(submitted, 8_000);
  }

  const embedText = (message: RecordedRequest) => {
    const embed: Json = message.body.embeds[0];
    return displayed(
      [
        embed.title,
        embed.description,
        ...(embed.fields ?? []).map((f: Json) => `${f.name}: ${f.value}`),
      ].join('\n'),
    );
  };

  it('GIVEN DEFAULT_TIMEZONE=America/New_York THEN the created way’s expiry shows in that zone, with it', async () => {
    const h = await startDiscordHarness({ DEFAULT_TIMEZONE: 'America/New_York' });
    cleanups.push(() => h.close());
    const created = embedText(await createTemp(h, ZHOU, 'zh-CN'));
    const configId = /config_id: (\w+)/.exec(created)?.[1] ?? '';
    expect(configId).not.toBe('');
    const [way] = await h.core.service.list({ platform: 'discord', workspaceId: GUILD_ID, userId: ZHOU.id });
    const offset = Number(
      new Intl.DateTimeFormat('en', { timeZone: 'America/New_York', timeZoneName: 'shortOffset' })
        .formatToParts(new Date(way?.expiresAt ?? 0))
        .find((p) => p.type === 'timeZoneName')
        ?.value.replace('GMT', ''),
    );
    const zone = `UTC-0${-offset}:00`;
    expect(created).toContain(`${wallClock(way?.expiresAt ?? '', offset)} ${zone}`);
  }, 30_000);

  it('GIVEN a zh-CN user made a way THEN the scan notification DM arrives in Chinese, its times in DEFAULT_TIMEZONE', async () => {
    const h = await startDiscordHarness({ DEFAULT_TIMEZONE: 'America/New_York' });
    cleanups.push(() => h.close());
    const created = embedText(await createTemp(h, ZHOU, 'zh-CN'));
    const configId = /config_id: (\w+)/.exec(created)?.[1] ?? '';
    const zone =
      /UTC-0[45]:00/.exec(
        new Date()
          .toLocaleString('en', { timeZone: 'America/New_York', timeZoneName: 'longOffset' })
          .replace('GMT', 'UTC'),
      )?.[0] ?? 'UTC-05:00';

    await h.core.sandbox?.scan(configId);
    const dm = await h.fake.waitFor(
      (r) => r.method === 'POST' && r.path === `/channels/${h.fake.dmChannelOf(ZHOU.id)}/messages`,
      8_000,
    );
    const told = embedText(dm);
    expect(told).toContain('添加了 zhangsan');
    expect(told).toContain('添加时间');
    expect(told).toMatch(new RegExp(`\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2} ${zone}`));
    expect(told).not.toMatch(/Added at|\d{2}:\d{2} UTC\b(?!-)/);
  }, 30_000);
});

describe('console: DEFAULT_TIMEZONE', () => {
  it('GIVEN DEFAULT_TIMEZONE=Asia/Shanghai THEN list shows the expiry in UTC+08:00', async () => {
    const session = await startConsoleSession({ DEFAULT_TIMEZONE: 'Asia/Shanghai' });
    cleanups.push(() => session.close());
    const record = await wayOf(session.core, { platform: 'console', workspaceId: 'local', userId: 'tester' });
    const out = await session.run(['list']);
    expect(out).toContain(`until ${wallClock(record.expiresAt ?? '', 8)} UTC+08:00`);
  }, 20_000);
});

describe('DEFAULT_TIMEZONE is checked at start', () => {
  it('GIVEN DEFAULT_TIMEZONE=Mars/Olympus THEN a ConfigError naming DEFAULT_TIMEZONE and what it accepts', () => {
    expect(() => loadConfig({ DEFAULT_TIMEZONE: 'Mars/Olympus' })).toThrow(ConfigError);
    expect(() => loadConfig({ DEFAULT_TIMEZONE: 'Mars/Olympus' })).toThrow(
      /DEFAULT_TIMEZONE must be an IANA time zone name like Asia\/Shanghai/,
    );
  });

  it('GIVEN no DEFAULT_TIMEZONE THEN the machine’s zone', () => {
    expect(loadConfig({}).DEFAULT_TIMEZONE).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
  });
});

describe('a way remembers its creator’s language and zone', () => {
  const stored = {
    configId: 'c9d58545e2c9a4d65584884392fcc125',
    requester: { platform: 'slack', workspaceId: 'T1', userId: 'U1' },
    createdAt: '2026-12-05T08:40:00.000Z',
    updatedAt: '2026-12-05T08:40:00.000Z',
    request: { type: 1, scene: 2, user: ['zhangsan'] },
    isTemp: false,
    status: 'active',
    source: 'created',
  };

  it('GIVEN a record from before (neither) THEN it still reads, with neither', () => {
    const record = contactWayRecordSchema.parse(stored);
    expect(record.locale).toBeUndefined();
    expect(record.timeZone).toBeUndefined();
  });

  it('GIVEN a zone this runtime does not know THEN the record still reads, without it', () => {
    const record = contactWayRecordSchema.parse({ ...stored, locale: 'zh', timeZone: 'Mars/Olympus' });
    expect(record.locale).toBe('zh');
    expect(record.timeZone).toBeUndefined();
  });
});
