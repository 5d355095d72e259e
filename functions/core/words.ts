// What counts as a word, in one place: letters or digits, with inner apostrophes (don't, O’Brien): the matches of
// /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu, counted by a scanner instead of the regex (no match arrays).
import { LETTER, NUMBER, codePointClass, runEnd, unitsOf } from './unicode.ts';

function isApostrophe(unit: number): boolean {
  return unit === 0x27 || unit === 0x2019;
}

/** Counts up to `max` and stops: cheap on huge texts when only a minimum matters. */
export function countWordsUpTo(text: string, max: number): number {
  let words = 0;
  for (let i = 0; i < text.length && words < max; ) {
    const cp = text.codePointAt(i)!;
    if (!(codePointClass(cp) & (LETTER | NUMBER))) {
      i += unitsOf(cp);
      continue;
    }
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
