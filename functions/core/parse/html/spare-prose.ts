// A guard on Readability's "clean conditionally" pass: it drops blocks of the chosen article that look fishy by
// counts (images per paragraph, list items, class words such as "widget"), and so drops real prose laid out in
// card grids, tables of sections or editor widgets. Blocks that are mostly prose are spared.
import type { Readability } from '@mozilla/readability';

const collapsedLength = (el: Element) => (el.textContent ?? '').replace(/\s+/g, ' ').trim().length;

function linkChars(el: Element): number {
  let n = 0;
  for (const a of Array.from(el.getElementsByTagName('a'))) n += collapsedLength(a);
  return n;
}

// Comment threads are prose too, but not the article.
const COMMENTS = /(?:^|[\s_-])(?:comments?|repl(?:y|ies)|respond|discussion)(?:$|[\s_-])/i;

export function inComments(el: Element): boolean {
  for (let e: Element | null = el; e; e = e.parentElement) {
    if (COMMENTS.test(`${e.getAttribute('class') ?? ''} ${e.getAttribute('id') ?? ''}`)) return true;
  }
  return false;
}

/**
 * Mostly prose: at least 200 characters in paragraphs of sentence length (80+ characters, under 30% link text),
 * half the block's text or more, and few links overall (teaser lists of other stories have linked headlines).
 */
export function isProseBlock(el: Element): boolean {
  const len = collapsedLength(el);
  if (len < 200 || linkChars(el) >= len * 0.1 || inComments(el)) return false;
  let prose = 0;
  for (const p of Array.from(el.getElementsByTagName('p'))) {
    const n = collapsedLength(p);
    if (n >= 80 && linkChars(p) < n * 0.3) prose += n;
  }
  return prose >= 200 && prose >= len * 0.5;
}

type RemoveFilter = (this: unknown, node: Element, i: number, list: ArrayLike<Element>) => boolean;
interface ReadabilityInternals {
  _cleanConditionally(e: Element, tag: string): void;
  _removeNodes(list: ArrayLike<Element>, filter?: RemoveFilter): void;
}

/**
 * Makes `reader` keep prose blocks that its conditional clean-up would remove. Readability 0.6 removes them in
 * `_cleanConditionally` through `_removeNodes(nodes, filter)`: the filter gets a veto. Without those internals
 * (another Readability version) this does nothing.
 */
export function spareProse(reader: Readability<Node>): void {
  const r = reader as unknown as Partial<ReadabilityInternals>;
  if (typeof r._cleanConditionally !== 'function' || typeof r._removeNodes !== 'function') return;
  const clean = r._cleanConditionally.bind(r);
  const remove = r._removeNodes.bind(r);
  r._cleanConditionally = (e: Element, tag: string) => {
    r._removeNodes = (list, filter) => remove(list, filter && function (this: unknown, node, i, l) {
      return filter.call(this, node, i, l) && !isProseBlock(node);
    });
    try {
      clean(e, tag);
    } finally {
      r._removeNodes = remove;
    }
  };
}
