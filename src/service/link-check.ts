import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { type FieldIssue, ValidationError } from '../base/errors.js';
import { t } from '../base/i18n.js';

/**
 * LINK_CHECK: `public` (default with a real WeCom) opens a card's link before WeCom gets it and refuses hosts on
 * private addresses; `any` (tests, an intranet deployment) also opens private ones; `off` (the sandbox's default:
 * a demo may run offline) checks nothing.
 */
export type LinkCheckMode = 'off' | 'public' | 'any';

/** A link a requester gave a card: the URL and the form field it came from. */
export interface GivenLink {
  url: string;
  field: string;
}

export type LinkChecker = (links: readonly GivenLink[]) => Promise<void>;

/** Loopback, private, link-local, CGNAT and unique-local ranges: never fetched on a requester's word (SSRF). */
const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
] as const)
  PRIVATE.addSubnet(net, prefix, 'ipv6');

const isPrivate = (address: string) => {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return PRIVATE.check(mapped, 'ipv4');
  return PRIVATE.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
};

/**
 * Opens each link once (HEAD, then GET where HEAD is not allowed), without following redirects and within
 * `timeoutMs`, so a card never sends customers to a link that does not answer or is not there. A redirect, a
 * login wall (401/403) or any 2xx counts as reachable: the customer's browser gets somewhere real.
 */
export function createLinkChecker(options: {
  mode: LinkCheckMode;
  timeoutMs?: number;
  fetch?: typeof fetch;
}): LinkChecker {
  const { mode } = options;
  const timeoutMs = options.timeoutMs ?? 5000;
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);

  async function problem(url: URL): Promise<{ en: string; zh: string } | undefined> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    let addresses: string[];
    try {
      addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
    } catch {
      return t(`${url.host} does not exist (no DNS record)`, `${url.host} 不存在（无 DNS 记录）`);
    }
    if (mode === 'public' && addresses.some(isPrivate)) {
      return t(
        `${url.host} is a private address customers cannot open`,
        `${url.host} 是客户无法访问的内网地址`,
      );
    }
    const open = (method: 'HEAD' | 'GET') =>
      doFetch(url, { method, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    let response: Response;
    try {
      response = await open('HEAD');
      if (response.status === 405 || response.status === 501) response = await open('GET');
      await response.body?.cancel().catch(() => undefined);
    } catch {
      return t(
        `${url.host} could not be reached within ${timeoutMs / 1000} s`,
        `${timeoutMs / 1000} 秒内无法访问 ${url.host}`,
      );
    }
    if (response.status === 404 || response.status === 410)
      return t(`is not there (HTTP ${response.status})`, `链接不存在（HTTP ${response.status}）`);
    if (response.status >= 500)
      return t(`answered HTTP ${response.status}`, `链接返回 HTTP ${response.status}`);
    return undefined;
  }

  return async (links) => {
    if (mode === 'off' || links.length === 0) return;
    const issues: FieldIssue[] = [];
    await Promise.all(
      links.map(async ({ url, field }) => {
        const why = await problem(new URL(url));
        if (!why) return;
        issues.push({
          field,
          message: t(
            `the link ${url} does not work for customers: ${why.en}`,
            `链接 ${url} 客户无法打开：${why.zh}`,
          ),
        });
      }),
    );
    if (issues.length > 0) throw new ValidationError(issues);
  };
}
