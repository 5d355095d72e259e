// What counts as prose on a page: paragraphs of sentence length that are mostly not links, outside comment threads.
// The pre-clean, the class-word step and the fragment survey all measure prose this one way.
import { collapse } from './text.ts';

/** Characters a paragraph needs to be of sentence length. */
export const PROSE_PARAGRAPH = 80;

export const collapsedLength = (el: Element) => collapse(el.textContent ?? '').length;

/** Characters of `el`'s text inside links. */
export function linkChars(el: Element): number {
  let n = 0;
  for (const a of Array.from(el.getElementsByTagName('a'))) n += collapsedLength(a);
  return n;
}

/** The paragraph's length when it is prose (sentence length, under 30% of it in links), else 0. */
export function proseLength(p: Element): number {
  const n = collapsedLength(p);
  return n >= PROSE_PARAGRAPH && linkChars(p) < n * 0.3 ? n : 0;
}

// Comment threads are prose too, but not the article.
const COMMENTS = /(?:^|[\s_-])(?:comments?|repl(?:y|ies)|respond|discussion)(?:$|[\s_-])/i;

/** Inside a comment thread? `memo` caches the answer per element when many elements of one page are asked. */
export function inComments(el: Element, memo?: Map<Element, boolean>): boolean {
  const cached = memo?.get(el);
  if (cached !== undefined) return cached;
  const own = COMMENTS.test(`${el.getAttribute('class') ?? ''} ${el.getAttribute('id') ?? ''}`);
  const answer = own || (el.parentElement ? inComments(el.parentElement, memo) : false);
  memo?.set(el, answer);
  return answer;
}
