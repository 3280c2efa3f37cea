/**
 * What the store needs from a logger: a warning with structured details. pino's `Logger` fits, so does
 * `console`-like test doubles. Optional everywhere: a missing logger only means the warning is not written.
 */
export interface StoreLogger {
  warn(details: Record<string, unknown>, message: string): void;
}
