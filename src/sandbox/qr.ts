import QRCode from 'qrcode';
import type { WelcomeAttachment } from '../wecom/attachment-schemas.js';
import type { SandboxCustomer } from './customers.js';
import type { Directory } from './directory.js';
import { machineTime, type Spent, spentText } from './spent.js';
import type { StoredWay } from './way-store.js';

/** A real, scannable PNG: the demo must look like the product, not like a placeholder. */
export function qrPng(text: string): Promise<Buffer> {
  return QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin: 2, width: 320 });
}

const BANNER = 'WeCom SANDBOX — not a real contact way';

/**
 * The page a scanned sandbox QR opens. It says loudly that it is the sandbox, so a screenshot from a demo is
 * never mistaken for a working 「联系我」 code.
 */
export function landingPage(
  way: StoredWay,
  directory: Directory,
  spent: Spent | undefined,
  closing: ClosingMessage = {},
  welcome?: SandboxCustomer['welcome'],
): string {
  const r = way.request;
  const members = [...directory.expand(r.user ?? [], r.party ?? [])].map((userid) => {
    const name = directory.member(userid)?.name;
    return `<li>${escapeHtml(name ? `${name} (${userid})` : userid)}</li>`;
  });
  const rows = [
    ['config_id', way.configId],
    ['type', r.type === 1 ? '1 (single member)' : '2 (several members)'],
    ['departments', (r.party ?? []).join(', ') || '—'],
    ['remark', r.remark ?? '—'],
    ['state', r.state ?? '—'],
    ['temporary session', r.is_temp ? 'yes' : 'no'],
    ...(way.expiresAtMs !== undefined ? [['QR valid until', machineTime(way.expiresAtMs)]] : []),
  ];
  // What WeCom's app shows for a voided temp QR, then what voided it.
  const status = spent
    ? `<p class="spent"><strong>This QR code is no longer valid / 此二维码已失效</strong></p>
<p>${escapeHtml(spentText(spent).en)}<br>${escapeHtml(spentText(spent).zh)}</p>`
    : `<p>In WeCom, scanning would add the member below as a contact.</p>
<p><button id="scan">Simulate a scan</button> <span id="scan-result"></span></p>
<script>
document.getElementById('scan').onclick = async () => {
  const out = document.getElementById('scan-result');
  const res = await fetch('/sandbox/scan', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ config_id: ${JSON.stringify(way.configId).replace(/</g, '\\u003c')} }),
  });
  const done = await res.json();
  out.textContent = res.ok
    ? done.name + ' added ' + done.userid + (done.delivered ? ': the bot was told.' : ': no callback URL is known yet.')
    : 'Scan refused: ' + (done.error || res.status);
};
</script>`;
  return page(
    `${status}
<h2>Member${members.length === 1 ? '' : 's'}</h2>
<ul>${members.join('') || '<li>—</li>'}</ul>
<table>${rows.map(([k, v]) => `<tr><th>${escapeHtml(k ?? '')}</th><td>${escapeHtml(v ?? '')}</td></tr>`).join('')}</table>
${messagesHtml(way, welcome, closing)}`,
  );
}

/** The 结束语 a customer gets when the temp session ends: its text and image (a same-origin URL). */
export interface ClosingMessage {
  text?: string;
  picUrl?: string;
}

/** A media_id as the sandbox serves its picture (a same-origin URL). */
const mediaUrl = (mediaId: string) => `/sandbox/media/${encodeURIComponent(mediaId)}.png`;

/**
 * What the customer would get: the welcome message the bot sent the latest customer (send_welcome_msg), and
 * the closing message WeCom sends when the session ends, with only the card WeCom's priority picks.
 */
function messagesHtml(way: StoredWay, welcome: SandboxCustomer['welcome'], closing: ClosingMessage): string {
  const parts: string[] = [];
  if (welcome) {
    const cards = (welcome.attachments ?? []).map(attachmentHtml);
    parts.push(`<h2>Welcome message / 欢迎语</h2>
${welcome.content ? `<p class="msg">${escapeHtml(welcome.content)}</p>` : ''}${cards.join('')}`);
  }
  const c = way.request.conclusions;
  // WeCom sends one card: image > link > miniprogram.
  const card =
    closing.picUrl !== undefined
      ? `<p><img class="closing-image" alt="closing image / 结束语图片" src="${escapeHtml(closing.picUrl)}" style="max-width:100%"></p>`
      : c?.link
        ? attachmentHtml({ msgtype: 'link', link: c.link })
        : c?.miniprogram
          ? attachmentHtml({ msgtype: 'miniprogram', miniprogram: c.miniprogram })
          : '';
  if (closing.text !== undefined || card) {
    parts.push(`<h2>Closing message / 结束语</h2>
<p>When the session ends, the customer gets:</p>
${closing.text === undefined ? '' : `<p class="closing msg">${escapeHtml(closing.text)}</p>`}${card}`);
  }
  return parts.join('\n');
}

function attachmentHtml(a: WelcomeAttachment): string {
  switch (a.msgtype) {
    case 'link':
      return `<div class="card"><strong>🔗 ${escapeHtml(a.link.title)}</strong>${a.link.desc ? `<br>${escapeHtml(a.link.desc)}` : ''}<br><small>${escapeHtml(a.link.url)}</small></div>`;
    case 'miniprogram':
      return `<div class="card"><strong>▣ ${escapeHtml(a.miniprogram.title)}</strong><br><small>mini-program ${escapeHtml(a.miniprogram.appid)} ${escapeHtml(a.miniprogram.page)}</small></div>`;
    case 'image': {
      const src = a.image.media_id ? mediaUrl(a.image.media_id) : (a.image.pic_url ?? '');
      return `<div class="card"><img class="welcome-image" alt="welcome image / 欢迎语图片" src="${escapeHtml(src)}" style="max-width:100%"></div>`;
    }
  }
}

export function notFoundPage(): string {
  return page('<p>No such contact way in this sandbox.</p>');
}

/** A sandbox HTML page under the "not real WeCom" banner. */
export function page(body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${BANNER}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}
.banner{background:#b00020;color:#fff;padding:.75rem 1rem;font-weight:700;border-radius:.25rem}
.spent{color:#b00020}th{text-align:left;padding-right:1rem}
.msg{white-space:pre-wrap;background:#f3f3f3;padding:.5rem;border-radius:.25rem}
.card{border:1px solid #ccc;padding:.5rem;margin:.25rem 0;border-radius:.25rem}</style></head>
<body><div class="banner">${BANNER}</div>
${body}
</body></html>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
