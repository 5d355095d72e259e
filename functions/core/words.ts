// What counts as a word, in one place: letters or digits, with inner apostrophes (don't, O’Brien): the matches of
// /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu, counted by a scanner instead of the regex (no match arrays).
import { LETTER, NUMBER, codePointClass, runEnd, runEndOutside } from './unicode.ts';

function isApostrophe(unit: number): boolean {
  return unit === 0x27 || unit === 0x2019;
}

/** Counts up to `max` and stops: cheap on huge texts when only a minimum matters. */
export function countWordsUpTo(text: string, max: number): number {
  let words = 0;
  for (let i = runEndOutside(text, 0, LETTER | NUMBER); i < text.length && words < max; i = runEndOutside(text, i, LETTER | NUMBER)) {
    words++;
    i = runEnd(text, i, LETTER | NUMBER);
    // Each apostrophe followed by letters continues the word (the regex's greedy group).
    while (i + 1 < text.length && isApostrophe(text.charCodeAt(i)) && codePointClass(text.codePointAt(i + 1)!) & LETTER) {
      i = runEnd(text, i + 1, LETTER);
    }
  }
  return words;
}

export function countWords(text: string): number {
  return countWordsUpTo(text, Infinity);
}

/**
 * Letters and digits only, NFKC lower-cased: the runs of \p{L} and \p{N} one space apart, as
 * `.match(/[\p{L}\p{N}]+/gu).join(' ')` gives them, found by a scanner. Spacing, quotes, dashes and punctuation
 * do not matter. The folded text itself when it is already that (plain words and single spaces): no join.
 */
export function wordKey(text: string): string {
  const folded = text.normalize('NFKC').toLowerCase();
  const words: string[] = [];
  let tidy = true;
  for (let i = 0; i < folded.length; ) {
    const end = runEnd(folded, i, LETTER | NUMBER);
    if (end > i) {
      words.push(folded.slice(i, end));
      i = end;
      continue;
    }
    const gap = i;
    i = runEndOutside(folded, i, LETTER | NUMBER);
    // Tidy so far if the gap is one plain space between two words.
    if (i - gap !== 1 || folded.charCodeAt(gap) !== 0x20 || gap === 0 || i === folded.length) tidy = false;
  }
  return tidy ? folded : words.join(' ');
}
