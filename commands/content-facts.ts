/**
 * What a way's customers get besides the chat: its closing message and welcome message, described for `show`,
 * the replies after create and edit, and the Home tab (text, link title, mini-program name, image name).
 */
import { type Bilingual, type Locale, say, t } from '../src/base/i18n.js';
import { clip } from '../src/base/text.js';
import type { RecordView } from '../src/service/contact-way-service.js';
import type { ContactWayRecord } from '../src/store/index.js';
import { type Attachment, cardOfConclusions, describeCard } from '../src/store/message-content.js';
import type { ReplyFact } from './types.js';

/** How much of a message's text a fact quotes. */
const QUOTE_CHARS = 80;

/**
 * The closing card the customer gets, in WeCom's order: the kept image, else the card as stored, else as WeCom
 * has it in the request (synced ways).
 */
function closingCard(record: ContactWayRecord): Attachment | undefined {
  if (record.closingImage) return { kind: 'image', ...record.closingImage };
  return record.closing ?? cardOfConclusions(record.request.conclusions);
}

function join(parts: Bilingual[], sep = t('; ', '；')): Bilingual {
  return t(parts.map((p) => p.en).join(sep.en), parts.map((p) => p.zh).join(sep.zh));
}

function quote(text: string): Bilingual {
  const q = `“${clip(text.replace(/\s+/g, ' '), QUOTE_CHARS)}”`;
  return t(`text ${q}`, `文本 ${q}`);
}

/** The closing and welcome content, as facts; none for a way without either. */
export function contentFacts(record: RecordView, locale: Locale): ReplyFact[] {
  const facts: ReplyFact[] = [];
  const closingText = record.request.conclusions?.text?.content;
  const card = closingCard(record);
  if (closingText || card) {
    const parts = [...(closingText ? [quote(closingText)] : []), ...(card ? [describeCard(card)] : [])];
    facts.push({ label: say(t('Closing message', '结束语'), locale), value: say(join(parts), locale) });
  }
  const cards = record.welcomeAttachments ?? [];
  if (record.welcome || cards.length > 0) {
    const parts = [...(record.welcome ? [quote(record.welcome)] : []), ...cards.map(describeCard)];
    facts.push({ label: say(t('Welcome message', '欢迎语'), locale), value: say(join(parts), locale) });
  }
  if (record.request.unionid) {
    facts.push({ label: say(t('Only WeChat user', '仅限微信用户'), locale), value: record.request.unionid });
  }
  return facts;
}

/** One short clause for a list line: ` · closing: link “Hours” · welcome: text + 2 cards`; '' when none. */
export function contentSummary(record: RecordView): Bilingual {
  const parts: Bilingual[] = [];
  const card = closingCard(record);
  if (card) parts.push(t(`closing: ${describeCard(card).en}`, `结束语：${describeCard(card).zh}`));
  const cards = record.welcomeAttachments ?? [];
  if (cards.length > 0) {
    const what = [
      ...(record.welcome ? [t('text', '文本')] : []),
      t(`${cards.length} card(s)`, `${cards.length} 张卡片`),
    ];
    parts.push(
      t(`welcome: ${what.map((w) => w.en).join(' + ')}`, `欢迎语：${what.map((w) => w.zh).join(' + ')}`),
    );
  }
  if (parts.length === 0) return t('', '');
  return t(` · ${parts.map((p) => p.en).join(' · ')}`, ` · ${parts.map((p) => p.zh).join(' · ')}`);
}
