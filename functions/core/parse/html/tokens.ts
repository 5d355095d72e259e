// Word tokens as the scorers count them (runs of letters, digits and `_`, lower-cased), and bag overlap.
const WORD = /[\p{L}\p{N}_]+/gu;

export const tokens = (s: string): string[] => s.toLowerCase().match(WORD) ?? [];

/** Share of `part`'s tokens (counted with repeats) that `whole` holds too. */
export function containment(part: string[], whole: string[]): number {
  const have = new Map<string, number>();
  for (const w of whole) have.set(w, (have.get(w) ?? 0) + 1);
  let hit = 0;
  for (const w of part) {
    const n = have.get(w) ?? 0;
    if (n > 0) { hit++; have.set(w, n - 1); }
  }
  return part.length ? hit / part.length : 0;
}
