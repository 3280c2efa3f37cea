import pino, { type DestinationStream, type Logger } from 'pino';
import { humanLine } from './log-lines.js';
import { requestLogFields } from './request-scope.js';
import { REDACTED, type Secrets } from './secrets.js';

export type { Logger } from 'pino';

/**
 * Credentials must never reach a log line, whatever shape they arrive in: as a field (`secret`, `token`),
 * inside a URL (`?access_token=…`, `corpsecret=…`) or inside an error message. Field names are redacted by
 * pino; strings are scrubbed by `redactText` on every value before it is written.
 */
const SECRET_KEYS =
  /^(access_?token|corp_?secret|secret|token|signing_?secret|app_?token|bot_?token|authorization|password)$/i;
const SECRET_IN_TEXT =
  /((?:access_token|corpsecret|suite_access_token|provider_access_token|permanent_code)=)[^&\s"']+/gi;
const CHAT_APP_TOKEN = /xox[abposr]-[0-9A-Za-z-]+|xapp-[0-9A-Za-z-]+/g;
const BEARER = /(Bearer|Bot)\s+[A-Za-z0-9._-]{8,}/g;

export { REDACTED };

/** Scrubs credentials out of free text (URLs, error messages). */
export function redactText(text: string): string {
  return text
    .replace(SECRET_IN_TEXT, `$1${REDACTED}`)
    .replace(CHAT_APP_TOKEN, REDACTED)
    .replace(BEARER, `$1 ${REDACTED}`);
}

/** Deep-copies a log value with secret fields removed and secret-looking text scrubbed. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (value instanceof Error) return redactValue(serializeError(value), depth + 1);
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value))
    out[key] = SECRET_KEYS.test(key) ? REDACTED : redactValue(v, depth + 1);
  return out;
}

function serializeError(error: Error): Record<string, unknown> {
  const json =
    typeof (error as { toJSON?: unknown }).toJSON === 'function'
      ? (error as unknown as { toJSON(): object }).toJSON()
      : {};
  return {
    type: error.name,
    message: error.message,
    ...json,
    stack: error.stack,
    ...(error.cause !== undefined ? { cause: error.cause } : {}),
  };
}

export interface LoggerOptions {
  level?: string;
  /** Where lines go; stdout by default. Tests pass a stream to capture every line. */
  destination?: DestinationStream;
  /**
   * Credential values cut out of every serialized line, whatever field (an echoed errmsg, an error's
   * detail, a nested cause) carries them. Values added later (access tokens) count from then on.
   */
  secrets?: Secrets;
  /**
   * `json` (default): one JSON object per line, for machines. `pretty`: one human line per event for a
   * person at a terminal (src/log-lines.ts), its stack only at debug or trace.
   */
  format?: LogFormat;
}

export type LogFormat = 'json' | 'pretty';

/** Structured logs, one line per event, with credentials scrubbed and the request id added. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  return pino(
    {
      level,
      base: { app: 'contactway' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Lines written while a chat request is handled carry its requestId (see withRequestScope).
      mixin: requestLogFields,
      formatters: { log: (object) => redactValue(object) as Record<string, unknown> },
      hooks: {
        logMethod(args, method) {
          // The message string itself may carry a URL with a token.
          const scrubbed = args.map((a) => (typeof a === 'string' ? redactText(a) : a)) as Parameters<
            typeof method
          >;
          method.apply(this, scrubbed);
        },
        // The last step before the destination: the whole line, every field and every nesting at once. The
        // human line is made from the scrubbed one, so it can carry nothing the JSON line would not.
        ...streamWrite(options.secrets, options.format === 'pretty', level === 'debug' || level === 'trace'),
      },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}

function streamWrite(
  secrets: Secrets | undefined,
  pretty: boolean,
  stacks: boolean,
): { streamWrite?: (line: string) => string } {
  if (!pretty) return secrets ? { streamWrite: secrets.scrub } : {};
  return { streamWrite: (line) => humanLine(secrets ? secrets.scrub(line) : line, { stacks }) };
}

/** A logger that writes nothing (benchmarks' floor, quiet unit tests). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
