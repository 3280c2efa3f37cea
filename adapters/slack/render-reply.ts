import type { types as slack } from '@slack/bolt';
import type { Reply, ReplyAction } from '../../commands/index.js';
import { type Locale, say, t } from '../../src/base/i18n.js';
import { clip, splitText } from '../../src/base/text.js';
import { escapeMrkdwn } from './text.js';

/**
 * Action ids of the reply buttons, one per kind (Slack wants them distinct within a block); the button's
 * value is the flow's token for it (src/chat/action-token.ts), at most 2000 characters.
 */
export const ACTION_IDS: Record<ReplyAction['kind'], string> = {
  show: 'contactway.show',
  delete: 'contactway.delete',
  close: 'contactway.close',
  keep: 'contactway.keep',
  again: 'contactway.again',
  'approve-link': 'contactway.approve-link',
  'decline-link': 'contactway.decline-link',
};

/** Matches every reply button, for `app.action`. */
export const ACTION_ID_PATTERN = /^contactway\.(show|delete|close|keep|again|approve-link|decline-link)$/;

/** Slack's limit for a button's value: the flow's tokens fit it inline. */
export const MAX_BUTTON_VALUE = 2000;

/** The buttons of the actions the flow gave a token (an action without one cannot be clicked). */
export function buttons(actions: readonly ReplyAction[]): slack.Button[] {
  return actions.flatMap((a) => (a.token ? [button(a, a.token)] : []));
}

// Block Kit limits (docs.slack.dev/reference/block-kit/blocks).
const HEADER_MAX = 150;
const SECTION_TEXT_MAX = 3000;
const FIELD_TEXT_MAX = 2000;
const FIELDS_PER_SECTION = 10;
const BUTTON_TEXT_MAX = 75;
const CONFIRM_TITLE_MAX = 100;
const CONFIRM_TEXT_MAX = 300;
const CONFIRM_BUTTON_MAX = 30;
const ALT_MAX = 2000;
const MAX_BLOCKS = 50;

export interface ReplyBlocksOptions {
  /** Language of the few texts the adapter adds (the reply itself is already localized). */
  locale: Locale;
  /**
   * Where the QR image went. `dm`: uploaded to the requester's DM, so this message only points there.
   * `none`: leave the QR out (the message that carries the upload). Otherwise the URL is shown, as an
   * image block when Slack can fetch it (a public https URL).
   */
  qr?: 'dm' | 'none' | 'url';
}

const MARK: Record<Reply['status'], string> = { ok: '✅', error: '⚠️', info: 'ℹ️' };

/**
 * A reply as Block Kit: header, facts as section fields, field errors, body text, the QR (image block,
 * link or a pointer to the DM), and the "Show QR again" / "Delete" buttons (Delete confirms first). Pure.
 */
export function replyToBlocks(reply: Reply, options: ReplyBlocksOptions): slack.KnownBlock[] {
  const blocks: slack.KnownBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: clip(`${MARK[reply.status]} ${reply.title}`, HEADER_MAX),
        emoji: true,
      },
    },
  ];
  for (let i = 0; i < reply.facts.length; i += FIELDS_PER_SECTION) {
    blocks.push({
      type: 'section',
      fields: reply.facts.slice(i, i + FIELDS_PER_SECTION).map((f) => ({
        type: 'mrkdwn' as const,
        text: clip(`*${escapeMrkdwn(f.label)}*\n${escapeMrkdwn(f.value)}`, FIELD_TEXT_MAX),
        verbatim: true,
      })),
    });
  }
  const errors = (reply.fieldErrors ?? []).map(
    (e) => `• *${escapeMrkdwn(e.field)}*: ${escapeMrkdwn(e.message)}`,
  );
  for (const chunk of chunkLines(errors)) blocks.push(mrkdwnSection(chunk));
  for (const chunk of chunkLines(reply.text ? reply.text.split('\n').map(escapeMrkdwn) : [])) {
    blocks.push(mrkdwnSection(chunk));
  }
  blocks.push(...qrBlocks(reply, options));
  const elements = buttons(reply.actions);
  if (elements.length > 0) {
    blocks.push({
      type: 'actions',
      block_id: `contactway.actions.${reply.configId ?? 'reply'}`,
      elements,
    });
  }
  // Slack refuses messages over 50 blocks: keep the head and the buttons.
  if (blocks.length > MAX_BLOCKS) return [...blocks.slice(0, MAX_BLOCKS - 1), blocks[blocks.length - 1]!];
  return blocks;
}

/** The plain-text fallback Slack shows in notifications and where blocks cannot render. */
export function replyToText(reply: Reply): string {
  const lines = [`${MARK[reply.status]} ${reply.title}`];
  for (const f of reply.facts) lines.push(`${f.label}: ${f.value}`);
  for (const e of reply.fieldErrors ?? []) lines.push(`- ${e.field}: ${e.message}`);
  if (reply.text) lines.push(reply.text);
  return clip(lines.map(escapeMrkdwn).join('\n'), 3000);
}

function qrBlocks(reply: Reply, options: ReplyBlocksOptions): slack.KnownBlock[] {
  const qr = reply.qr;
  const mode = options.qr ?? 'url';
  if (!qr || mode === 'none') return [];
  if (mode === 'dm') {
    return [
      context(
        say(
          t('📨 The QR image is in your direct messages with this app.', '📨 二维码图片已通过私信发送给你。'),
          options.locale,
        ),
      ),
    ];
  }
  if (!qr.url) return [];
  const blocks: slack.KnownBlock[] = [];
  // Slack fetches image_url itself and rejects the whole message when it cannot: only public https URLs.
  if (isPublicHttps(qr.url)) {
    blocks.push({ type: 'image', image_url: qr.url, alt_text: clip(qr.alt, ALT_MAX) });
  }
  blocks.push(
    context(`<${qr.url}|${escapeMrkdwn(say(t('Open the QR code', '打开二维码'), options.locale))}>`),
  );
  return blocks;
}

function button(action: ReplyAction, token: string): slack.Button {
  const element: slack.Button = {
    type: 'button',
    action_id: ACTION_IDS[action.kind],
    text: { type: 'plain_text', text: clip(action.label, BUTTON_TEXT_MAX), emoji: true },
    value: token,
  };
  if (action.danger) element.style = 'danger';
  if (action.confirm) {
    element.confirm = {
      title: { type: 'plain_text', text: clip(action.confirm.title, CONFIRM_TITLE_MAX) },
      text: { type: 'plain_text', text: clip(action.confirm.text, CONFIRM_TEXT_MAX) },
      confirm: { type: 'plain_text', text: clip(action.confirm.yes, CONFIRM_BUTTON_MAX) },
      deny: { type: 'plain_text', text: clip(action.confirm.no, CONFIRM_BUTTON_MAX) },
      ...(action.danger ? { style: 'danger' as const } : {}),
    };
  }
  return element;
}

/**
 * Groups lines into section-sized texts (3000 characters each), cutting only a line longer than a section,
 * and that one into several sections: a message is never clipped.
 */
function chunkLines(lines: string[]): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const line of lines.flatMap((l) => splitText(l, SECTION_TEXT_MAX))) {
    if (current && current.length + 1 + line.length > SECTION_TEXT_MAX) {
      chunks.push(current);
      current = '';
    }
    current = current ? `${current}\n${line}` : line;
  }
  if (current) chunks.push(current);
  return chunks;
}

function mrkdwnSection(text: string): slack.SectionBlock {
  // verbatim: Slack links no bare URL or domain and parses no mention it found on its own in our texts.
  return { type: 'section', text: { type: 'mrkdwn', text, verbatim: true } };
}

function context(text: string): slack.ContextBlock {
  return { type: 'context', elements: [{ type: 'mrkdwn', text, verbatim: true }] };
}

function isPublicHttps(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (
      parsed.protocol === 'https:' && !/^(localhost|127\.|10\.|192\.168\.|\[::1\])/.test(parsed.hostname)
    );
  } catch {
    return false;
  }
}
