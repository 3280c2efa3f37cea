import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../../src/app.js';
import { t } from '../../src/base/i18n.js';
import type { Requester } from '../../src/store/index.js';

/**
 * One scenario file for every chat adapter, as `store-contract.ts` is for stores. Each adapter provides a
 * driver that speaks its platform's real wire format to the real adapter (Slack: signed HTTP to Bolt;
 * Discord: gateway packets to discord.js; console: lines on stdin); the scenarios only see what a person
 * sees: a form, or text.
 *
 * People: `alice` and `bob` are ordinary requesters; `denied` is refused by the access policy that
 * `driver.start({ deny: true })` sets up on that platform.
 */
export type Person = 'alice' | 'bob' | 'denied';

/** What a person sees after one step. */
export interface Seen {
  /** The form that opened, if one did: its field ids in order. */
  form?: { fieldIds: string[] } | undefined;
  /** Every text shown to this person during the step (replies, errors, summaries), joined. */
  text: string;
}

export interface ChatDriver {
  readonly core: Core;
  requester(person: Person): Requester;
  /** Types a command (`temp zhangsan`); the form it opens, or the reply. */
  command(person: Person, text: string): Promise<Seen>;
  /** Submits the form the last command opened for this person: these values, the rest as opened. */
  submit(person: Person, values?: Record<string, string>): Promise<Seen>;
  /**
   * Clicks Show or Delete for a contact way, or End session for one of its customers, on the newest such
   * button the platform showed `person` (a notification's, for End session), and confirms it where the
   * flow asks first (Slack's confirm dialog is Slack's own: its click arrives confirmed).
   */
  click(
    person: Person,
    kind: 'show' | 'delete' | 'close',
    configId: string,
    customer?: string,
  ): Promise<Seen>;
  /**
   * Clicks, as `clicker`, the newest such button the platform showed `owner` (a forwarded message, a
   * replayed payload). Absent where nobody can reach another person's buttons (the console).
   */
  clickAs?(
    owner: Person,
    clicker: Person,
    kind: 'show' | 'delete' | 'close',
    configId: string,
  ): Promise<Seen>;
  /** Clicks Delete and answers No to the flow's question. Absent where the platform asks itself (Slack). */
  clickAndDecline?(person: Person, configId: string): Promise<Seen>;
  /** Clicks a button whose stored token is gone (expired). Absent where buttons are never stored. */
  clickExpired?(person: Person): Promise<Seen>;
  /** Submits `person`'s open form as `other` (a forged or forwarded submission). Absent: not possible. */
  submitAs?(owner: Person, other: Person): Promise<Seen>;
  /** Delivers the last submission again, exactly as the platform would redeliver it. Absent: no redelivery. */
  redeliver?(person: Person): Promise<Seen>;
  /**
   * Types `typed` where the platform offers `field`'s picker to `person` (Slack: the form's member picker,
   * block_suggestion; Discord: the option's autocomplete; console: Tab twice after `temp `/`show `), and
   * returns everything it offered, as text. Absent where the platform has no pickers; a field the platform
   * offers no picker for is named in `without`.
   */
  suggest?(person: Person, field: 'user' | 'config_id', typed: string): Promise<string>;
  /** Opens `person`'s home (Slack's App Home); everything it shows, as text. Absent: no home. */
  home?(person: Person): Promise<Seen>;
  /**
   * Opens again the form `person`'s last submission was refused for (Slack: the modal stays open with the
   * errors; Discord: the reply's reopen button; console: the fields it asks again). The next `submit`
   * submits it as it holds what was typed, with the values given.
   */
  reopen?(person: Person): Promise<Seen>;
  /**
   * The platform checks each field as it is typed and asks a refused one again at once (the console): a
   * submission stops at the first bad field, and the next `submit` goes on from it.
   */
  checksEachField?: boolean;
  /** Every notification `person` received so far, as text. */
  notifications(person: Person): Promise<string[]>;
  close(): Promise<void>;
}

/** What a platform may lack; `without` says why it does, and the scenario is skipped with that reason. */
export type Capability = 'pickers' | 'config_id picker' | 'home' | 'reopen' | 'late facts';

export interface StartOptions {
  /** The policy refuses `denied` on this platform. Absent when the platform has no access rules. */
  deny?: boolean;
  /**
   * Facts the platform learns only after a form opened: `bob` reads Chinese and `denied` is refused, each
   * known only by a lookup (Slack: users.info's locale, a user group's members).
   */
  late?: boolean;
  env?: Record<string, string>;
}

export interface DriverFactory {
  name: string;
  start(options: StartOptions): Promise<ChatDriver>;
  /** Why this platform has no such thing (shown as the skipped scenario's note). */
  without?: Partial<Record<Capability, string>>;
  /** False for platforms without access rules (the console is one person at their own terminal). */
  hasAccessRules: boolean;
  /**
   * Markup the platform would act on, as it appears in the texts this driver returns for the hostile name
   * `*boss* <U+202E>evil https://x.y <!channel>` (bold, a ping). Links and bidi controls are checked for all.
   */
  activeMarkup?: RegExp[];
}

/** A WeChat nickname as a customer may set it: bold, a right-to-left override, a bare link, a mention. */
const HOSTILE_NAME = '*boss* \u202Eevil https://x.y <!channel>';
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const BIDI_OR_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
/** The one refusal of a form or button shown to someone else, on every platform (src/chat/texts.ts). */
const NOT_YOURS = /shown to someone else|是给其他人的/;

const configIdIn = (text: string) => /\b([0-9a-f]{32})\b/.exec(text)?.[1];

export function chatContract(factory: DriverFactory): void {
  describe(`chat adapter contract: ${factory.name}`, () => {
    let driver: ChatDriver | undefined;
    const start = async (options: StartOptions = {}) => {
      driver = await factory.start(options);
      return driver;
    };
    afterEach(async () => {
      await driver?.close();
      driver = undefined;
    });

    it('GIVEN temp with the defaults THEN the QR is delivered and stored for that requester', async () => {
      const d = await start();
      const opened = await d.command('alice', 'temp zhangsan');
      expect(opened.form?.fieldIds).toContain('expires_in');
      const done = await d.submit('alice');
      const configId = configIdIn(done.text);
      expect(configId, done.text).toBeDefined();
      const mine = await d.core.service.list(d.requester('alice'));
      expect(mine.map((r) => r.configId)).toEqual([configId]);
      expect(await d.core.service.list(d.requester('bob'))).toEqual([]);
    });

    it('GIVEN several bad fields THEN every one is named at once and nothing is created', async () => {
      const d = await start();
      await d.command('alice', 'temp zhangsan');
      const seen = await d.submit('alice', { expires_in: 'soon', chat_expires_in: '99d' });
      expect(seen.text).toMatch(/expires_in|QR valid for|二维码有效期/);
      // A platform that checks each field as it is typed (the console) names the next one once the first is fixed.
      const next = d.checksEachField ? (await d.submit('alice', { expires_in: '2d' })).text : seen.text;
      expect(next).toMatch(/chat_expires_in|Session length|Session lasts|会话/);
      expect(await d.core.service.list(d.requester('alice'))).toEqual([]);
    });

    it("GIVEN someone else's config_id typed THEN show and delete answer not found", async () => {
      const d = await start();
      await d.command('alice', 'temp zhangsan');
      const configId = configIdIn((await d.submit('alice')).text) ?? '';
      expect((await d.command('bob', `show ${configId}`)).text).toMatch(/not found|找不到|不存在/i);
      expect((await d.command('bob', `delete ${configId}`)).text).toMatch(/not found|找不到|不存在/i);
      expect((await d.core.service.list(d.requester('alice'))).length).toBe(1);
    });

    it("GIVEN someone else's Show or Delete button THEN the one not-yours refusal, nothing deleted", async (ctx) => {
      const d = await start();
      if (!d.clickAs) return ctx.skip();
      await d.command('alice', 'temp zhangsan');
      const configId = configIdIn((await d.submit('alice')).text) ?? '';
      const wecom = () => {
        const { get_contact_way, del_contact_way } = d.core.sandbox!.stats().calls;
        return [get_contact_way, del_contact_way];
      };
      const before = wecom();
      const shown = await d.clickAs('alice', 'bob', 'show', configId);
      expect(shown.text).toMatch(NOT_YOURS);
      expect(shown.text).not.toContain(configId);
      const deleted = await d.clickAs('alice', 'bob', 'delete', configId);
      expect(deleted.text).toMatch(NOT_YOURS);
      expect((await d.core.service.list(d.requester('alice'))).length).toBe(1);
      // Refused before WeCom is asked anything.
      expect(wecom()).toEqual(before);
    });

    it('GIVEN Delete clicked THEN asked first: No keeps the way, Yes deletes it', async () => {
      const d = await start();
      await d.command('alice', 'temp zhangsan');
      const configId = configIdIn((await d.submit('alice')).text) ?? '';
      if (d.clickAndDecline) {
        const kept = await d.clickAndDecline('alice', configId);
        expect(kept.text).toMatch(/Delete .*\? Its QR stops working|删除 .*？/);
        expect(kept.text).toMatch(/Kept|已保留/);
        expect((await d.core.service.list(d.requester('alice'))).length).toBe(1);
      }
      const deleted = await d.click('alice', 'delete', configId);
      expect(deleted.text).toMatch(/Deleted|已删除/);
      expect(await d.core.service.list(d.requester('alice'))).toEqual([]);
    });

    it('GIVEN an expired button THEN the one expired text, nothing runs', async (ctx) => {
      const d = await start();
      if (!d.clickExpired) return ctx.skip();
      const seen = await d.clickExpired('alice');
      expect(seen.text).toMatch(/This form or button has expired|此表单或按钮已过期/);
    });

    it('GIVEN a WeCom errcode THEN the reply explains it', async () => {
      const d = await start();
      // zhaoliu exists in the sandbox but has not activated WeCom.
      const opened = await d.command('alice', 'temp zhaoliu');
      const seen = opened.form ? await d.submit('alice') : opened;
      expect(seen.text).toMatch(/activ|激活/i);
      expect(seen.text).not.toMatch(/at .*\.ts:\d+/);
    });

    it('GIVEN the instance is draining THEN a command is refused politely and nothing runs', async () => {
      const d = await start();
      d.core.ops.requests.drain();
      const seen = await d.command('alice', 'list');
      expect(seen.text).toMatch(/restarting|重启/);
    });

    it('GIVEN a notification for a requester THEN it reaches that requester', async () => {
      const d = await start();
      const sent = await d.core.notifications.notify(
        d.requester('alice'),
        ({ locale }) => ({
          status: 'info',
          title: t('Customer 李四 added zhangsan', '客户 李四 添加了 zhangsan')[locale],
          facts: [],
          actions: [],
        }),
        { locale: 'en', timeZone: 'UTC' },
      );
      expect(sent).toBe(true);
      const got = await d.notifications('alice');
      expect(got.join('\n')).toMatch(/李四/);
      expect((await d.notifications('bob')).join('\n')).not.toMatch(/李四/);
    });

    it('GIVEN a customer scans a way THEN the requester is notified with End session and Show; a stranger’s End session is refused as not theirs; the owner’s ends it', async () => {
      const d = await start();
      await d.command('alice', 'temp zhangsan');
      const configId = configIdIn((await d.submit('alice')).text) ?? '';
      await d.notifications('alice');
      // The sandbox plays WeCom: an encrypted add event posted to the bot's /wecom/callback.
      const scan = await d.core.sandbox!.scan(configId);
      expect(scan.delivered).toEqual({ status: 200, body: 'success' });
      await d.core.callbacks!.idle();
      const told = (await d.notifications('alice')).join('\n');
      expect(told).toContain(scan.name);
      expect(told).toContain('zhangsan');
      expect(told).toMatch(/End session|结束会话|close /);
      expect(told).toMatch(/Show|查看|show /);
      const session = async () =>
        (await d.core.callbacks!.customers.get(configId, scan.externalUserId))?.session;

      if (d.clickAs) {
        const refused = await d.clickAs('alice', 'bob', 'close', configId);
        expect(refused.text).toMatch(NOT_YOURS);
        expect(await session()).toBe('open');
      }

      const ended = await d.click('alice', 'close', configId, scan.externalUserId);
      expect(ended.text).toMatch(/Ended the temporary session|已结束/);
      expect(await session()).toBe('closed');
    });

    // Issue 17 item 6: names come from WeCom, so nobody could refuse them at input as typed text is refused.
    it('GIVEN a customer named with markup, a bidi override, a link and a mention THEN the notification and show carry it inert', async () => {
      const d = await start();
      await d.command('alice', 'temp zhangsan');
      const configId = configIdIn((await d.submit('alice')).text) ?? '';
      await d.notifications('alice');
      await d.core.sandbox!.scan(configId, { name: HOSTILE_NAME });
      await d.core.callbacks!.idle();
      const told = (await d.notifications('alice')).join('\n');
      const shown = (await d.click('alice', 'show', configId)).text;
      for (const [where, text] of Object.entries({ notification: told, show: shown })) {
        expect(text, where).toContain('boss');
        expect(text, where).toContain('evil');
        // The override is written out, as the console writes every control character out.
        expect(text, where).toMatch(/\\{1,2}u202e/);
        expect(text, where).not.toMatch(BIDI_OR_CONTROL);
        expect(text, where).not.toContain('https://x.y');
        for (const active of factory.activeMarkup ?? []) expect(text, where).not.toMatch(active);
      }
    });

    it.skipIf(!factory.hasAccessRules)(
      'GIVEN a refused user THEN refused before anything is created, with a clear message',
      async () => {
        const d = await start({ deny: true });
        const seen = await d.command('denied', 'temp zhangsan');
        const after = seen.form ? await d.submit('denied') : seen;
        expect(`${seen.text}\n${after.text}`).toMatch(/not allowed|无权/);
        expect(await d.core.service.list(d.requester('denied'))).toEqual([]);
      },
    );

    it('GIVEN a submission delivered twice THEN one contact way', async (ctx) => {
      const d = await start();
      if (!d.redeliver) return ctx.skip();
      await d.command('alice', 'temp zhangsan');
      await d.submit('alice');
      await d.redeliver('alice');
      expect((await d.core.service.list(d.requester('alice'))).length).toBe(1);
    });

    it('GIVEN a form submitted by someone other than who opened it THEN refused, nothing created', async (ctx) => {
      const d = await start();
      if (!d.submitAs) return ctx.skip();
      await d.command('alice', 'temp zhangsan');
      const seen = await d.submitAs('alice', 'bob');
      expect(seen.text).toMatch(NOT_YOURS);
      expect(await d.core.service.list(d.requester('bob'))).toEqual([]);
      expect(await d.core.service.list(d.requester('alice'))).toEqual([]);
    });

    /** Skips, with the platform's reason, a scenario about something it does not have. */
    const lacking = (ctx: { skip(note?: string): never }, capability: Capability): void => {
      const why = factory.without?.[capability];
      if (why) ctx.skip(why);
    };
    const ELIGIBLE = ['lisi', 'wangwu', 'zhangsan'];

    it('GIVEN the member picker THEN eligible members, narrowed by what is typed, never one WeCom would refuse', async (ctx) => {
      const d = await start();
      lacking(ctx, 'pickers');
      if (!d.suggest) return ctx.skip('no pickers');
      const all = await d.suggest('alice', 'user', '');
      for (const member of ELIGIBLE) expect(all).toContain(member);
      // sunqi is not enabled for customer contact (the sandbox's directory says so).
      expect(all).not.toContain('sunqi');
      const narrowed = await d.suggest('alice', 'user', 'wa');
      expect(narrowed).toContain('wangwu');
      expect(narrowed).not.toContain('lisi');
      expect(narrowed).not.toContain('zhangsan');
    });

    it('GIVEN the config_id picker THEN only the requester’s own ways, narrowed by what is typed; a stranger gets none', async (ctx) => {
      const d = await start();
      lacking(ctx, 'pickers');
      lacking(ctx, 'config_id picker');
      if (!d.suggest) return ctx.skip('no pickers');
      await d.command('alice', 'temp zhangsan');
      const configId = configIdIn((await d.submit('alice')).text) ?? '';
      expect(await d.suggest('alice', 'config_id', '')).toContain(configId);
      expect(await d.suggest('alice', 'config_id', configId.slice(0, 6))).toContain(configId);
      expect(await d.suggest('alice', 'config_id', 'f'.repeat(32))).not.toContain(configId);
      expect(await d.suggest('bob', 'config_id', '')).not.toContain(configId);
      expect(await d.suggest('bob', 'config_id', configId.slice(0, 6))).not.toContain(configId);
    });

    it('GIVEN the home THEN it lists the requester’s own ways with Show and Delete, and no longer after one is deleted', async (ctx) => {
      const d = await start();
      lacking(ctx, 'home');
      if (!d.home) return ctx.skip('no home');
      await d.command('alice', 'temp zhangsan');
      const configId = configIdIn((await d.submit('alice')).text) ?? '';
      const home = (await d.home('alice')).text;
      expect(home).toContain(configId);
      expect(home).toContain('zhangsan');
      expect(home).toMatch(/Show|查看/);
      expect(home).toMatch(/Delete|删除/);
      expect((await d.home('bob')).text).not.toContain(configId);
      await d.click('alice', 'delete', configId);
      expect((await d.home('alice')).text).not.toContain(configId);
    });

    it('GIVEN a bad field THEN its error; reopened, the form keeps what was typed, and the fixed submission creates once', async (ctx) => {
      const d = await start();
      lacking(ctx, 'reopen');
      if (!d.reopen) return ctx.skip('no reopen');
      await d.command('alice', 'temp zhangsan');
      const refused = await d.submit('alice', { expires_in: 'soon', remark: 'keep me' });
      expect(refused.text).toMatch(/expires_in|QR valid for|二维码有效期/);
      expect(await d.core.service.list(d.requester('alice'))).toEqual([]);
      const again = await d.reopen('alice');
      expect(again.form?.fieldIds).toContain('expires_in');
      const done = await d.submit('alice', { expires_in: '2d' });
      const configId = configIdIn(done.text);
      expect(configId, done.text).toBeDefined();
      const mine = await d.core.service.list(d.requester('alice'));
      expect(mine.map((r) => r.configId)).toEqual([configId]);
      expect(mine[0]?.request).toMatchObject({ expires_in: 172_800, remark: 'keep me' });
      expect(d.core.sandbox!.stats().calls.add_contact_way).toBe(1);
    });

    it('GIVEN the language or a refusal learned after the form opened THEN the form is shown again in it, or replaced by the refusal, and the refused submission creates nothing', async (ctx) => {
      lacking(ctx, 'late facts');
      const d = await start({ late: true });
      const chinese = await d.command('bob', 'temp zhangsan');
      expect(chinese.form?.fieldIds).toContain('expires_in');
      expect(chinese.text).toMatch(/临时会话二维码/);
      expect(configIdIn((await d.submit('bob')).text)).toBeDefined();

      const refused = await d.command('denied', 'temp zhangsan');
      expect(refused.form).toBeUndefined();
      expect(refused.text).toMatch(/not allowed|无权/);
      // Submitted before the refusal replaced it (or replayed): refused again, nothing created.
      const submitted = await d.submit('denied');
      expect(submitted.text).toMatch(/not allowed|无权/);
      expect(await d.core.service.list(d.requester('denied'))).toEqual([]);
      expect(d.core.sandbox!.stats().calls.add_contact_way).toBe(1);
    });
  });
}
