// DOM to plain text: one paragraph per block element, inline content joined, whitespace collapsed.

export interface Block {
  text: string;
  /** Tag of the nearest block ancestor that produced this paragraph. */
  tag: string;
  /** Characters of the paragraph that sit inside links. */
  linkChars: number;
  /** Inside a figcaption / caption-like element, or loose text of a figure (not its tables, quotes, lists or code). */
  caption: boolean;
  /** Inside a heading. */
  heading: boolean;
  /** Inside a list item. */
  listItem: boolean;
}

const BLOCK = new Set([
  'P', 'DIV', 'SECTION', 'ARTICLE', 'MAIN', 'HEADER', 'FOOTER', 'ASIDE', 'NAV', 'FORM', 'FIELDSET', 'ADDRESS', 'CENTER',
  'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'HGROUP', 'LI', 'UL', 'OL', 'DL', 'DT', 'DD', 'BLOCKQUOTE', 'PRE', 'HR',
  'TABLE', 'THEAD', 'TBODY', 'TFOOT', 'TR', 'CAPTION', 'FIGURE', 'FIGCAPTION', 'DETAILS', 'SUMMARY', 'BODY', 'HTML',
]);
const SKIP = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'SVG', 'MATH', 'BUTTON', 'SELECT', 'TEXTAREA', 'HEAD', 'TITLE', 'IFRAME', 'OBJECT', 'CANVAS']);
const CELL = new Set(['TD', 'TH']);
// Content that a figure may frame (WordPress wraps tables and pull quotes in <figure>): not a caption.
const FRAMED = new Set(['TABLE', 'BLOCKQUOTE', 'PRE', 'UL', 'OL', 'DL']);

// Zero-width spaces, word joiners and stray byte-order marks render as nothing ("B\u200best" reads "Best");
// JavaScript's \s would count U+FEFF as a space.
export function collapse(s: string): string {
  return s.replace(/[\u200b\u2060\ufeff]+/g, '').replace(/(?:[\s\u00a0\u200c]|\u200d)+/g, ' ').trim();
}

/** Blocks of `root` in document order (iterative walk: no recursion limit on deep trees), without `skip`'s subtrees. */
export function toBlocks(root: Node, skip?: (el: Element) => boolean): Block[] {
  const blocks: Block[] = [];
  let cur = '';
  let link = 0;
  const ctx = { tag: 'P', caption: 0, figure: 0, framed: 0, heading: 0, li: 0, a: 0 };
  const inCaption = () => ctx.caption > 0 || (ctx.figure > 0 && ctx.framed === 0);
  const flush = () => {
    const text = collapse(cur);
    if (text) {
      blocks.push({ text, tag: ctx.tag, linkChars: Math.min(link, text.length), caption: inCaption(), heading: ctx.heading > 0, listItem: ctx.li > 0 });
    }
    cur = '';
    link = 0;
  };
  type Frame = { node: Node; exit: boolean; prevTag?: string };
  const stack: Frame[] = [{ node: root, exit: false }];
  while (stack.length) {
    const f = stack.pop()!;
    const n = f.node;
    if (n.nodeType === 3) {
      const v = n.nodeValue ?? '';
      cur += v;
      if (ctx.a > 0) link += collapse(v).length + (/\s$/.test(v) ? 1 : 0);
      continue;
    }
    if (n.nodeType !== 1) continue;
    const el = n as Element;
    const tag = el.tagName.toUpperCase();
    const block = BLOCK.has(tag);
    const cls = `${el.getAttribute('class') ?? ''} ${el.getAttribute('id') ?? ''}`;
    const isCaption = tag === 'FIGCAPTION' || tag === 'CAPTION' || /(?:^|[\s_-])(?:caption|credit)/i.test(cls);
    if (f.exit) {
      if (block) flush();
      if (tag === 'A') ctx.a--;
      if (isCaption) ctx.caption--;
      if (tag === 'FIGURE') ctx.figure--;
      if (FRAMED.has(tag)) ctx.framed--;
      if (/^H[1-6]$/.test(tag)) ctx.heading--;
      if (tag === 'LI' || tag === 'DD' || tag === 'DT') ctx.li--;
      if (CELL.has(tag)) cur += ' ';
      if (block && f.prevTag) ctx.tag = f.prevTag;
      continue;
    }
    if (SKIP.has(tag) || skip?.(el)) continue;
    if (tag === 'BR') {
      // A line break inside a paragraph splits it: poems, addresses and <br>-separated pages.
      flush();
      continue;
    }
    if (tag === 'IMG' || tag === 'HR') continue;
    if (block) flush();
    if (CELL.has(tag)) cur += ' ';
    stack.push({ node: n, exit: true, prevTag: block ? ctx.tag : undefined });
    if (block) ctx.tag = tag;
    if (tag === 'A') ctx.a++;
    if (isCaption) ctx.caption++;
    if (tag === 'FIGURE') ctx.figure++;
    if (FRAMED.has(tag)) ctx.framed++;
    if (/^H[1-6]$/.test(tag)) ctx.heading++;
    if (tag === 'LI' || tag === 'DD' || tag === 'DT') ctx.li++;
    const kids: Node[] = [];
    for (let c = n.firstChild; c; c = c.nextSibling) kids.push(c);
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ node: kids[i]!, exit: false });
  }
  flush();
  return blocks;
}
