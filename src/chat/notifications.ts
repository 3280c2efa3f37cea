import type { Logger } from '../base/logger.js';
import type { Viewer } from '../base/time.js';
import type { Requester } from '../store/index.js';
import type { Reply } from '../ui/model.js';
import type { Notifier } from './port.js';

/**
 * Routes a notification to the platform its requester came from. Each adapter registers its notifier when
 * it starts; a requester whose platform is not running here is logged, never an error for the caller
 * (an event processed by a Discord-only instance for a Slack requester, say).
 */
export interface Notifications {
  register(platform: string, notifier: Notifier): void;
  /**
   * True when the requester's platform took the message. `remembered`: the language and zone the requester
   * used when they made what this is about; a platform that can ask the person's own (Slack) may prefer those.
   */
  notify(requester: Requester, build: (viewer: Viewer) => Reply, remembered: Viewer): Promise<boolean>;
}

export function createNotifications(logger: Logger): Notifications {
  // Several per platform: two consoles on one core each reach only their own person.
  const byPlatform = new Map<string, Notifier[]>();
  return {
    register(platform, notifier) {
      byPlatform.set(platform, [...(byPlatform.get(platform) ?? []), notifier]);
    },
    async notify(requester, build, remembered) {
      for (const notifier of byPlatform.get(requester.platform) ?? []) {
        try {
          if (await notifier.notify(requester, async (viewer) => build(viewer), remembered)) return true;
        } catch (error) {
          logger.warn({ err: error, platform: requester.platform }, 'notification failed');
        }
      }
      // Not delivered (that platform does not run here, or it could not reach them): the log keeps the
      // English headline, so an admin can still see what the requester missed. Ids only, no customer data.
      const { title, configId } = build({ locale: 'en', timeZone: 'UTC' });
      logger.warn(
        { platform: requester.platform, configId },
        `notification not delivered: no adapter here reached the requester (notification: ${title})`,
      );
      return false;
    },
  };
}
