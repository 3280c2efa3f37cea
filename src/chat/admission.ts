import { errorReply } from '../../commands/index.js';
import type { Locale } from '../base/i18n.js';
import { say } from '../base/i18n.js';
import type { Logger } from '../base/logger.js';
import { type InFlight, RESTARTING, withRequestScope } from '../ops/index.js';
import type { BaseRequest, Surface } from './port.js';
import { createRecentlySeen } from './recently-seen.js';

/**
 * How long a delivery id is remembered. Slack accepts a signed request for 5 minutes after its timestamp;
 * the extra minutes cover our clock running behind the platform's.
 */
export const REPLAY_WINDOW_MS = 10 * 60 * 1000;

/**
 * A delivery seen for the first time by this instance. The store's claim (across instances) runs meanwhile:
 * a form opens and a command is acknowledged without waiting on it, but nothing runs before `confirm`.
 */
export interface Delivery {
  /**
   * True once the store says no other instance has it. False for a duplicate (dropped: acknowledged and
   * logged) or a failed claim (refused: the store's error said). `formOpen`: a form was the first answer,
   * so a refusal replaces it and a duplicate's form is left alone (its submission creates at most once).
   */
  confirm(options?: { formOpen?: boolean }): Promise<boolean>;
}

/** Whether a request is taken at all: not while draining, and not twice. */
export interface Admission {
  /** Every request: refused while draining, else counted in flight with one requestId on its log lines. */
  accept(surface: () => Surface, locale: Locale, work: () => Promise<void>): Promise<void>;
  /**
   * Undefined for a delivery this instance has already seen (a signed request replayed within its
   * validity window): it is acknowledged and dropped at once, without the store. Otherwise the delivery,
   * its store claim started.
   */
  firstDelivery(request: BaseRequest, surface: Surface): Promise<Delivery | undefined>;
}

const FIRST: Delivery = { confirm: async () => true };

export function createAdmission(deps: {
  requests: InFlight;
  /** Claims a delivery id once across instances (see createIdempotency). */
  replays: { claim(key: string, ttlMs: number): Promise<boolean> };
  logger: Logger;
}): Admission {
  const { requests, logger } = deps;
  const seen = createRecentlySeen(REPLAY_WINDOW_MS);

  const dropped = async (request: BaseRequest, surface: Surface) => {
    logger.warn({ replayOf: request.deliveryId }, 'replayed delivery dropped');
    await surface.defer();
  };

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
      if (!request.deliveryId) return FIRST;
      const { platform, workspaceId } = request.actor;
      const key = `${platform}:${workspaceId}:${request.deliveryId}`;
      // Before any await, so two copies arriving together on this instance cannot both pass.
      if (!seen.add(key)) {
        await dropped(request, surface);
        return undefined;
      }
      // Settled into a value at once: a path that never asks (an early refusal) leaves no unhandled rejection.
      const claimed = deps.replays.claim(key, REPLAY_WINDOW_MS).then(
        (first) => ({ first }),
        (error: unknown) => ({ error }),
      );
      let verdict: Promise<boolean> | undefined;
      return {
        confirm(options) {
          verdict ??= claimed.then(async (outcome) => {
            if ('first' in outcome && outcome.first) return true;
            if ('error' in outcome) {
              logger.warn({ err: outcome.error }, 'replay check failed: request refused');
              const reply = errorReply(outcome.error, request.locale);
              if (options?.formOpen) await surface.update({ reply });
              else await surface.reply(reply);
              return false;
            }
            if (options?.formOpen) {
              logger.warn(
                { replayOf: request.deliveryId },
                'replayed delivery: its form left to its own submission',
              );
              return false;
            }
            await dropped(request, surface);
            return false;
          });
          return verdict;
        },
      };
    },
  };
}
