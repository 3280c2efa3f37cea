import {
  downloadFailedError,
  downloadForbiddenError,
  platformLink,
  readCapped,
} from '../../src/media/index.js';
import type { FetchedFile } from '../../src/ui/model.js';

/**
 * Downloads a `file_input` file (its `url_private_download`) with the bot token, which Slack requires in the
 * Authorization header. The token goes only to Slack's own file host (or the configured SLACK_API_URL's
 * origin, a test double): a submission naming another host never receives it.
 */
export function slackFileSource(options: {
  botToken: string;
  apiUrl?: string | undefined;
  fetch?: typeof fetch;
}) {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);

  return async (ref: string): Promise<FetchedFile> => {
    const url = platformLink(ref, { hosts: ['.slack.com'], apiUrl: options.apiUrl, what: 'Slack file link' });
    let response: Response;
    try {
      response = await doFetch(url, {
        headers: { authorization: `Bearer ${options.botToken}` },
        signal: AbortSignal.timeout(30_000),
        // Slack sends a token it does not accept to its login page: never follow that with the token.
        redirect: 'manual',
      });
    } catch (error) {
      throw downloadFailedError('Slack could not be reached', error);
    }
    // Without files:read Slack answers its sign-in page (a redirect, or HTML), never the file.
    const type = response.headers.get('content-type') ?? '';
    if (
      response.status === 401 ||
      response.status === 403 ||
      (response.status >= 300 && response.status < 400) ||
      type.startsWith('text/html')
    ) {
      throw downloadForbiddenError('the files:read permission (Slack scope)');
    }
    if (!response.ok) throw downloadFailedError(`Slack answered HTTP ${response.status}`);
    const name = decodeURIComponent(url.pathname.split('/').pop() ?? '') || 'image';
    return { ...(await readCapped(response)), name };
  };
}
