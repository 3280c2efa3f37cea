import type { RunningAdapter } from '../../src/adapter.js';
import type { Core } from '../../src/app.js';

/** Starts the Slack adapter on the wired core. */
export async function startSlackAdapter(core: Core): Promise<RunningAdapter> {
  core.logger.error('the Slack adapter is not implemented yet');
  throw new Error('Slack adapter not implemented');
}
