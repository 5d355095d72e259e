// Two non-negative integers packed in one double, first * 2^26 + second: a pair costs no object, and
// packed pairs sort natively (Float64Array.sort) in (first, second) order. Exact while
// first < 2^27 and second < 2^26 (the product stays within the 2^53 integers a double holds);
// callers keep to it (articles per batch are capped at 2^21, see candidatePairs).
export const PAIR_SCALE = 67108864;

export function packPair(first: number, second: number): number {
  return first * PAIR_SCALE + second;
}

/** An unordered pair, smaller index first. */
export function packUnordered(a: number, b: number): number {
  return a < b ? a * PAIR_SCALE + b : b * PAIR_SCALE + a;
}

export function pairFirst(p: number): number {
  return Math.floor(p / PAIR_SCALE);
}

export function pairSecond(p: number): number {
  return p - Math.floor(p / PAIR_SCALE) * PAIR_SCALE;
}
