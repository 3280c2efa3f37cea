import { ContactwayError } from '../base/errors.js';
import type { Logger } from '../base/logger.js';
import type { CommandOutcome, Metrics } from './metrics.js';

/** How a run ended: the reply it produced (a Reply fits), or what it threw. */
export type CommandResult = { status: 'ok' | 'error' | 'info' } | { error: unknown };

/**
 * Sees every `runCommand`, whichever adapter called it: `start` as a run begins, the function it returns
 * once it ends. The core's observer counts and times runs and writes one log line per run.
 */
export interface CommandObserver {
  start(command: string): (result: CommandResult) => void;
}

const OUTCOME_BY_CODE: Record<string, CommandOutcome> = {
  validation: 'invalid',
  forbidden: 'denied',
  not_found: 'not_found',
  rate_limited: 'rate_limited',
};

/** The metric label for a result: a refusal is told apart from a failure by the error's stable code. */
export function outcomeOf(result: CommandResult): CommandOutcome {
  if (!('error' in result)) return result.status === 'error' ? 'error' : 'ok';
  const code = result.error instanceof ContactwayError ? result.error.code : undefined;
  return (code && OUTCOME_BY_CODE[code]) || 'error';
}

export function createCommandObserver(options: {
  metrics: Metrics;
  logger: Logger;
  now?: () => number;
}): CommandObserver {
  const now = options.now ?? performance.now.bind(performance);
  return {
    start(command) {
      const started = now();
      return (result) => {
        const ms = Math.round((now() - started) * 10) / 10;
        const outcome = outcomeOf(result);
        options.metrics.commandFinished({ command, outcome, ms });
        if (!('error' in result)) {
          options.logger.info({ command, outcome, ms }, 'command finished');
        } else if (result.error instanceof ContactwayError) {
          options.logger.info({ command, outcome, ms, code: result.error.code }, 'command finished');
        } else {
          // Not one of ours: the requester was told "it has been logged", so it is, with its stack.
          options.logger.error({ command, outcome, ms, err: result.error }, 'command failed unexpectedly');
        }
      };
    },
  };
}
