/**
 * The closing card, welcome attachments and unionid fields, and how their text becomes cards. Links are typed
 * as one line each (`title | URL | description | picture URL`) so they fit every platform's form, a Discord
 * modal of five inputs included; mini-programs are picked by the name of a preset an admin configured.
 */
import { type FieldIssue, ValidationError } from '../src/base/errors.js';
import { t } from '../src/base/i18n.js';
import { toFieldIssues } from '../src/base/validate.js';
import { presetNameSchema } from '../src/service/miniprograms.js';
import type { Attachment, AttachmentChoice, LinkContent, RichInput } from '../src/store/message-content.js';
import {
  linkBodySchema,
  MAX_LINK_DESC_BYTES,
  MAX_LINK_TITLE_BYTES,
  MAX_WELCOME_ATTACHMENTS,
} from '../src/wecom/attachment-schemas.js';
import type { FieldSpec } from './types.js';

/** One card is sent with a closing message, in WeCom's order: said wherever a closing card is chosen. */
const ONE_CARD = t(
  'WeCom sends one card, in the order image > link > mini-program: attach an image, fill the link or the mini-program, only one.',
  '企业微信只发送一张卡片（图片 > 链接 > 小程序）：图片、链接、小程序只填一个。',
);

const LINK_FORMAT = t(
  `title | URL | description | picture URL (web addresses, http or https; title ≤ ${MAX_LINK_TITLE_BYTES} bytes, description ≤ ${MAX_LINK_DESC_BYTES}; the last two optional)`,
  `标题 | 网址 | 描述 | 封面图网址（http 或 https 网址；标题 ≤ ${MAX_LINK_TITLE_BYTES} 字节，描述 ≤ ${MAX_LINK_DESC_BYTES} 字节；后两项可不填）`,
);

export const richFields = {
  closingLink: (): FieldSpec => ({
    id: 'closing_link',
    kind: 'text',
    label: t('Closing link card', '结束语链接卡片'),
    help: t(
      `Optional, after the closing text: ${LINK_FORMAT.en}. ${ONE_CARD.en}`,
      `可选，附在结束语后：${LINK_FORMAT.zh}。${ONE_CARD.zh}`,
    ),
    default: '',
    optional: true,
    maxLength: 3000,
  }),
  closingMiniprogram: (): FieldSpec => ({
    id: 'closing_miniprogram',
    kind: 'text',
    label: t('Closing mini-program', '结束语小程序'),
    help: t(
      `Optional: the name of a mini-program preset your admin configured (MINIPROGRAMS). ${ONE_CARD.en}`,
      `可选：管理员配置的小程序预设名称（MINIPROGRAMS）。${ONE_CARD.zh}`,
    ),
    default: '',
    optional: true,
    maxLength: 32,
  }),
  welcomeLinks: (): FieldSpec => ({
    id: 'welcome_links',
    kind: 'multiline',
    label: t('Welcome links', '欢迎语链接'),
    help: t(
      `Optional link cards after the welcome text, one per line (or separated by " || "): ${LINK_FORMAT.en}. At most ${MAX_WELCOME_ATTACHMENTS} cards with the mini-programs.`,
      `可选，欢迎语后的链接卡片，每行一个（或用 " || " 分隔）：${LINK_FORMAT.zh}。与小程序合计最多 ${MAX_WELCOME_ATTACHMENTS} 个。`,
    ),
    default: '',
    optional: true,
    maxLength: 3000,
  }),
  welcomeMiniprograms: (): FieldSpec => ({
    id: 'welcome_miniprograms',
    kind: 'text',
    label: t('Welcome mini-programs', '欢迎语小程序'),
    help: t(
      `Optional: mini-program presets (MINIPROGRAMS) sent after the welcome text, separated by commas; at most ${MAX_WELCOME_ATTACHMENTS} cards with the links.`,
      `可选：欢迎语后发送的小程序预设（MINIPROGRAMS），用逗号分隔；与链接合计最多 ${MAX_WELCOME_ATTACHMENTS} 个。`,
    ),
    default: '',
    optional: true,
    maxLength: 300,
  }),
  unionid: (): FieldSpec => ({
    id: 'unionid',
    kind: 'text',
    label: t('Only this WeChat user (advanced)', '仅限此微信用户（高级）'),
    help: t(
      'Optional unionid: only this WeChat user may start the session. It comes from your own mini-program or site login; WeCom needs a WeChat developer account bound in 客户联系 (error 41057 otherwise).',
      '可选 unionid：仅该微信用户可发起会话。来自你自己的小程序或网站登录；企业需在「客户联系」中绑定微信开发者账号（否则报错 41057）。',
    ),
    default: '',
    optional: true,
    maxLength: 64,
  }),
};

/** The ids of the fields above that are not WeCom's keys: left out of the request a form builds. */
export const CARD_FIELDS = [
  'closing_link',
  'closing_miniprogram',
  'welcome_links',
  'welcome_miniprograms',
  // A file reference, fetched when the command runs (attachedImage); never part of WeCom's request.
  'welcome_image',
] as const;

/** Typed values without the card fields: what is left is WeCom's request. */
export function withoutCards(typed: Record<string, unknown>): Record<string, unknown> {
  const rest = { ...typed };
  for (const id of CARD_FIELDS) delete rest[id];
  return rest;
}

/** `title | URL | description | picture URL` as a link card; issues name `field` (and the line, for lists). */
export function readLink(text: string, field: string, line?: number): LinkContent | FieldIssue {
  const [title = '', url = '', desc = '', picurl = ''] = text.split('|').map((p) => p.trim());
  const body = { title, url, ...(desc ? { desc } : {}), ...(picurl ? { picurl } : {}) };
  const result = linkBodySchema.safeParse(body, { reportInput: true });
  if (result.success) return { kind: 'link', ...result.data };
  const [issue] = toFieldIssues(result.error);
  const part =
    issue?.field === 'url' ? 'URL' : issue?.field === 'picurl' ? 'picture URL' : (issue?.field ?? '');
  const partZh = { title: '标题', URL: '网址', desc: '描述', 'picture URL': '封面图网址' }[part] ?? part;
  const where = line === undefined ? t('', '') : t(`line ${line}: `, `第 ${line} 行：`);
  const message = issue?.message ?? t('is invalid', '无效');
  return {
    field,
    message: t(
      `${where.en}${part} ${message.en} (${LINK_FORMAT.en})`,
      `${where.zh}${partZh}${message.zh}（${LINK_FORMAT.zh}）`,
    ),
  };
}

const isIssue = (v: unknown): v is FieldIssue => typeof v === 'object' && v !== null && 'field' in v;

/** Preset names typed in a field, each checked for shape (the service checks they exist). */
function readNames(text: string, field: string): string[] | FieldIssue {
  const names = text.split(/[\s,，、;；]+/).filter(Boolean);
  const bad = names.find((n) => !presetNameSchema.safeParse(n).success);
  if (bad === undefined) return names;
  return {
    field,
    message: t(
      `"${bad.slice(0, 40)}" is not a preset name (letters, digits, "-", "_", ".")`,
      `“${bad.slice(0, 40)}” 不是预设名称（字母、数字、"-"、"_"、"."）`,
    ),
  };
}

/**
 * The cards of a submitted form. `clears` holds fields the requester cleared (`-` in an edit): a cleared
 * list is [], a cleared closing card null. Fields left empty are left out (an edit keeps them). Throws one
 * ValidationError naming every bad field.
 */
export function readRich(
  values: Record<string, unknown>,
  clears: ReadonlySet<string> = new Set(),
): RichInput {
  const issues: FieldIssue[] = [];
  const rich: RichInput = {};
  const text = (id: string) => (typeof values[id] === 'string' ? (values[id] as string).trim() : '');

  const linkText = text('closing_link');
  const miniText = text('closing_miniprogram');
  let closing: AttachmentChoice | null | undefined;
  // An attached image wins at WeCom: a card beside it would never be sent, so it is refused here.
  const image = text('image');
  if (linkText && miniText) {
    issues.push({ field: 'closing_miniprogram', message: ONE_CARD });
  } else if (image && (linkText || miniText)) {
    issues.push({ field: linkText ? 'closing_link' : 'closing_miniprogram', message: ONE_CARD });
  } else if (linkText) {
    const link = readLink(linkText, 'closing_link');
    if (isIssue(link)) issues.push(link);
    else closing = link;
  } else if (miniText) {
    const names = readNames(miniText, 'closing_miniprogram');
    if (isIssue(names)) issues.push(names);
    else if (names.length !== 1)
      issues.push({
        field: 'closing_miniprogram',
        message: t('name one mini-program', '只能填写一个小程序'),
      });
    else closing = { kind: 'miniprogram', name: names[0]! };
  } else if (clears.has('closing_link') || clears.has('closing_miniprogram')) {
    closing = null;
  }
  if (closing !== undefined) rich.closing = closing;

  const linesText = text('welcome_links');
  if (linesText) {
    const links: LinkContent[] = [];
    // One per line; ` || ` separates them where a field holds one line (a Discord option).
    linesText
      .split(/\n|\s\|\|\s/)
      .map((l) => l.trim())
      .forEach((line, i, all) => {
        if (!line) return;
        const link = readLink(line, 'welcome_links', all.length > 1 ? i + 1 : undefined);
        if (isIssue(link)) issues.push(link);
        else links.push(link);
      });
    rich.welcomeLinks = links;
  } else if (clears.has('welcome_links')) rich.welcomeLinks = [];

  const minisText = text('welcome_miniprograms');
  if (minisText) {
    const names = readNames(minisText, 'welcome_miniprograms');
    if (isIssue(names)) issues.push(names);
    else rich.welcomeMiniprograms = names;
  } else if (clears.has('welcome_miniprograms')) rich.welcomeMiniprograms = [];

  // The image counts too (the service counts again against what an edit keeps).
  const count =
    (rich.welcomeLinks?.length ?? 0) +
    (rich.welcomeMiniprograms?.length ?? 0) +
    (text('welcome_image') ? 1 : 0);
  if (count > MAX_WELCOME_ATTACHMENTS && !issues.some((i) => i.field === 'welcome_links')) {
    issues.push({
      field: 'welcome_links',
      message: t(
        `a welcome message takes at most ${MAX_WELCOME_ATTACHMENTS} attachments (links, mini-programs and the image together); this makes ${count}`,
        `欢迎语最多 ${MAX_WELCOME_ATTACHMENTS} 个附件（链接、小程序与图片合计）；当前为 ${count} 个`,
      ),
    });
  }
  // One message per field: the first problem found wins, as for every other field.
  const seen = new Set<string>();
  const first = issues.filter((i) => !seen.has(i.field) && seen.add(i.field));
  if (first.length > 0) throw new ValidationError(first);
  return rich;
}

/** A link card as its field shows it, so an edit opens with what `readLink` reads back unchanged. */
export function linkText(link: LinkContent): string {
  return [link.title, link.url, link.desc ?? '', link.picurl ?? ''].join(' | ').replace(/( \| )+$/, '');
}

/**
 * Runs a form's own check and reads its cards from the same submitted values, so the requester hears about
 * every bad field at once (a bad link and a bad duration in one round).
 */
export function checkWithCards<T>(
  values: Record<string, unknown>,
  check: () => T,
  clears?: ReadonlySet<string>,
): { checked: T; rich: RichInput } {
  let checked: T | undefined;
  let rich: RichInput | undefined;
  const issues: FieldIssue[] = [];
  for (const step of [() => (checked = check()), () => (rich = readRich(values, clears))]) {
    try {
      step();
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const named = new Set(issues.map((i) => i.field));
      issues.push(...error.issues.filter((i) => !named.has(i.field)));
    }
  }
  if (issues.length > 0 || checked === undefined || rich === undefined) throw new ValidationError(issues);
  return { checked, rich };
}

/** A way's cards as the edit form opens with them: what `readRich` reads back as "unchanged". */
export function cardValues(
  closing: Attachment | undefined,
  welcomeCards: readonly Attachment[],
): Record<string, string> {
  const links = welcomeCards.filter((c): c is LinkContent => c.kind === 'link');
  const minis = welcomeCards.flatMap((c) => (c.kind === 'miniprogram' ? [c.name] : []));
  return {
    closing_link: closing?.kind === 'link' ? linkText(closing) : '',
    // A mini-program read back from WeCom (a synced way) has no preset name: the field stays empty (kept).
    closing_miniprogram: closing?.kind === 'miniprogram' ? closing.name : '',
    welcome_links: links.map(linkText).join('\n'),
    welcome_miniprograms: minis.join(', '),
  };
}
