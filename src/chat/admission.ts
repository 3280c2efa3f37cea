import { errorReply } from '../../commands/index.js';
import type { Locale } from '../base/i18n.js';
import { say } from '../base/i18n.js';
import type { Logger } from '../base/logger.js';
import { type InFlight, RESTARTING, withRequestScope } from '../ops/index.js';
import type { BaseRequest, Surface } from './port.js';

/**
 * How long a delivery id is remembered. Slack accepts a signed request for 5 minutes after its timestamp;
 * the extra minutes cover our clock running behind the platform's.
 */
const REPLAY_WINDOW_MS = 10 * 60 * 1000;

/** Whether a request is taken at all: not while draining, and not twice. */
export interface Admission {
  /** Every request: refused while draining, else counted in flight with one requestId on its log lines. */
  accept(surface: () => Surface, locale: Locale, work: () => Promise<void>): Promise<void>;
  /**
   * False for a delivery already handled (a signed request replayed within its validity window): it is
   * acknowledged and dropped. With the store down the request is refused rather than run unguarded.
   */
  firstDelivery(request: BaseRequest, surface: Surface): Promise<boolean>;
}

export function createAdmission(deps: {
  requests: InFlight;
  /** Claims a delivery id once across instances (see createIdempotency). */
  replays: { claim(key: string, ttlMs: number): Promise<boolean> };
  logger: Logger;
}): Admission {
  const { requests, logger } = deps;
  return {
    async accept(surface, locale, work) {
      if (requests.draining) {
        logger.info('request refused: shutting down');
        await surface().decline(say(RESTARTING, locale));
        return;
      }
      await requests.track(() => withRequestScope(work));
    },

    async firstDelivery(request, surface) {
      if (!request.deliveryId) return true;
      const { platform, workspaceId } = request.actor;
      let first: boolean;
      try {
        first = await deps.replays.claim(
          `${platform}:${workspaceId}:${request.deliveryId}`,
          REPLAY_WINDOW_MS,
        );
      } catch (error) {
        logger.warn({ err: error }, 'replay check failed: request refused');
        await surface.reply(errorReply(error, request.locale));
        return false;
      }
      if (!first) {
        logger.warn({ replayOf: request.deliveryId }, 'replayed delivery dropped');
        await surface.defer();
      }
      return first;
    },
  };
}
