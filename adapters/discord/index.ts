import type { RunningAdapter } from '../../src/adapter.js';
import type { Core } from '../../src/app.js';

/** Starts the Discord adapter on the wired core. */
export async function startDiscordAdapter(core: Core): Promise<RunningAdapter> {
  core.logger.error('the Discord adapter is not implemented yet');
  throw new Error('Discord adapter not implemented');
}
