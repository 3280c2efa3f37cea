import type { ChatAdapterModule } from '../src/chat/adapter-module.js';
import { consoleAdapter } from './console/module.js';
import { discordAdapter } from './discord/module.js';
import { slackAdapter } from './slack/module.js';

/**
 * Every chat platform this build knows, started in this order when configured (the console only when
 * none is). A new platform is a folder beside these and one line here; src/main.ts and the boundary test
 * read this list.
 */
export const ADAPTERS: readonly ChatAdapterModule[] = [consoleAdapter, slackAdapter, discordAdapter];
