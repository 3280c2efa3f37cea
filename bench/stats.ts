/** Nearest-rank percentile of `values` (0 < p <= 100); undefined for an empty list. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** `value / floor`, rounded to two decimals; undefined when either side is missing or the floor is 0. */
export function ratio(value: number | undefined, floor: number | undefined): number | undefined {
  if (value === undefined || floor === undefined || floor === 0) return undefined;
  return Math.round((value / floor) * 100) / 100;
}

export function round(value: number | undefined, digits = 1): number | undefined {
  if (value === undefined) return undefined;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The median of the known values (lower middle for an even count); undefined when none is known. */
export function median(values: readonly (number | undefined)[]): number | undefined {
  const known = values.filter((v): v is number => v !== undefined);
  return percentile(known, 50);
}
