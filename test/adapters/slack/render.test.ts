import type { types as slack } from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import { errorsByBlock } from '../../../adapters/slack/field-errors.js';
import { type SlackStateValues, slackValuesToFormValues } from '../../../adapters/slack/read-values.js';
import { FIELD_ACTION_ID, formToSlackView } from '../../../adapters/slack/render-form.js';
import { replyToBlocks, replyToText } from '../../../adapters/slack/render-reply.js';
import { progressView } from '../../../adapters/slack/render-status-view.js';
import { escapeMrkdwn } from '../../../adapters/slack/text.js';
import { type Form, formFor, parseText, type Reply } from '../../../commands/index.js';

/** A form with one field of every kind, as commands would produce it (already localized). */
const everyKind: Form = {
  command: 'demo',
  args: {},
  title: 'A title that is far longer than Slack allows',
  submit: 'Create',
  fields: [
    {
      id: 'name',
      kind: 'text',
      label: 'Name',
      help: 'Your name',
      default: 'bob',
      optional: false,
      maxLength: 30,
      placeholder: 'e.g. bob',
    },
    {
      id: 'notes',
      kind: 'multiline',
      label: 'Notes',
      help: 'Anything',
      default: '',
      optional: true,
      maxLength: 5000,
    },
    {
      id: 'count',
      kind: 'number',
      label: 'Count',
      help: 'How many',
      default: '3',
      optional: true,
      min: 1,
      max: 10,
    },
    {
      id: 'ttl',
      kind: 'duration',
      label: 'Valid for',
      help: '7d, 24h…',
      default: '7d',
      optional: true,
      maxLength: 16,
    },
    {
      id: 'ok',
      kind: 'boolean',
      label: 'Approve',
      help: 'Approve without asking',
      default: 'true',
      optional: true,
    },
    { id: 'off', kind: 'boolean', label: 'Off', help: 'x'.repeat(80), default: 'false', optional: false },
    {
      id: 'color',
      kind: 'choice',
      label: 'Color',
      help: 'Pick one',
      default: 'blue',
      optional: true,
      options: [
        { value: 'red', label: 'Red' },
        { value: 'blue', label: 'Blue' },
      ],
    },
    {
      id: 'user',
      kind: 'members',
      label: 'Members',
      help: 'userids',
      default: 'zhangsan,lisi',
      optional: false,
      maxLength: 3000,
    },
    {
      id: 'party',
      kind: 'departments',
      label: 'Departments',
      help: 'ids',
      default: '',
      optional: true,
      maxLength: 500,
    },
  ],
};

function inputBlocks(view: ReturnType<typeof formToSlackView>): slack.InputBlock[] {
  return view.blocks.filter((b): b is slack.InputBlock => b.type === 'input');
}

function elementOf(view: ReturnType<typeof formToSlackView>, id: string) {
  const block = inputBlocks(view).find((b) => b.block_id === id);
  if (!block) throw new Error(`no input block ${id}`);
  return { block, element: block.element as unknown as Record<string, unknown> };
}

describe('formToSlackView', () => {
  const view = formToSlackView(everyKind, '{"m":1}', { locale: 'zh' });

  it('GIVEN any form THEN the modal has callback_id, metadata, and titles within 24 characters', () => {
    expect(view.callback_id).toBe('contactway_form');
    expect(view.private_metadata).toBe('{"m":1}');
    expect([...view.title.text].length).toBeLessThanOrEqual(24);
    expect(view.title.text.endsWith('…')).toBe(true);
    expect(view.submit?.text).toBe('Create');
    expect(view.close?.text).toBe('取消');
  });

  it('GIVEN every field kind THEN each gets its Block Kit element, block_id = field id, defaults prefilled', () => {
    expect(view.blocks.map((b) => b.block_id)).toEqual(everyKind.fields.map((f) => f.id));
    expect(elementOf(view, 'name').element).toMatchObject({
      type: 'plain_text_input',
      action_id: FIELD_ACTION_ID,
      initial_value: 'bob',
      max_length: 30,
      multiline: false,
      placeholder: { text: 'e.g. bob' },
    });
    expect(elementOf(view, 'name').block.hint?.text).toBe('Your name');
    expect(elementOf(view, 'notes').element).toMatchObject({
      type: 'plain_text_input',
      multiline: true,
      max_length: 3000,
    });
    expect(elementOf(view, 'notes').element).not.toHaveProperty('initial_value');
    expect(elementOf(view, 'count').element).toMatchObject({
      type: 'number_input',
      is_decimal_allowed: false,
      min_value: '1',
      max_value: '10',
      initial_value: '3',
    });
    expect(elementOf(view, 'ttl').element).toMatchObject({
      type: 'plain_text_input',
      initial_value: '7d',
      max_length: 16,
    });
    expect(elementOf(view, 'ok').element).toMatchObject({
      type: 'checkboxes',
      options: [{ value: 'true', text: { text: 'Approve without asking' } }],
      initial_options: [{ value: 'true' }],
    });
    expect(elementOf(view, 'off').element).not.toHaveProperty('initial_options');
    // A long help does not fit a checkbox (75): the label is the checkbox text and the help becomes the hint.
    expect(elementOf(view, 'off').element).toMatchObject({ options: [{ text: { text: 'Off' } }] });
    expect(elementOf(view, 'off').block.hint?.text).toBe('x'.repeat(80));
    expect(elementOf(view, 'color').element).toMatchObject({
      type: 'static_select',
      options: [{ value: 'red' }, { value: 'blue' }],
      initial_option: { value: 'blue' },
    });
    // WeCom members are picked from the directory (the options handler), prefilled with what was chosen.
    expect(elementOf(view, 'user').element).toMatchObject({
      type: 'multi_external_select',
      action_id: 'value',
      min_query_length: 0,
      initial_options: [
        { text: { text: 'zhangsan' }, value: 'zhangsan' },
        { text: { text: 'lisi' }, value: 'lisi' },
      ],
    });
    expect(elementOf(view, 'party').element).toMatchObject({ type: 'plain_text_input', max_length: 500 });
  });

  it('GIVEN optional and required fields THEN only required ones are required, and a checkbox never is', () => {
    const optional = Object.fromEntries(inputBlocks(view).map((b) => [b.block_id, b.optional]));
    expect(optional).toEqual({
      name: false,
      notes: true,
      count: true,
      ttl: true,
      ok: true,
      off: true,
      color: true,
      user: false,
      party: true,
    });
  });

  it('GIVEN the real temp form THEN it renders without loss', () => {
    const form = formFor(parseText('temp zhangsan'), 'en');
    if (!form) throw new Error('temp has a form');
    const temp = formToSlackView(form, '');
    expect(temp.blocks).toHaveLength(form.fields.length);
    expect(temp.title.text).toBe('Temporary QR');
  });
});

describe('slackValuesToFormValues', () => {
  it('GIVEN each element state as Slack sends it THEN it reads back as neutral text values', () => {
    const values: SlackStateValues = {
      name: { value: { type: 'plain_text_input', value: 'alice' } },
      notes: { value: { type: 'plain_text_input', value: null } },
      count: { value: { type: 'number_input', value: '7' } },
      ttl: { value: { type: 'plain_text_input', value: '24h' } },
      ok: { value: { type: 'checkboxes', selected_options: [{ value: 'true' }] } },
      off: { value: { type: 'checkboxes', selected_options: [] } },
      color: { value: { type: 'static_select', selected_option: { value: 'red' } } },
      user: {
        value: {
          type: 'multi_external_select',
          selected_options: [{ value: 'zhangsan' }, { value: 'lisi' }],
        },
      },
      party: { value: { type: 'plain_text_input', value: '' } },
      unrelated: { value: { type: 'plain_text_input', value: 'ignored' } },
    };
    expect(slackValuesToFormValues(values, everyKind)).toEqual({
      name: 'alice',
      notes: '',
      count: '7',
      ttl: '24h',
      ok: 'true',
      off: 'false',
      color: 'red',
      user: 'zhangsan,lisi',
      party: '',
    });
  });

  it('GIVEN a single member picker THEN its selected option is the userid, none is empty', () => {
    const member = {
      ...everyKind,
      fields: [{ ...everyKind.fields[0]!, id: 'who', kind: 'member' as const }],
    };
    expect(
      slackValuesToFormValues(
        { who: { value: { type: 'external_select', selected_option: { value: 'lisi' } } } },
        member,
      ),
    ).toEqual({ who: 'lisi' });
    expect(
      slackValuesToFormValues({ who: { value: { type: 'external_select', selected_option: null } } }, member),
    ).toEqual({ who: '' });
  });

  it('GIVEN an empty select and a missing block THEN the select is empty and the missing field absent', () => {
    const read = slackValuesToFormValues(
      { color: { value: { type: 'static_select', selected_option: null } } },
      everyKind,
    );
    expect(read).toEqual({ color: '' });
  });

  it('GIVEN an unexpected checkbox value THEN it is passed through for the shared rules to reject', () => {
    const read = slackValuesToFormValues(
      { ok: { value: { type: 'checkboxes', selected_options: [{ value: 'n/a' }] } } },
      everyKind,
    );
    expect(read.ok).toBe('n/a');
  });
});

const created: Reply = {
  status: 'ok',
  title: 'Temporary QR for zhangsan',
  configId: 'cfg_1',
  text: 'line one\n<!channel> & friends',
  facts: Array.from({ length: 12 }, (_, i) => ({ label: `L${i}`, value: i === 0 ? '<@U123>' : `v${i}` })),
  qr: { url: 'https://wework.qpic.cn/wwpic/qr.png', alt: 'QR code for zhangsan' },
  actions: [
    { kind: 'show', label: 'Show QR again', configId: 'cfg_1', token: 'tok-show' },
    {
      kind: 'delete',
      label: 'Delete',
      configId: 'cfg_1',
      danger: true,
      token: 'tok-delete',
      confirm: { title: 'Delete contact way?', text: 'Delete cfg_1?', yes: 'Delete', no: 'Cancel' },
    },
  ],
};

describe('replyToBlocks', () => {
  it('GIVEN a created reply THEN header, facts as fields (10 per section), text, image, link and buttons', () => {
    const blocks = replyToBlocks(created, { locale: 'en' });
    expect(blocks.map((b) => b.type)).toEqual([
      'header',
      'section',
      'section',
      'section',
      'image',
      'context',
      'actions',
    ]);
    const [, first, second] = blocks;
    expect(first?.type === 'section' && first.fields?.length).toBe(10);
    expect(second?.type === 'section' && second.fields?.length).toBe(2);
    expect(blocks[4]).toMatchObject({
      type: 'image',
      image_url: created.qr?.url,
      alt_text: 'QR code for zhangsan',
    });
  });

  it('GIVEN text typed by people THEN mrkdwn control characters are escaped (no mass pings)', () => {
    const json = JSON.stringify(replyToBlocks(created, { locale: 'en' }));
    expect(json).not.toContain('<!channel>');
    expect(json).toContain('&lt;!channel&gt; &amp; friends');
    expect(json).toContain('&lt;@U123&gt;');
    expect(replyToText(created)).not.toContain('<!channel>');
  });

  it("GIVEN the buttons THEN they carry the flow's tokens, and Delete is danger with a confirm dialog", () => {
    const actions = replyToBlocks(created, { locale: 'en' }).find((b) => b.type === 'actions');
    expect(actions).toMatchObject({
      elements: [
        { type: 'button', action_id: 'contactway.show', value: 'tok-show' },
        {
          type: 'button',
          action_id: 'contactway.delete',
          value: 'tok-delete',
          style: 'danger',
          confirm: {
            title: { text: 'Delete contact way?' },
            confirm: { text: 'Delete' },
            deny: { text: 'Cancel' },
            style: 'danger',
          },
        },
      ],
    });
  });

  it('GIVEN an action the flow gave no token THEN it has no button', () => {
    const untokened = { ...created, actions: created.actions.map(({ token: _, ...a }) => a) };
    expect(replyToBlocks(untokened, { locale: 'en' }).some((b) => b.type === 'actions')).toBe(false);
  });

  it('GIVEN a QR URL Slack cannot fetch (sandbox http) THEN there is a link but no image block', () => {
    const local = { ...created, qr: { url: 'http://127.0.0.1:4000/sandbox/qr/x.png', alt: 'qr' } };
    const blocks = replyToBlocks(local, { locale: 'en' });
    expect(blocks.some((b) => b.type === 'image')).toBe(false);
    expect(JSON.stringify(blocks)).toContain('<http://127.0.0.1:4000/sandbox/qr/x.png|Open the QR code>');
  });

  it('GIVEN the QR went to the DM THEN the message points there in the requester language, and "none" leaves it out', () => {
    const dm = replyToBlocks(created, { locale: 'zh', qr: 'dm' });
    expect(dm.some((b) => b.type === 'image')).toBe(false);
    expect(JSON.stringify(dm)).toContain('私信');
    const none = replyToBlocks(created, { locale: 'en', qr: 'none' });
    expect(none.some((b) => b.type === 'image' || b.type === 'context')).toBe(false);
  });

  it('GIVEN a long list THEN text is split into sections of at most 3000 characters, lines kept whole', () => {
    const lines = Array.from({ length: 60 }, (_, i) => `${i}`.padStart(3, '0') + ' · '.padEnd(90, 'x'));
    const blocks = replyToBlocks(
      { status: 'info', title: 'list', text: lines.join('\n'), facts: [], actions: [] },
      { locale: 'en' },
    );
    const texts = blocks.flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));
    expect(texts.length).toBeGreaterThan(1);
    for (const t of texts) expect(t.length).toBeLessThanOrEqual(3000);
    expect(texts.join('\n')).toBe(lines.join('\n'));
  });

  it('GIVEN an error reply with field errors THEN they are listed', () => {
    const blocks = replyToBlocks(
      {
        status: 'error',
        title: 'Invalid input',
        facts: [],
        actions: [],
        fieldErrors: [{ field: 'user', message: 'bad' }],
      },
      { locale: 'en' },
    );
    expect(JSON.stringify(blocks)).toContain('• *user*: bad');
    expect(blocks[0]).toMatchObject({ type: 'header', text: { text: '⚠️ Invalid input' } });
  });
});

describe('errorsByBlock', () => {
  it('GIVEN errors on fields and on an argument THEN fields keep theirs and the argument shows under the first block', () => {
    const errors = [
      { field: 'ttl', message: 'bad duration' },
      { field: 'ttl', message: 'too long' },
      { field: 'config_id', message: 'unknown' },
    ];
    expect(errorsByBlock(errors, everyKind)).toEqual({
      ttl: 'bad duration · too long',
      name: 'config_id: unknown',
    });
  });
});

describe('escapeMrkdwn', () => {
  it('turns edge-of-word formatting into look-alikes and keeps ids with underscores exact', () => {
    expect(escapeMrkdwn('*boss* _it_ ~x~ `c` <!channel> & more')).toBe(
      '∗boss∗ ＿it＿ ∼x∼ ˋcˋ &lt;!channel&gt; &amp; more',
    );
    expect(escapeMrkdwn('config_id wm_abc_123 a*b')).toBe('config_id wm_abc_123 a*b');
  });
});

describe('progressView', () => {
  it('GIVEN any form saved (an edit as much as a creation) THEN the wait says sending, not creating', () => {
    for (const locale of ['en', 'zh'] as const) {
      const text = JSON.stringify(progressView('Edit contact way', locale));
      expect(text).toContain('⏳');
      expect(text).not.toMatch(/Creating|创建/);
    }
  });
});
