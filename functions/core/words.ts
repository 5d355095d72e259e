// What counts as a word, in one place: letters or digits, with inner apostrophes (don't, O’Brien).
const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

export function countWords(text: string): number {
  return text.match(WORD)?.length ?? 0;
}

/** Counts up to `max` and stops: cheap on huge texts when only a minimum matters. */
export function countWordsUpTo(text: string, max: number): number {
  const re = new RegExp(WORD.source, WORD.flags);
  let n = 0;
  while (n < max && re.exec(text)) n++;
  return n;
}
