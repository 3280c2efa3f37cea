import { type Logger as BoltLogger, LogLevel } from '@slack/bolt';
import type { Logger } from '../../src/base/logger.js';

/**
 * Bolt's and the WebClient's logs through our pino logger, so they are JSON, redacted (tokens) and at the
 * level LOG_LEVEL says. Bolt logs verification failures at warn and everything else it does at debug.
 */
export function boltLogger(base: Logger): BoltLogger {
  const logger = base.child({ component: 'slack' });
  const write =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...msgs: unknown[]) => {
      const [first, ...rest] = msgs;
      if (first instanceof Error) logger[level]({ err: first }, rest.map(String).join(' ') || first.message);
      else logger[level](msgs.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' '));
    };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    // Our level is LOG_LEVEL; Bolt may ask to change it, which we do not let it.
    setLevel: () => {},
    getLevel: () => toBoltLevel(logger.level),
    setName: () => {},
  };
}

function toBoltLevel(level: string): LogLevel {
  if (level === 'debug' || level === 'trace') return LogLevel.DEBUG;
  if (level === 'info') return LogLevel.INFO;
  if (level === 'warn') return LogLevel.WARN;
  return LogLevel.ERROR;
}
