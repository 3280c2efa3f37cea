import { downloadFailedError } from './errors.js';

/**
 * A file field's value as the platform's own link: an https URL on one of `hosts` (a host or `.suffix`), or on
 * the test double's origin (`apiUrl`). Anything else reaches nothing: refused as `what` before any request.
 */
export function platformLink(
  ref: string,
  options: { hosts: readonly string[]; apiUrl?: string | undefined; what: string },
): URL {
  let url: URL;
  try {
    url = new URL(ref);
  } catch {
    throw downloadFailedError(`not a ${options.what}`);
  }
  const onHost = options.hosts.some((h) =>
    h.startsWith('.') ? url.hostname.endsWith(h) : url.hostname === h,
  );
  const ours =
    (url.protocol === 'https:' && onHost) ||
    (options.apiUrl !== undefined && url.origin === new URL(options.apiUrl).origin);
  if (!ours) throw downloadFailedError(`not a ${options.what}`);
  return url;
}
