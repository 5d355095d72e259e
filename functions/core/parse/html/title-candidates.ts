// Raw headline candidates from the page's headings, with the context that tells a headline from a logo or a section title.
import { collapse } from './text.ts';

export interface Heading {
  text: string;
  /** Its lines, when it has several (`Kicker<br>Title`, `Title<br>Subtitle`, or a malformed heading that swallowed the next paragraph). */
  lines: string[];
  /** 1 for `<h1>`, 2 for `<h2>`, 0 for another element marked `itemprop=headline`. */
  level: number;
  /** Inside `<article>`, `<main>` or `role=main`. */
  inMain: boolean;
  /** Inside page chrome: navigation, sidebar, footer, dialog. */
  chrome: boolean;
  /** Marked `itemprop=headline` (schema.org microdata). */
  headline: boolean;
  /** A substantial paragraph (≥ 80 characters) comes before it in document order: a headline comes before the body. */
  afterText: boolean;
}

const MAX_H1 = 8, MAX_H2 = 6;
const CHROME_TAGS = new Set(['NAV', 'ASIDE', 'FOOTER', 'DIALOG']);
const CHROME_ROLES = new Set(['navigation', 'complementary', 'contentinfo', 'dialog', 'menu', 'menubar']);

// A site header (`<header>`, role=banner) is not chrome: it often holds the headline band of the page.
function context(el: Element): { inMain: boolean; chrome: boolean } {
  let inMain = false, chrome = false;
  for (let p = el.parentElement; p; p = p.parentElement) {
    const tag = p.tagName, role = p.getAttribute('role');
    if (tag === 'ARTICLE' || tag === 'MAIN' || role === 'main' || role === 'article') inMain = true;
    else if (CHROME_TAGS.has(tag) || (role && CHROME_ROLES.has(role))) chrome = true;
  }
  return { inMain, chrome };
}

// Inside a heading: skipped (a dateline in <time>, scripts, icons), and elements that start a line of their own.
const SKIP = new Set(['TIME', 'SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'SVG', 'BUTTON']);
const LINE = new Set(['BR', 'DIV', 'P', 'UL', 'OL', 'LI', 'TABLE', 'SECTION', 'HEADER', 'FIGURE']);
// Inline elements run on into their neighbours as a browser renders them ("<span class=dropcap>C</span>ycle"),
// unless a lower-case letter meets a capital there ("Alternatives<span>Top tools</span>": a span styled as a line).
const INLINE = new Set(['A', 'ABBR', 'B', 'BDI', 'BDO', 'CITE', 'CODE', 'DFN', 'EM', 'FONT', 'I', 'KBD', 'MARK', 'Q', 'S', 'SAMP', 'SMALL', 'SPAN', 'STRONG', 'SUB', 'SUP', 'U', 'VAR', 'WBR', 'DEL', 'INS']);
const EDGE = '\u0001', SOFT = '\u0002', NEWLINE = '\n';

/**
 * A heading's lines: split at `<br>` and block children, and a space where the words of two other elements
 * meet (custom elements, often styled as blocks).
 */
export function headingLines(el: Element): string[] {
  let out = '';
  const walk = (node: Node): void => {
    for (let c = node.firstChild; c; c = c.nextSibling) {
      if (out.length > 2000) return; // a malformed heading that swallowed the page
      if (c.nodeType === 3) out += c.textContent ?? '';
      else if (c.nodeType === 1) {
        const tag = (c as Element).tagName;
        if (SKIP.has(tag)) continue;
        const mark = LINE.has(tag) ? NEWLINE : INLINE.has(tag) ? SOFT : EDGE;
        out += mark;
        walk(c);
        out += mark;
      }
    }
  };
  walk(el);
  const joined = out.replace(/(?<=[\p{L}\p{N}])\u0002*\u0001[\u0001\u0002]*(?=[\p{L}\p{N}])/gu, ' ')
    .replace(/(?<=\p{Ll})\u0002+(?=\p{Lu})/gu, ' ').replace(/[\u0001\u0002]/g, '');
  return joined.split(NEWLINE).map(collapse).filter(Boolean);
}

/**
 * Collects the page's `<h1>`s, its first `<h2>`s and `itemprop=headline` elements from a walk of its elements in
 * document order (read before Readability runs): `visit` takes each element of the walk.
 */
export function headingReader(): { visit: (el: Element) => void; headings: Heading[] } {
  const headings: Heading[] = [];
  let h1 = 0, h2 = 0, afterText = false;
  const visit = (el: Element): void => {
    const tag = el.tagName;
    if (tag === 'P') {
      afterText ||= (el.textContent ?? '').length >= 80;
      return;
    }
    const headline = (el.getAttribute('itemprop') ?? '').toLowerCase().split(/\s+/).includes('headline');
    const level = tag === 'H1' ? 1 : tag === 'H2' ? 2 : 0;
    if (!headline && (level === 0 || (level === 1 && h1 >= MAX_H1) || (level === 2 && h2 >= MAX_H2))) return;
    if (level === 1) h1++;
    else if (level === 2) h2++;
    const lines = el.hasAttribute('content') ? [collapse(el.getAttribute('content')!)] : headingLines(el);
    // A heading too long to be a headline may still start with one (a malformed h1 that runs on into the page).
    if (lines.join(' ').length > 300) lines.splice(1);
    const text = lines.join(' ');
    if (!text || text.length > 300) return;
    headings.push({ text, lines: lines.length > 1 ? lines : [], level, headline, afterText, ...context(el) });
  };
  return { visit, headings };
}
