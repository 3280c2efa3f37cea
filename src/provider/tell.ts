import { say } from '../base/i18n.js';
import type { Viewer } from '../base/time.js';
import type { Requester } from '../store/record-schema.js';
import type { Reply } from '../ui/model.js';
import type { Tell } from './installs.js';

/** Tell, through the notifiers the adapters register (the path the callbacks notify requesters by). */
export function tellThrough(
  notify: (requester: Requester, build: (viewer: Viewer) => Reply, remembered: Viewer) => Promise<boolean>,
  timeZone: string,
): Tell {
  return async (requester, message, locale) => {
    await notify(
      requester,
      (viewer) => ({
        status: message.status,
        title: say(message.title, viewer.locale),
        text: message.body.map((line) => say(line, viewer.locale)).join('\n'),
        facts: [],
        actions: [],
      }),
      { locale, timeZone },
    );
  };
}
