import { ActionRowBuilder, AttachmentBuilder, ButtonBuilder, ButtonStyle, EmbedBuilder } from 'discord.js';
import type { Reply, ReplyAction } from '../../commands/index.js';
import { type Locale, say } from '../../src/base/i18n.js';
import { clip, splitText } from '../../src/base/text.js';
import { encodeCustomId } from './custom-id.js';
import { escapeText } from './text.js';
import { TEXTS } from './texts.js';

/** What an interaction reply or edit carries: ready for `reply`, `editReply` or `update`. */
export interface DiscordMessage {
  content: string;
  embeds: EmbedBuilder[];
  files: AttachmentBuilder[];
  components: ActionRowBuilder<ButtonBuilder>[];
}

export interface RenderOptions {
  locale: Locale;
  /** Adds a "Fix and resubmit" button carrying the flow's reopen token. */
  reopen?: string | undefined;
  /** Field labels by id, so errors name a field the way the form showed it. */
  fieldLabels?: Record<string, string>;
}

const COLORS: Record<Reply['status'], number> = { ok: 0x2e7d32, error: 0xc62828, info: 0x5865f2 };

/** Discord's embed limits. */
const MAX_TITLE = 256;
const MAX_DESCRIPTION = 4096;
const MAX_FIELDS = 25;
const MAX_FIELD_NAME = 256;
const MAX_FIELD_VALUE = 1024;
const MAX_EMBEDS = 10;
const MAX_EMBED_TOTAL = 6000;

/**
 * A neutral reply as one Discord message: an embed (title, text, facts as fields, field errors named
 * one by one), the QR image as an attachment shown inside the embed (`attachment://qr.png`; the bytes stay
 * visible even after WeCom's URL changes), and buttons for the reply's actions. Pure.
 *
 * Every text is escaped: neutral replies are plain text and echo what people typed (see text.ts).
 */
export function renderReply(reply: Reply, options: RenderOptions): DiscordMessage {
  const embed = new EmbedBuilder()
    .setColor(COLORS[reply.status])
    .setTitle(clip(escapeText(reply.title), MAX_TITLE));
  const lines: string[] = [];
  for (const e of reply.fieldErrors ?? []) {
    const label = options.fieldLabels?.[e.field];
    const field = `\`${e.field.replaceAll('`', '')}\``;
    lines.push(`• ${label ? `**${escapeText(label)}** (${field})` : field}: ${escapeText(e.message)}`);
  }
  if (reply.text) lines.push(...(lines.length ? [''] : []), escapeText(reply.text));
  const [description, ...rest] = lines.length ? splitText(lines.join('\n'), MAX_DESCRIPTION) : [];
  if (description) embed.setDescription(description);
  const facts = reply.facts.slice(0, MAX_FIELDS).map((f) => ({
    name: clip(escapeText(f.label), MAX_FIELD_NAME),
    value: clip(escapeText(f.value) || '—', MAX_FIELD_VALUE),
    inline: f.value.length <= 40,
  }));
  if (facts.length) embed.addFields(facts);
  const embeds = [embed, ...continuation(rest, embed, COLORS[reply.status])];

  const files: AttachmentBuilder[] = [];
  const image = reply.qr?.image;
  if (image) {
    files.push(
      new AttachmentBuilder(image.bytes, {
        name: image.fileName,
        description: clip(reply.qr?.alt ?? '', 1024),
      }),
    );
    embed.setImage(`attachment://${image.fileName}`);
  } else if (reply.qr?.url && /^https?:\/\//.test(reply.qr.url)) {
    // No bytes: the title links to WeCom's QR so it can still be opened.
    embed.setURL(reply.qr.url);
  }

  const buttons: ButtonBuilder[] = [];
  if (options.reopen) {
    const id = encodeCustomId({ kind: 'reopen', state: options.reopen });
    if (id)
      buttons.push(
        new ButtonBuilder()
          .setCustomId(id)
          .setStyle(ButtonStyle.Primary)
          .setLabel(say(TEXTS.reopen, options.locale)),
      );
  }
  for (const action of reply.actions) {
    const button = actionButton(action);
    if (button) buttons.push(button);
  }
  const components = buttons.length
    ? [new ActionRowBuilder<ButtonBuilder>().addComponents(buttons.slice(0, 5))]
    : [];
  return { content: '', embeds, files, components };
}

/**
 * A description longer than one embed's goes on in further embeds, within what Discord takes in one message
 * (10 embeds, 6000 characters in all); only past that is the text clipped.
 */
function continuation(pieces: string[], first: EmbedBuilder, color: number): EmbedBuilder[] {
  let left = MAX_EMBED_TOTAL - embedLength(first);
  const more: EmbedBuilder[] = [];
  for (const piece of pieces.slice(0, MAX_EMBEDS - 1)) {
    if (left <= 1) break;
    const text = clip(piece, left);
    more.push(new EmbedBuilder().setColor(color).setDescription(text));
    left -= text.length;
  }
  return more;
}

function embedLength(embed: EmbedBuilder): number {
  const { title = '', description = '', fields = [], footer, author } = embed.data;
  return (
    title.length +
    description.length +
    fields.reduce((n, f) => n + f.name.length + f.value.length, 0) +
    (footer?.text.length ?? 0) +
    (author?.name.length ?? 0)
  );
}

/**
 * A reply action as a button carrying the flow's token (which says what it does and whose it is); none
 * for an action the flow gave no token.
 */
function actionButton(action: ReplyAction): ButtonBuilder | undefined {
  const id = action.token ? encodeCustomId({ kind: 'action', token: action.token }) : undefined;
  if (!id) return undefined;
  return new ButtonBuilder()
    .setCustomId(id)
    .setStyle(action.danger ? ButtonStyle.Danger : ButtonStyle.Secondary)
    .setLabel(clip(action.label, 80));
}

/** A one-line message of ours (expired form, kept, failures): plain text, escaped like everything else. */
export function renderNotice(text: string): DiscordMessage {
  return { content: escapeText(text), embeds: [], files: [], components: [] };
}
