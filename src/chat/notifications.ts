import type { Reply } from '../../commands/types.js';
import type { Locale } from '../i18n.js';
import type { Logger } from '../logger.js';
import type { Requester } from '../store/index.js';
import type { Notifier } from './port.js';

/**
 * Routes a notification to the platform its requester came from. Each adapter registers its notifier when
 * it starts; a requester whose platform is not running here is logged, never an error for the caller
 * (an event processed by a Discord-only instance for a Slack requester, say).
 */
export interface Notifications {
  register(platform: string, notifier: Notifier): void;
  /** True when the requester's platform took the message. */
  notify(requester: Requester, build: (locale: Locale) => Reply): Promise<boolean>;
}

export function createNotifications(logger: Logger): Notifications {
  // Several per platform: two consoles on one core each reach only their own person.
  const byPlatform = new Map<string, Notifier[]>();
  return {
    register(platform, notifier) {
      byPlatform.set(platform, [...(byPlatform.get(platform) ?? []), notifier]);
    },
    async notify(requester, build) {
      const notifiers = byPlatform.get(requester.platform) ?? [];
      if (notifiers.length === 0) {
        logger.warn({ platform: requester.platform }, 'no adapter here reaches this requester');
        return false;
      }
      for (const notifier of notifiers) {
        try {
          if (await notifier.notify(requester, build)) return true;
        } catch (error) {
          logger.warn({ err: error, platform: requester.platform }, 'notification failed');
        }
      }
      return false;
    },
  };
}
