/**
 * The human log format: one line per event for a person at a terminal (`warning: …`, `error: … (code)`),
 * made from the JSON line pino serialized, so every redaction and scrub already happened. No stack unless
 * asked (`stacks`): a person reads the message and the code; the stack is for whoever debugs.
 */

const LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warning',
  50: 'error',
  60: 'fatal',
};

/** Fields every line carries, or that the line shows in its own way. */
const SHOWN_APART = new Set(['level', 'time', 'pid', 'hostname', 'app', 'msg', 'err', 'error']);
const MAX_VALUE_CHARS = 120;

export interface HumanLineOptions {
  /** Add the error's stack (LOG_LEVEL=debug or trace). */
  stacks: boolean;
}

/** One serialized pino line as a human line (with its newline); a line that is not JSON passes as it is. */
export function humanLine(json: string, options: HumanLineOptions): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const level = LEVELS[Number(entry.level)] ?? 'log';
  const error = asError(entry.err ?? entry.error);
  const parts = [typeof entry.msg === 'string' ? entry.msg : ''];
  if (error) parts.push(errorText(error));
  const head = parts.filter(Boolean).join(': ');
  const extra = Object.entries(entry)
    .filter(([key, value]) => !SHOWN_APART.has(key) && isScalar(value))
    .map(([key, value]) => `${key}=${shorten(String(value))}`);
  const line = `${level}: ${head}${extra.length > 0 ? ` [${extra.join(' ')}]` : ''}`;
  const stack = options.stacks && error && typeof error.stack === 'string' ? `\n${error.stack}` : '';
  return `${line}${stack}\n`;
}

function asError(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
}

/** `message (code)`: the code is what to search the docs (or WeCom's errcode list) for. */
function errorText(error: Record<string, unknown>): string {
  const message = typeof error.message === 'string' ? error.message : String(error.type ?? 'error');
  const code = error.code ?? error.errcode;
  return code === undefined || code === null ? message : `${message} (${String(code)})`;
}

function isScalar(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function shorten(text: string): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > MAX_VALUE_CHARS ? `${one.slice(0, MAX_VALUE_CHARS)}…` : one;
}
