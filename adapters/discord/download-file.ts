import {
  downloadExpiredError,
  downloadFailedError,
  platformLink,
  readCapped,
} from '../../src/media/index.js';
import type { FetchedFile } from '../../src/ui/model.js';

/** Discord's attachment hosts; anything else is not an attachment and is never fetched. */
const CDN_HOSTS = ['cdn.discordapp.com', 'media.discordapp.net'];

/**
 * Downloads an `image:` attachment from its signed CDN link (`?ex=&is=&hm=`, about a day), at submit time. No
 * credential is sent; only Discord's CDN (or DISCORD_API_URL's origin, a test double) is fetched, so a value
 * naming another host reaches nothing. An expired or revoked link answers 403/404: said as "attach it again".
 */
export function discordFileSource(options: { apiUrl?: string | undefined; fetch?: typeof fetch }) {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);

  return async (ref: string): Promise<FetchedFile> => {
    const url = platformLink(ref, {
      hosts: CDN_HOSTS,
      apiUrl: options.apiUrl,
      what: 'Discord attachment link',
    });
    // The link's own expiry (hex seconds) tells an old link from a broken one before any request.
    const ex = url.searchParams.get('ex');
    if (ex && /^[0-9a-f]+$/i.test(ex) && Number.parseInt(ex, 16) * 1000 <= Date.now())
      throw downloadExpiredError();
    let response: Response;
    try {
      response = await doFetch(url, { signal: AbortSignal.timeout(30_000), redirect: 'error' });
    } catch (error) {
      throw downloadFailedError('Discord could not be reached', error);
    }
    if (response.status === 403 || response.status === 404 || response.status === 410)
      throw downloadExpiredError();
    if (!response.ok) throw downloadFailedError(`Discord answered HTTP ${response.status}`);
    const name = decodeURIComponent(url.pathname.split('/').pop() ?? '') || 'image';
    return { ...(await readCapped(response)), name };
  };
}
