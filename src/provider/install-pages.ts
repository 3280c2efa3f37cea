import type { ServerResponse } from 'node:http';

/** The small pages the browser lands on after WeCom's install page (`/wecom/install`). */
function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

function page(title: string, lines: string[], link?: { href: string; text: string }): string {
  const button = link
    ? `<p><a id="install" href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a></p>`
    : '';
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(title)}</title></head><body style="font-family:sans-serif;max-width:40em;margin:3em auto">
<h1>${escapeHtml(title)}</h1>${lines.map((l) => `<p>${escapeHtml(l)}</p>`).join('')}${button}</body></html>`;
}

export function sendPage(
  res: ServerResponse,
  status: number,
  title: string,
  lines: string[],
  link?: { href: string; text: string },
): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // Nothing on these pages needs a script, a frame or the referrer (the URL carried an auth_code).
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    'referrer-policy': 'no-referrer',
  });
  res.end(page(title, lines, link));
}

/**
 * The page the chat links to: one click on to WeCom's install page (third-party), or to the 代开发 template's
 * authorization QR code, which a corp admin scans in the WeCom app. The referrer policy here lets WeCom see
 * this origin, which it checks against the app's install domain.
 */
export function startPage(res: ServerResponse, installUrl: string, mode: 'customized' | 'third-party'): void {
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    'referrer-policy': 'origin',
  });
  const lines =
    mode === 'customized'
      ? [
          'A WeCom corp admin opens the authorization QR code on the next page and scans it with the WeCom app; the corp is then bound to the chat workspace the link came from.',
          '企业微信企业管理员打开下一页的授权二维码，并用企业微信扫码授权；随后该企业将绑定到发出此链接的聊天工作区。',
        ]
      : [
          'A WeCom corp admin authorizes the app on the next page; the corp is then bound to the chat workspace the link came from.',
          '企业微信企业管理员将在下一页授权应用；随后该企业将绑定到发出此链接的聊天工作区。',
        ];
  const link =
    mode === 'customized'
      ? { href: installUrl, text: 'Open the authorization QR code / 打开授权二维码' }
      : { href: installUrl, text: 'Install in WeCom / 前往企业微信授权' };
  res.end(page('Install contactway / 安装 contactway', lines, link));
}

export function installedPage(res: ServerResponse, corpName: string): void {
  sendPage(res, 200, 'contactway installed / 已安装', [
    `contactway is installed in ${corpName} and bound to the workspace you asked from. Go back to your chat: the bot told you there too.`,
    `contactway 已安装到 ${corpName}，并已绑定到你发起安装的工作区。请回到聊天中，机器人也已在那里通知你。`,
  ]);
}

export function pendingPage(res: ServerResponse): void {
  sendPage(res, 202, 'Installing / 正在安装', [
    'WeCom accepted the install; contactway is still finishing it. You will be told in your chat when it is bound.',
    '企业微信已接受安装，contactway 正在完成绑定，完成后会在聊天中通知你。',
  ]);
}

export function refusedPage(res: ServerResponse, reason: { en: string; zh: string }): void {
  sendPage(res, 400, 'This install link does not work / 安装链接无效', [
    reason.en,
    reason.zh,
    'Ask for a new link in your chat with /contactway install (admins). / 请管理员在聊天中运行 /contactway install 获取新链接。',
  ]);
}
