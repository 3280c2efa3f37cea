import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/**
 * Who may read the operations details (`/metrics`, the checks in `/readyz`) on PORT, the port Slack and
 * WeCom (so anyone) reach, when no OPS_PORT moves them to an internal port:
 *
 * - `granted`: METRICS_TOKEN is set and the request carries it as `Authorization: Bearer …`; or no token is
 *   set and the request comes straight from this host (see {@link isDirectLoopback}).
 * - `unauthorized` (401): METRICS_TOKEN is set and the request lacks it or carries another. Set, the token is
 *   required from loopback too: a reverse proxy on this host that adds no forwarding header would otherwise
 *   hand every outside request the loopback pass.
 * - `forbidden` (403): no token is set and the request is not directly from this host.
 */
export type OpsAccess = 'granted' | 'unauthorized' | 'forbidden';

export type OpsAccessCheck = (req: IncomingMessage) => OpsAccess;

export function createOpsAccess(options: { metricsToken?: string | undefined }): OpsAccessCheck {
  const { metricsToken } = options;
  if (metricsToken !== undefined) {
    const expected = digest(metricsToken);
    return (req) => {
      const given = bearerToken(req.headers.authorization);
      // Digests have one length whatever was sent, so the comparison takes the same time for any guess.
      return given !== undefined && timingSafeEqual(digest(given), expected) ? 'granted' : 'unauthorized';
    };
  }
  return (req) => (isDirectLoopback(req) ? 'granted' : 'forbidden');
}

/**
 * True when the request's TCP peer is this host and no proxy says it forwarded it. The socket's address is
 * the only thing trusted: a header can be written by anyone, so `X-Forwarded-For: 127.0.0.1` grants nothing,
 * and any forwarding header at all (`X-Forwarded-For`, `Forwarded`, `X-Real-IP`) means a proxy on this host
 * relayed someone else's request.
 */
export function isDirectLoopback(req: IncomingMessage): boolean {
  const forwarded = ['x-forwarded-for', 'forwarded', 'x-real-ip'].some(
    (name) => req.headers[name] !== undefined,
  );
  return !forwarded && isLoopbackAddress(req.socket.remoteAddress);
}

/**
 * 127.0.0.0/8 and `::1`, in any spelling Node may report a peer in (`::ffff:127.0.0.1` on a dual-stack
 * socket, `0:0:0:0:0:0:0:1`). Everything else, private ranges included, is not this host.
 */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  if (isIP(address) === 4) return address.startsWith('127.');
  if (isIP(address) !== 6) return false;
  // The URL parser writes IPv6 canonically: `[::1]`, and IPv4-mapped ones as `[::ffff:7f00:1]`. A scoped
  // address (`fe80::1%eth0`) is no URL host, hence canParse first.
  const host = URL.canParse(`http://[${address}]/`) ? new URL(`http://[${address}]/`).hostname : '';
  return host === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(host);
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return match?.[1];
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
