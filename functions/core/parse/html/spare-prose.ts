// Readability judges blocks by their class and id words ("widget", "media", "meta", "extra", "related"…): it strips
// them before scoring or removes them in its clean-up. Editors and page builders put such words on the wrappers of
// real prose (card grids, editor widgets, "media-body"). A block that is mostly prose loses those words first.
import { elementsOf } from './cleanup.ts';
import { collapsedLength, inComments, linkChars, proseLength } from './prose.ts';

/**
 * Mostly prose: at least 200 characters in paragraphs of sentence length (80+ characters, under 30% link text),
 * half the block's text or more, and few links overall (teaser lists of other stories have linked headlines).
 */
export function isProseBlock(el: Element): boolean {
  const len = collapsedLength(el);
  if (len < 200 || linkChars(el) >= len * 0.1 || inComments(el)) return false;
  let prose = 0;
  for (const p of paragraphsOf(el)) prose += proseLength(p);
  return prose >= 200 && prose >= len * 0.5;
}

// Blocks that hold a paragraph when they hold no other block (text laid out in bare <div>s).
const PARAGRAPH_LIKE = new Set(['DIV', 'SECTION', 'TD', 'LI', 'BLOCKQUOTE']);
const BLOCKS = new Set(['P', 'DIV', 'SECTION', 'ARTICLE', 'UL', 'OL', 'LI', 'TABLE', 'TR', 'TD', 'BLOCKQUOTE', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'FIGURE', 'PRE', 'HEADER', 'FOOTER', 'ASIDE', 'NAV', 'FORM', 'DL']);

/** Paragraphs under `el`: <p>, and bare blocks with inline content only. */
function* paragraphsOf(el: Element): Generator<Element> {
  for (const e of elementsOf(el)) {
    if (e.tagName === 'P') yield e;
    else if (PARAGRAPH_LIKE.has(e.tagName) && !Array.from(e.children).some((c) => BLOCKS.has(c.tagName))) yield e;
  }
}

// Words (matched inside class and id tokens, as class-weighing extractors do) that condemn a block by name.
const DISTRUSTED = /widget|media|meta|extra|supplemental|related|sidebar|banner|masthead|header|footer|promo|sponsor|share|social|tags|contact|scroll|shopping|hidden|popup|menu|pag(?:er|ination)/i;

/** Removes the distrusted words from the class and id of blocks that are mostly prose. Returns how many changed. */
export function spareProse(doc: Document): number {
  let changed = 0;
  if (!doc.body) return 0;
  for (const el of elementsOf(doc.body)) {
    const cls = el.getAttribute('class') ?? '';
    const id = el.getAttribute('id') ?? '';
    if (!DISTRUSTED.test(cls) && !DISTRUSTED.test(id)) continue;
    if (!isProseBlock(el)) continue;
    el.setAttribute('class', cls.split(/\s+/).filter((t) => t && !DISTRUSTED.test(t)).join(' '));
    if (DISTRUSTED.test(id)) el.removeAttribute('id');
    changed++;
  }
  return changed;
}
