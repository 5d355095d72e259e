// The densest text block: the container whose own running text is longest and least linked. "Own" text is what
// sits directly in the element, in text nodes and inline children (<font>, <b>, <span>…) between block boundaries
// and <br>s, so it finds articles without <p>: text in table cells, paragraphs split by <br>, bare inline runs.
import { type Block, toBlocks } from './text.ts';

// Elements that end a run of inline text (table cells and list items included).
const BLOCK = new Set([
  'P', 'DIV', 'SECTION', 'ARTICLE', 'MAIN', 'HEADER', 'FOOTER', 'ASIDE', 'NAV', 'FORM', 'FIELDSET', 'ADDRESS', 'CENTER',
  'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'HGROUP', 'LI', 'UL', 'OL', 'DL', 'DT', 'DD', 'BLOCKQUOTE', 'PRE', 'HR',
  'TABLE', 'THEAD', 'TBODY', 'TFOOT', 'TR', 'TD', 'TH', 'CAPTION', 'FIGURE', 'FIGCAPTION', 'DETAILS', 'SUMMARY', 'BODY', 'HTML',
]);
// Paragraph-like blocks: their text counts for the container around them, not for themselves.
const PARAGRAPH = new Set(['P', 'PRE', 'BLOCKQUOTE', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'LI', 'DD', 'DT']);
// Never article text: skipped with everything inside.
const SKIP = new Set([
  'SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'SVG', 'MATH', 'BUTTON', 'SELECT', 'TEXTAREA', 'HEAD', 'TITLE', 'IFRAME', 'OBJECT',
  'CANVAS', 'NAV', 'ASIDE', 'FOOTER', 'FIGCAPTION',
]);
const NAV_ROLE = /^(?:navigation|complementary|contentinfo|search|menu|menubar|banner|toolbar)$/i;
/** A run shorter than this (a menu entry, a label) says nothing about where the article is. */
const MIN_RUN = 25;

interface Stat {
  el: Element;
  parent: Stat | null;
  /** Non-link characters of the element's own substantial runs. */
  own: number;
  /** Characters and link characters of all text below (for the link density of a candidate). */
  chars: number;
  linkChars: number;
  credit: number;
  /** Own non-link characters of all blocks below, itself included. */
  ownBelow: number;
}

// A comments section: its own tokens ("commentlist", "comments-area", "wpd-comments-wrap"), never an open/closed state
// class that themes put on the article itself ("comments-open").
const COMMENTS = /^(?:[\w-]*[-_])?comments?(?:list|[-_](?!open$|closed$)[\w-]+)?$/i;

/** A readers' comments section: prose, few links, and never the article. */
export function isComments(el: Element): boolean {
  const tag = el.tagName;
  if (tag === 'BODY' || tag === 'HTML' || tag === 'ARTICLE' || tag === 'MAIN') return false;
  const names = `${el.getAttribute('id') ?? ''} ${el.getAttribute('class') ?? ''}`;
  return names.includes('omment') && names.split(/\s+/).some((t) => COMMENTS.test(t));
}

function hidden(el: Element): boolean {
  if (el.hasAttribute('hidden') || el.getAttribute('aria-hidden') === 'true') return true;
  const role = el.getAttribute('role');
  if (role && NAV_ROLE.test(role)) return true;
  const style = el.getAttribute('style');
  return style !== null && /display\s*:\s*none/i.test(style);
}

/** One walk: every block's own runs scored, and text / link totals per block subtree. */
function measure(root: Element): Stat[] {
  const stats: Stat[] = [];
  let holder: Stat = { el: root, parent: null, own: 0, chars: 0, linkChars: 0, credit: 0, ownBelow: 0 };
  stats.push(holder);
  // The current run's length (trimmed text nodes, one space between) and how much of it is link text.
  let run = 0;
  let runLinks = 0;
  let inLink = 0;
  const endRun = () => {
    if (run >= MIN_RUN && runLinks < run * 0.5) holder.own += run - runLinks;
    run = 0;
    runLinks = 0;
  };
  type Frame = { node: Node; exit: boolean; stat?: Stat; link?: boolean };
  const stack: Frame[] = [];
  const pushChildren = (n: Node) => {
    const from = stack.length;
    for (let c = n.firstChild; c; c = c.nextSibling) stack.push({ node: c, exit: false });
    // Reversed in place: the first child is popped first.
    for (let i = from, j = stack.length - 1; i < j; i++, j--) [stack[i], stack[j]] = [stack[j]!, stack[i]!];
  };
  pushChildren(root);
  while (stack.length) {
    const f = stack.pop()!;
    if (f.exit) {
      if (f.link) inLink--;
      if (f.stat) {
        endRun();
        holder = f.stat.parent!;
        holder.chars += f.stat.chars;
        holder.linkChars += f.stat.linkChars;
        f.stat.ownBelow += f.stat.own;
        holder.ownBelow += f.stat.ownBelow;
      }
      continue;
    }
    const n = f.node;
    if (n.nodeType === 3) {
      const len = (n.nodeValue ?? '').trim().length;
      if (!len) continue;
      run += len + 1;
      holder.chars += len;
      if (inLink) { runLinks += len + 1; holder.linkChars += len; }
      continue;
    }
    if (n.nodeType !== 1) continue;
    const el = n as Element;
    const tag = el.tagName;
    if (SKIP.has(tag) || hidden(el) || isComments(el)) continue;
    if (tag === 'BR' || tag === 'HR') { endRun(); continue; }
    const frame: Frame = { node: n, exit: true };
    if (BLOCK.has(tag)) {
      endRun();
      frame.stat = { el, parent: holder, own: 0, chars: 0, linkChars: 0, credit: 0, ownBelow: 0 };
      stats.push(frame.stat);
      holder = frame.stat;
    } else if (tag === 'A') {
      inLink++;
      frame.link = true;
    }
    stack.push(frame);
    pushChildren(n);
  }
  endRun();
  return stats;
}

/**
 * The best container of `root` (by own text, credited upwards as Readability credits paragraphs: a paragraph's
 * text to its parent and half to the grandparent, a container's own text to itself and half to its parent),
 * with the siblings of the same tag that score well too. Empty when nothing looks like running text.
 */
export function densestElements(root: Element): Element[] {
  return densest(root).elements;
}

/** The densest container(s) and their own running text, in non-link characters (a cheap size for comparisons). */
export function densest(root: Element): { elements: Element[]; chars: number } {
  const stats = measure(root);
  for (const s of stats) {
    if (!s.own) continue;
    const first = PARAGRAPH.has(s.el.tagName) ? s.parent : s;
    if (!first) continue;
    first.credit += s.own;
    if (first.parent) first.parent.credit += s.own / 2;
  }
  const score = (s: Stat) => s.credit * (1 - (s.chars ? s.linkChars / s.chars : 0));
  let best: Stat | null = null;
  let bestScore = 0;
  for (const s of stats) {
    const v = score(s);
    if (v > bestScore) { best = s; bestScore = v; }
  }
  if (!best) return { elements: [], chars: 0 };
  // A wrapper around nothing else is the same text: climb, so that like siblings (table rows) can join.
  while (best.parent && best.parent.el.firstElementChild === best.el && !best.el.nextElementSibling && best.parent.own === 0) best = best.parent;
  const parentEl = best.el.parentElement;
  if (!best.parent || !parentEl) return { elements: [best.el], chars: best.ownBelow };
  // Siblings of the same kind that carry running text too (an article split over several rows, cells or divs).
  const byEl = new Map(stats.filter((s) => s.parent === best.parent).map((s) => [s.el, s]));
  const enough = Math.min(best.ownBelow * 0.2, 80);
  const out: Element[] = [];
  for (let c = parentEl.firstElementChild; c; c = c.nextElementSibling) {
    const s = byEl.get(c);
    if (s === best || (s && c.tagName === best.el.tagName && s.ownBelow >= enough && s.linkChars < s.chars * 0.25)) out.push(c);
  }
  return { elements: out, chars: out.reduce((n, el) => n + (byEl.get(el)?.ownBelow ?? 0), 0) };
}

/** Blocks of the densest container (and its like siblings), in document order. */
export function densestBlocks(doc: Document): Block[] {
  if (!doc.body) return [];
  return densestElements(doc.body).flatMap((el) => toBlocks(el, isComments));
}
