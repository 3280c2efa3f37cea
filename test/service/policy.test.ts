import type Keyv from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordAccessRule, readDiscordSettings } from '../../adapters/discord/settings.js';
import { readSlackSettings, slackAccessRule } from '../../adapters/slack/settings.js';
import { type Invocation, parseText, runCommand } from '../../commands/index.js';
import { ForbiddenError, RateLimitError } from '../../src/base/errors.js';
import { silentLogger } from '../../src/base/logger.js';
import { loadConfig } from '../../src/config.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/index.js';
import { createContactWayService } from '../../src/service/contact-way-service.js';
import { createCreationLimiter } from '../../src/service/creation-limit.js';
import { createIdempotency } from '../../src/service/idempotency.js';
import { createPolicy, type Policy } from '../../src/service/policy.js';
import {
  createAuditLog,
  createMemoryKeyv,
  createRecordStore,
  type Requester,
} from '../../src/store/index.js';
import { corpSecretTokenSource, createWecomClient } from '../../src/wecom/index.js';
import { submitForm } from '../fixtures/submit-form.js';
import { tempRequest } from '../fixtures/temp-request.js';

/** A command line with its form submitted as it opens: runCommand's last two arguments. */
const run = (invocation: Invocation) => [invocation, submitForm(invocation)] as const;

const slackAlice: Requester = { platform: 'slack', workspaceId: 'T1', userId: 'UALICE' };
const slackEve: Requester = { platform: 'slack', workspaceId: 'T9', userId: 'UEVE' };
const discordBob: Requester = { platform: 'discord', workspaceId: 'G1', userId: '42' };

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());

function build(policy: Policy, options: { limit?: number } = {}) {
  const keyv: Keyv = createMemoryKeyv();
  const service = createContactWayService({
    wecom: createWecomClient({
      baseUrl: sandbox.url,
      tokens: corpSecretTokenSource({ corpId: sandbox.corpId, corpSecret: sandbox.corpSecret }),
      cache: keyv,
    }),
    records: createRecordStore(keyv),
    audit: createAuditLog(keyv),
    logger: silentLogger(),
    policy,
    idempotency: createIdempotency(keyv),
    creationLimiter: options.limit
      ? createCreationLimiter(keyv, { max: options.limit, windowMs: 3_600_000 })
      : undefined,
  });
  const ctx = (requester: Requester, extra: { roles?: string[]; idempotencyKey?: string } = {}) => ({
    requester,
    locale: 'en' as const,
    timeZone: 'UTC',
    service,
    sandbox: true,
    ...extra,
  });
  return { service, ctx };
}

describe('policy from the environment', () => {
  it('GIVEN a fresh install THEN everyone may use it, for any member, and there are no admins', () => {
    const { policy } = loadConfig({});
    expect(readSlackSettings({ SLACK_BOT_TOKEN: 'xoxb-t', SLACK_APP_TOKEN: 'xapp-t' })?.access).toEqual({
      teams: [],
      users: [],
      usergroups: [],
    });
    expect(policy).toMatchObject({
      admins: [],
      createFor: 'any',
      userMap: {},
    });
  });

  it('GIVEN ACCESS_*, ADMINS, CREATE_FOR and USER_MAP THEN they are read', () => {
    const env = {
      SLACK_BOT_TOKEN: 'xoxb-t',
      SLACK_APP_TOKEN: 'xapp-t',
      DISCORD_TOKEN: 'd',
      DISCORD_APPLICATION_ID: '1',
      ACCESS_SLACK_TEAMS: 'T1,T2',
      ACCESS_DISCORD_ROLES: 'R1',
      ADMINS: 'slack:T1:UBOSS',
      CREATE_FOR: 'mapped',
      USER_MAP: 'slack:T1:UALICE=zhangsan,discord:G1:42=lisi',
    };
    const { policy } = loadConfig(env);
    expect(readSlackSettings(env)?.access.teams).toEqual(['T1', 'T2']);
    expect(readDiscordSettings(env)?.access.roles).toEqual(['R1']);
    expect(policy).toMatchObject({
      admins: ['slack:T1:UBOSS'],
      createFor: 'mapped',
      userMap: { 'slack:T1:UALICE': 'zhangsan', 'discord:G1:42': 'lisi' },
    });
  });

  it('GIVEN a bad limit or CREATE_FOR THEN the variable is named', () => {
    expect(() => loadConfig({ RATE_LIMIT_CREATES: 'lots' })).toThrow(
      /RATE_LIMIT_CREATES must look like 30\/1h/,
    );
    expect(() => loadConfig({ CREATE_FOR: 'everyone' })).toThrow(/CREATE_FOR must be one of any, mapped/);
  });
});

describe('who may do what', () => {
  it('GIVEN a workspace outside ACCESS_SLACK_TEAMS THEN a clear denial, and it is audited', async () => {
    const { ctx, service } = build(
      createPolicy({ admins: ['slack:T1:UBOSS'] }, [
        slackAccessRule({ teams: ['T1'], users: [], usergroups: [] }),
      ]),
    );
    const reply = await runCommand(ctx(slackEve), parseText('list'));
    expect(reply).toMatchObject({
      status: 'error',
      title: 'Not allowed',
      text: expect.stringContaining('not allowed to use contactway'),
    });
    const trail = await service.auditTrail({ platform: 'slack', workspaceId: 'T1', userId: 'UBOSS' }, 10);
    expect(trail.find((e) => e.action === 'access')).toMatchObject({
      actor: 'slack:T9:UEVE',
      result: 'denied',
    });
    expect((await runCommand(ctx(slackAlice), parseText('list'))).status).toBe('ok');
  });

  it('GIVEN ACCESS_DISCORD_ROLES THEN only members with one of the roles get in', async () => {
    const { ctx } = build(createPolicy({}, [discordAccessRule({ guilds: [], roles: ['R1'] })]));
    expect((await runCommand(ctx(discordBob, { roles: ['R2'] }), parseText('list'))).status).toBe('error');
    expect((await runCommand(ctx(discordBob, { roles: ['R2', 'R1'] }), parseText('list'))).status).toBe('ok');
  });

  it('GIVEN CREATE_FOR=mapped THEN a requester creates only for their own userid, and may omit it', async () => {
    const policy = createPolicy({ createFor: 'mapped', userMap: { 'slack:T1:UALICE': 'zhangsan' } });
    const { ctx, service } = build(policy);
    const denied = await runCommand(ctx(slackAlice), ...run(parseText('temp lisi')));
    expect(denied).toMatchObject({
      status: 'error',
      text: 'You can only create contact ways for yourself (zhangsan).',
    });
    const invocation = parseText('temp', { user: service.mappedUser(slackAlice) });
    expect(invocation.args).toEqual({ user: 'zhangsan' });
    const created = await runCommand(ctx(slackAlice), invocation, submitForm(invocation));
    expect(created.status).toBe('ok');
    const unmapped = await runCommand(ctx(slackEve), ...run(parseText('temp zhangsan')));
    expect(unmapped.text).toContain('none is linked to you yet');
  });

  it('GIVEN CREATE_FOR=mapped THEN departments are refused outright, in both languages, naming the field; admins are not limited', () => {
    const policy = createPolicy({
      createFor: 'mapped',
      userMap: { 'slack:T1:UALICE': 'zhangsan' },
      admins: ['slack:T1:UBOSS'],
    });
    const error = (() => {
      try {
        policy.checkCreateFor(slackAlice, ['zhangsan'], [1]);
      } catch (e) {
        return e as ForbiddenError;
      }
    })();
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error?.human.en).toContain('Departments (party)');
    expect(error?.human.zh).toContain('部门（party）');
    expect(() => policy.checkCreateFor(slackAlice, ['zhangsan'])).not.toThrow();
    expect(() =>
      policy.checkCreateFor({ platform: 'slack', workspaceId: 'T1', userId: 'UBOSS' }, ['lisi'], [1]),
    ).not.toThrow();
  });

  it('GIVEN the audit command THEN admins read the trail and others are refused', async () => {
    const { ctx } = build(createPolicy({ admins: ['slack:T1:UALICE'] }));
    await runCommand(ctx(slackAlice), ...run(parseText('temp wangwu')));
    const trail = await runCommand(ctx(slackAlice), parseText('audit'));
    expect(trail.text).toMatch(/slack:T1:UALICE · create · ok/);
    expect((await runCommand(ctx(discordBob), parseText('audit'))).text).toBe(
      'Only admins can read the audit trail.',
    );
  });
});

describe('limits and repeats', () => {
  it('GIVEN a requester over RATE_LIMIT_CREATES THEN a rate-limit error with a retry time, others unaffected', async () => {
    const { service } = build(createPolicy(), { limit: 2 });
    await service.create(slackAlice, tempRequest('zhangsan'));
    await service.create(slackAlice, tempRequest('zhangsan'));
    const third = service.create(slackAlice, tempRequest('zhangsan'));
    await expect(third).rejects.toBeInstanceOf(RateLimitError);
    await expect(third).rejects.toMatchObject({ retryAfterMs: expect.any(Number) });
    await service.create(discordBob, tempRequest('zhangsan'));
  });

  it('GIVEN WeCom refuses a creation (an errcode) THEN its slot is given back for the next try', async () => {
    const { service } = build(createPolicy(), { limit: 1 });
    sandbox.inject({ errcode: 48002, endpoint: 'add_contact_way' });
    await expect(service.create(slackAlice, tempRequest('zhangsan'))).rejects.toMatchObject({
      errcode: 48002,
    });
    await service.create(slackAlice, tempRequest('zhangsan'));
    await expect(service.create(slackAlice, tempRequest('zhangsan'))).rejects.toBeInstanceOf(RateLimitError);
  });

  it('GIVEN the same submission twice, at once and later THEN one contact way', async () => {
    const { ctx, service } = build(createPolicy());
    const before = sandbox.stats().calls.add_contact_way ?? 0;
    const invocation = parseText('temp zhangsan');
    const same = ctx(slackAlice, { idempotencyKey: 'view-123' });
    const form = submitForm(invocation);
    const [a, b] = await Promise.all([
      runCommand(same, invocation, form),
      runCommand(same, invocation, form),
    ]);
    const c = await runCommand(same, invocation, form);
    expect(a.configId).toBeDefined();
    expect(new Set([a.configId, b.configId, c.configId]).size).toBe(1);
    expect((sandbox.stats().calls.add_contact_way ?? 0) - before).toBe(1);
    expect(await service.list(slackAlice)).toHaveLength(1);
    const other = await runCommand(ctx(slackAlice, { idempotencyKey: 'view-456' }), invocation, form);
    expect(other.configId).not.toBe(a.configId);
  });
});
