import { ConfigError } from '../base/errors.js';
import { t } from '../base/i18n.js';
import type { ChatAdapterModule } from '../chat/adapter-module.js';

/**
 * WORKERS above 1 with an adapter that cannot be one of several processes: a terminal (one person, one
 * stdin) or a platform that allows one connection per bot. The store and WeCom are checked with the other
 * variables (src/config.ts); this needs the adapters that were chosen. Undefined when the fleet may run.
 */
export function workersAdapterRefusal(
  workers: number,
  modules: readonly Pick<ChatAdapterModule, 'platform' | 'terminal' | 'oneConnection'>[],
): ConfigError | undefined {
  if (workers <= 1) return undefined;
  const terminal = modules.find((m) => m.terminal);
  if (terminal)
    return new ConfigError(
      t(
        `Invalid configuration: WORKERS must be 1 with the ${terminal.platform} adapter: it runs in this terminal, in one process`,
        `配置有误：WORKERS 在 ${terminal.platform} 适配器下须为 1：它运行在本终端的单个进程中`,
      ),
    );
  const single = modules.find((m) => m.oneConnection);
  if (single)
    return new ConfigError(
      t(
        `Invalid configuration: WORKERS must be 1 with ${single.platform}: the bot may hold one connection to it, and each process would open its own`,
        `配置有误：使用 ${single.platform} 时 WORKERS 须为 1：机器人只能保持一个连接，而每个进程都会各开一个`,
      ),
    );
  return undefined;
}
