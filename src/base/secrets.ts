/**
 * The credential values this process holds (the corp secret, the callback Token and EncodingAESKey, chat
 * tokens, a store password, the access tokens it fetched), so that any text about to leave the process — a
 * log line, an error's message or detail — can have them cut out whatever field they hide in. Patterns
 * (`access_token=…`, `xoxb-…`, see logger.ts) catch the shapes we know; this catches what an upstream or a
 * proxy echoes back without a recognisable shape.
 */
export interface Secrets {
  /** Configured values: kept for the life of the process. Empty and too-short values are ignored. */
  add(...values: readonly (string | undefined)[]): void;
  /** A value obtained at runtime (an access token): kept among the most recent few. */
  remember(value: string): void;
  /** The text with every known value (and its JSON- and URL-encoded forms) replaced by `[redacted]`. */
  scrub(text: string): string;
}

export const REDACTED = '[redacted]';

/**
 * Shorter values would cut ordinary words out of every line (WeCom allows a 3-letter callback Token); the
 * consoles generate 32-character Tokens and 43-character keys, and every other credential is longer.
 */
const MIN_LENGTH = 8;

/** Access tokens live two hours: a bounded set keeps the pattern small for a process that runs for months. */
const RECENT_RUNTIME_VALUES = 16;

export function createSecrets(...values: readonly (string | undefined)[]): Secrets {
  const fixed = new Set<string>();
  const recent: string[] = [];
  let pattern: RegExp | undefined;

  const rebuild = () => {
    const forms = new Set<string>();
    for (const value of [...fixed, ...recent]) for (const form of encodings(value)) forms.add(form);
    // Longest first, so a value that contains another is cut whole.
    const sorted = [...forms].sort((a, b) => b.length - a.length);
    pattern = sorted.length > 0 ? new RegExp(sorted.map(escapeRegExp).join('|'), 'g') : undefined;
  };

  const secrets: Secrets = {
    add(...more) {
      const before = fixed.size;
      for (const value of more) if (value && value.length >= MIN_LENGTH) fixed.add(value);
      if (fixed.size !== before) rebuild();
    },
    remember(value) {
      if (value.length < MIN_LENGTH || fixed.has(value) || recent.includes(value)) return;
      recent.push(value);
      if (recent.length > RECENT_RUNTIME_VALUES) recent.shift();
      rebuild();
    },
    scrub(text) {
      return pattern ? text.replace(pattern, REDACTED) : text;
    },
  };
  secrets.add(...values);
  return secrets;
}

/** The password of a store URL (`redis://:pw@host`, `postgres://user:pw@host/db`), raw and decoded. */
export function urlPassword(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const password = new URL(url).password;
    if (!password) return [];
    return [password, safeDecode(password)];
  } catch {
    return [];
  }
}

/** As the value may appear: raw, inside a JSON string (a log line) and percent-encoded (a URL). */
function encodings(value: string): string[] {
  return [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
