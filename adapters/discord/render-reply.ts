import { ActionRowBuilder, AttachmentBuilder, ButtonBuilder, ButtonStyle, EmbedBuilder } from 'discord.js';
import { deleteConfirm, type Reply, type ReplyAction } from '../../commands/index.js';
import { type Locale, say } from '../../src/i18n.js';
import { clip, splitText } from '../../src/text.js';
import { type ButtonId, encodeCustomId } from './custom-id.js';
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
  /**
   * The owner tag of the requester (see custom-id.ts): only they may click the reply's buttons. Without
   * one (a DM outside any interaction) the reply has no buttons.
   */
  owner?: string | undefined;
  /** Adds a "Fix and resubmit" button carrying the flow's reopen token. */
  reopen?: string | undefined;
  /** Field labels by id, so errors name a field the way the form showed it. */
  fieldLabels?: Record<string, string>;
  /**
   * A notification (a DM, no owner): the state-store ids of its actions' entries, by action index
   * (notify-buttons.ts); an action without one gets no button.
   */
  notes?: readonly (string | undefined)[];
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
  const owner = options.owner;
  if (owner && options.reopen) {
    const id = encodeCustomId({ kind: 'reopen', owner, state: options.reopen });
    if (id)
      buttons.push(
        new ButtonBuilder()
          .setCustomId(id)
          .setStyle(ButtonStyle.Primary)
          .setLabel(say(TEXTS.reopen, options.locale)),
      );
  }
  for (const action of owner ? reply.actions : []) {
    const button = actionButton(action, owner as string);
    if (button) buttons.push(button);
  }
  reply.actions.forEach((action, i) => {
    const note = options.notes?.[i];
    if (!note || owner) return;
    const id = encodeCustomId({ kind: action.kind === 'close' ? 'nclose' : 'nshow', note });
    if (id)
      buttons.push(
        new ButtonBuilder()
          .setCustomId(id)
          .setStyle(action.danger ? ButtonStyle.Danger : ButtonStyle.Secondary)
          .setLabel(clip(action.label, 80)),
      );
  });
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

/** A reply action as a button; none when its config_id is too long for a custom_id (`show` still works). */
function actionButton(action: ReplyAction, owner: string): ButtonBuilder | undefined {
  // End session lives only on notifications, whose buttons are notes (see `notes`).
  if (action.kind === 'close') return undefined;
  // Deleting asks first (handle-button.ts): Discord has no confirm dialog on buttons.
  const target: ButtonId = { kind: action.kind, owner, configId: action.configId };
  const id = encodeCustomId(target);
  if (!id) return undefined;
  return new ButtonBuilder()
    .setCustomId(id)
    .setStyle(action.danger ? ButtonStyle.Danger : ButtonStyle.Secondary)
    .setLabel(clip(action.label, 80));
}

/** The question asked before a delete, with its two buttons. */
export function renderDeleteConfirm(configId: string, locale: Locale, owner: string): DiscordMessage {
  const confirm = deleteConfirm(configId, locale);
  const yes = encodeCustomId({ kind: 'delete-yes', owner, configId });
  const no = encodeCustomId({ kind: 'delete-no', owner, configId });
  const buttons = [
    ...(yes ? [new ButtonBuilder().setCustomId(yes).setStyle(ButtonStyle.Danger).setLabel(confirm.yes)] : []),
    ...(no ? [new ButtonBuilder().setCustomId(no).setStyle(ButtonStyle.Secondary).setLabel(confirm.no)] : []),
  ];
  return {
    content: escapeText(confirm.text),
    embeds: [],
    files: [],
    components: [new ActionRowBuilder<ButtonBuilder>().addComponents(buttons)],
  };
}

/** The question asked before ending a session from a notification, with its two buttons. */
export function renderCloseConfirm(
  note: string,
  confirm: { title: string; text: string; yes: string; no: string },
): DiscordMessage {
  const yes = encodeCustomId({ kind: 'nclose-yes', note });
  const no = encodeCustomId({ kind: 'nclose-no', note });
  const buttons = [
    ...(yes
      ? [new ButtonBuilder().setCustomId(yes).setStyle(ButtonStyle.Danger).setLabel(clip(confirm.yes, 80))]
      : []),
    ...(no
      ? [new ButtonBuilder().setCustomId(no).setStyle(ButtonStyle.Secondary).setLabel(clip(confirm.no, 80))]
      : []),
  ];
  return {
    content: escapeText(`${confirm.title}\n${confirm.text}`),
    embeds: [],
    files: [],
    components: [new ActionRowBuilder<ButtonBuilder>().addComponents(buttons)],
  };
}

/** A one-line message of ours (expired form, kept, failures): plain text, escaped like everything else. */
export function renderNotice(text: string): DiscordMessage {
  return { content: escapeText(text), embeds: [], files: [], components: [] };
}
