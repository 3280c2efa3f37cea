import { describe, expect, it } from 'vitest';
import {
  commandDefinitions,
  MAX_MODAL_FIELDS,
  splitFields,
} from '../../../adapters/discord/command-definitions.js';
import {
  ACTION_CHARS,
  decodeCustomId,
  encodeCustomId,
  STATE_CHARS,
} from '../../../adapters/discord/custom-id.js';
import { modalSubmitToFormValues } from '../../../adapters/discord/read-values.js';
import { formToDiscordModal, modalFieldsOf } from '../../../adapters/discord/render-modal.js';
import { renderReply } from '../../../adapters/discord/render-reply.js';
import { escapeText } from '../../../adapters/discord/text.js';
import {
  COMMANDS,
  type Form,
  findCommand,
  formFor,
  parseOptions,
  type Reply,
} from '../../../commands/index.js';
import { suggestions } from '../../../src/chat/flow.js';
import type { RecordView } from '../../../src/service/contact-way-service.js';

/** Pure parts of the Discord adapter: no client, no network. */

const formOf = (name: string, args: Record<string, string> = {}, locale: 'en' | 'zh' = 'en'): Form => {
  const form = formFor(parseOptions(name, args), locale);
  if (!form) throw new Error(`${name} has no form`);
  return form;
};

describe('formToDiscordModal', () => {
  it('GIVEN every command with a form THEN its modal has at most five Label components and every field is in the modal or an option', () => {
    for (const command of COMMANDS.filter((c) => c.form)) {
      const args = Object.fromEntries(
        command.args.map((a) => [a.name, a.name === 'config_id' ? 'abc123' : 'zhangsan']),
      );
      const form = formOf(command.name, args);
      const json = formToDiscordModal(form, 'cw:x').toJSON();
      expect(json.components.length).toBeLessThanOrEqual(MAX_MODAL_FIELDS);
      expect(json.components.every((c) => c.type === 18)).toBe(true);
      const { modal, options } = splitFields(command.name, form.fields);
      expect([...modal, ...options].map((f) => f.id).sort()).toEqual(form.fields.map((f) => f.id).sort());
      // Option-given fields and arguments share one slash-option namespace and one custom_id query.
      expect(options.map((f) => f.id).filter((id) => command.args.some((a) => a.name === id))).toEqual([]);
    }
  });

  it('GIVEN temp THEN five text inputs prefilled with the defaults; skip_verify and state are not in the modal', () => {
    const json = formToDiscordModal(
      formOf('temp', { user: 'zhangsan' }),
      'cw:form:temp:user=zhangsan',
    ).toJSON();
    expect(json).toMatchObject({ custom_id: 'cw:form:temp:user=zhangsan', title: 'Temporary QR' });
    expect(
      json.components.map((c) => ('component' in c ? [c.component.custom_id, c.component.type] : [])),
    ).toEqual([
      ['expires_in', 4],
      ['chat_expires_in', 4],
      ['remark', 4],
      ['conclusions', 4],
      ['welcome', 4],
    ]);
    const conclusions = json.components[3];
    expect(conclusions && 'component' in conclusions && conclusions.component).toMatchObject({
      style: 2,
      required: false,
    });
  });

  it('GIVEN new THEN skip_verify is a checkbox ticked by default, and the member list is required', () => {
    const json = formToDiscordModal(formOf('new'), 'cw:form:new:').toJSON();
    const byId = Object.fromEntries(
      json.components.map((c) => ('component' in c ? [c.component.custom_id, c.component] : [])),
    );
    expect(byId.skip_verify).toEqual({ type: 23, custom_id: 'skip_verify', default: true });
    expect(byId.user).toMatchObject({ type: 4, required: true });
  });

  it('GIVEN a choice field and prefilled values THEN a string select with that option chosen, and texts carry what was typed', () => {
    const form: Form = {
      command: 'x',
      args: {},
      title: 'A title that is far too long for a Discord modal title',
      submit: 'Go',
      fields: [
        {
          id: 'mode',
          kind: 'choice',
          label: 'Mode',
          help: 'h',
          default: 'a',
          optional: true,
          options: [
            { value: 'a', label: 'A' },
            { value: 'b', label: 'B' },
          ],
        },
        { id: 'note', kind: 'text', label: 'Note', help: '', default: '', optional: true, maxLength: 5 },
      ],
    };
    const json = formToDiscordModal(form, 'cw:x', { mode: 'b', note: 'too long here' }).toJSON();
    expect(json.title.length).toBeLessThanOrEqual(45);
    const [mode, note] = json.components.map((c) => ('component' in c ? c.component : undefined));
    expect(mode).toMatchObject({ type: 3, min_values: 0, max_values: 1, required: false });
    expect((mode as { options: { value: string; default: boolean }[] }).options).toEqual([
      expect.objectContaining({ value: 'a', default: false }),
      expect.objectContaining({ value: 'b', default: true }),
    ]);
    // Longer than the input: opens empty (an edit keeps the value), never clipped (it would be saved clipped).
    expect(note).toMatchObject({ type: 4, max_length: 5 });
    expect(note).not.toHaveProperty('value');
  });

  it('GIVEN Chinese THEN labels and title are Chinese', () => {
    const json = formToDiscordModal(formOf('temp', { user: 'zhangsan' }, 'zh'), 'cw:x').toJSON();
    expect(json.title).toBe('临时会话二维码');
    expect(json.components[0]).toMatchObject({ label: '二维码有效期' });
  });
});

describe('modalSubmitToFormValues', () => {
  const fields = modalFieldsOf(formOf('new'));

  it('GIVEN Label components with text, checkbox and select values THEN text values by field id', () => {
    const values = modalSubmitToFormValues(fields, [
      { type: 18, component: { type: 4, customId: 'user', value: 'zhangsan,lisi' } },
      { type: 18, component: { type: 4, customId: 'party', value: '' } },
      { type: 18, component: { type: 23, customId: 'skip_verify', value: false } },
      { type: 18, component: { type: 3, customId: 'remark', values: ['x'] } },
      { type: 18, component: { type: 4, customId: 'not_a_field', value: 'ignored' } },
      { type: 10 },
    ]);
    // welcome is a modal field the submission left out: undefined, as any absent field.
    expect(values).toMatchObject({ user: 'zhangsan,lisi', party: '', skip_verify: 'false', remark: 'x' });
    expect(values.not_a_field).toBeUndefined();
  });

  it('GIVEN a legacy action row THEN its text inputs are read too', () => {
    const values = modalSubmitToFormValues(fields, [
      { type: 1, components: [{ type: 4, customId: 'welcome', value: 'ad' }] },
    ]);
    expect(values).toEqual({ welcome: 'ad' });
  });
});

describe('custom ids', () => {
  it('GIVEN each kind THEN it round-trips and stays within 100 characters', () => {
    const ids = [
      { kind: 'form', state: '{"v":2,"c":"temp","a":{"user":"zhang:san"}}' },
      { kind: 'form', state: '@abcDEF123456' },
      { kind: 'reopen', state: '@abcDEF123456' },
      { kind: 'action', token: '{"k":"show","c":"c9d58545e2c9a4d65584884392fcc125","o":"OWNERtag01"}' },
      { kind: 'action', token: '@abcDEF123456' },
    ] as const;
    for (const id of ids) {
      const text = encodeCustomId(id);
      expect(text?.length).toBeLessThanOrEqual(100);
      expect(decodeCustomId(text as string)).toEqual(id);
    }
  });

  it('GIVEN a token longer than its limit THEN no id (the flow stores it as @id); foreign and old ids decode to nothing', () => {
    expect(encodeCustomId({ kind: 'form', state: 'u'.repeat(STATE_CHARS) })?.length).toBeLessThanOrEqual(100);
    expect(encodeCustomId({ kind: 'reopen', state: 'u'.repeat(STATE_CHARS) })).toHaveLength(100);
    expect(encodeCustomId({ kind: 'reopen', state: 'u'.repeat(STATE_CHARS + 1) })).toBeUndefined();
    expect(encodeCustomId({ kind: 'action', token: 'u'.repeat(ACTION_CHARS) })).toHaveLength(100);
    expect(encodeCustomId({ kind: 'action', token: 'u'.repeat(ACTION_CHARS + 1) })).toBeUndefined();
    expect(decodeCustomId('someone-else:button')).toBeUndefined();
    expect(decodeCustomId('cw:a:')).toBeUndefined();
    // An older release's buttons: the flow answers them with the one "expired" text.
    expect(decodeCustomId('cw:show:OWNERtag01:c9d58545e2c9a4d65584884392fcc125')).toBeUndefined();
    expect(decodeCustomId('cw:nclose:abcDEF123456')).toBeUndefined();
  });
});

describe('commandDefinitions', () => {
  it('GIVEN COMMANDS THEN every description fits Discord (1–100 characters) in both languages and names are valid', () => {
    const [root] = commandDefinitions();
    type Described = {
      name: string;
      description: string;
      description_localizations?: Record<string, string | null> | null;
    };
    const subs = (root?.options ?? []) as (Described & { options?: Described[] })[];
    const all: Described[] = [root as Described, ...subs, ...subs.flatMap((s) => s.options ?? [])];
    for (const item of all) {
      expect(item?.name).toMatch(/^[-_a-z0-9]{1,32}$/);
      expect(item?.description.length).toBeGreaterThan(0);
      expect(item?.description.length).toBeLessThanOrEqual(100);
      expect(item?.description_localizations?.['zh-CN']?.length).toBeLessThanOrEqual(100);
    }
    expect(root?.options?.map((o) => o.name)).toEqual(COMMANDS.map((c) => c.name));
  });

  it('GIVEN edit THEN skip_verify, the member list, state and the images are options, the rest fits the modal', () => {
    const edit = findCommand('edit');
    const [root] = commandDefinitions();
    const sub = root?.options?.find((o) => o.name === 'edit');
    expect(sub && 'options' in sub && sub.options?.map((o) => [o.name, o.type])).toEqual([
      ['config_id', 3],
      ['state', 3],
      ['skip_verify', 3],
      ['user', 3],
      ['image', 11],
      ['closing_link', 3],
      ['closing_miniprogram', 3],
      ['welcome_links', 3],
      ['welcome_miniprograms', 3],
      ['welcome_image', 11],
      ['remove_images', 3],
    ]);
    expect(modalFieldsOf(formOf('edit', { config_id: 'abc' })).map((f) => f.id)).toEqual([
      'remark',
      'expires_in',
      'chat_expires_in',
      'conclusions',
      'welcome',
    ]);
    expect(edit).toBeDefined();
  });
});

describe('renderReply', () => {
  const reply: Reply = {
    status: 'ok',
    title: 'Temporary QR for zhangsan',
    configId: 'cfg1',
    text: 'line',
    facts: [{ label: 'config_id', value: 'cfg1' }],
    qr: {
      image: { bytes: Buffer.from('png'), contentType: 'image/png', fileName: 'qr.png' },
      url: 'https://x/qr',
      alt: 'QR',
    },
    actions: [
      { kind: 'show', label: 'Show QR again', configId: 'cfg1', token: '@abcDEF123456' },
      { kind: 'delete', label: 'Delete', configId: 'cfg1', danger: true },
    ],
  };

  it('GIVEN a QR reply THEN the PNG is attached and shown in the embed; an action the flow gave no token has no button', () => {
    const message = renderReply(reply, { locale: 'en' });
    expect(message.files.map((f) => f.name)).toEqual(['qr.png']);
    expect(message.embeds[0]?.toJSON()).toMatchObject({
      title: reply.title,
      image: { url: 'attachment://qr.png' },
    });
    expect(
      message.components[0]?.toJSON().components.map((c) => ('custom_id' in c ? c.custom_id : '')),
    ).toEqual(['cw:a:@abcDEF123456']);
  });

  it('GIVEN field errors and a reopen token THEN each field is named by label and a reopen button comes first', () => {
    const message = renderReply(
      {
        status: 'error',
        title: 'Please fix',
        facts: [],
        actions: [],
        fieldErrors: [{ field: 'remark', message: 'too long' }],
      },
      { locale: 'zh', reopen: '@d1', fieldLabels: { remark: '备注' } },
    );
    expect(message.embeds[0]?.toJSON().description).toBe('• **备注** (`remark`): too long');
    expect(message.components[0]?.toJSON().components[0]).toMatchObject({
      custom_id: 'cw:reopen:@d1',
      label: '修改后重新提交',
    });
  });
});

describe('clipping to Discord limits', () => {
  it('GIVEN a title cut inside an emoji THEN the emoji is dropped whole, never split', () => {
    const title = `${'a'.repeat(254)}${'😀'.repeat(5)}`;
    const embed = renderReply({ status: 'ok', title, facts: [], actions: [] }, { locale: 'en' }).embeds[0];
    const shown = embed?.toJSON().title ?? '';
    expect(shown).toBe(`${'a'.repeat(254)}…`);
    expect(shown).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});

describe('autocomplete suggestions', () => {
  const record = (configId: string, remark?: string) =>
    ({
      configId,
      request: { type: 1, scene: 2, user: ['zhangsan'], ...(remark ? { remark } : {}) },
    }) as unknown as RecordView;

  it('GIVEN typed text THEN records matching config_id, member or remark, at most 25', () => {
    const records = [
      record('aaa1', 'spring fair'),
      record('bbb2'),
      ...Array.from({ length: 30 }, (_, i) => record(`ccc${i}`)),
    ];
    // Discord's limits: 25 choices of 100 characters.
    const limits = { max: 25, chars: 100 };
    expect(suggestions(records, 'FAIR', limits).map((c) => c.value)).toEqual(['aaa1']);
    expect(suggestions(records, 'bbb', limits)[0]).toEqual({ label: 'bbb2 · zhangsan', value: 'bbb2' });
    expect(suggestions(records, '', limits)).toHaveLength(25);
  });
});

describe('escapeText', () => {
  it('GIVEN text people typed THEN masked links, mentions, markdown and headings show as typed, not rendered', () => {
    expect(escapeText('[x](https://evil)')).toBe('\\[x](https://evil)');
    expect(escapeText('@everyone and @here')).toBe('\\@everyone and \\@here');
    expect(escapeText('<@&123> <@456> <#789> <t:1700000000> </contactway:1>')).toBe(
      '\\<@&123> \\<@456> \\<#789> \\<t:1700000000> \\</contactway:1>',
    );
    expect(escapeText('# Urgent\n**bold** `code` ||spoiler||')).toBe(
      '\\# Urgent\n\\*\\*bold\\*\\* \\`code\\` \\|\\|spoiler\\|\\|',
    );
    expect(escapeText('/contactway temp <user>')).toBe('/contactway temp <user>');
  });
});
