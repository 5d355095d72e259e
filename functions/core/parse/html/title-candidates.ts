// Raw headline candidates from the page's headings, with the context that tells a headline from a logo or a section title.
import { elementsOf } from './cleanup.ts';
import { collapse } from './text.ts';

export interface Heading {
  text: string;
  /** 1 for `<h1>`, 2 for `<h2>`, 0 for another element marked `itemprop=headline`. */
  level: number;
  /** Inside `<article>`, `<main>` or `role=main`. */
  inMain: boolean;
  /** Inside page chrome: navigation, sidebar, footer, dialog. */
  chrome: boolean;
  /** Inside a `<header>` or `role=banner` outside the article: the site's masthead, or a page-wide title band. */
  masthead: boolean;
  /** Marked `itemprop=headline` (schema.org microdata). */
  headline: boolean;
  /** Substantial paragraphs (≥ 80 characters) before it in document order: a headline comes before the body. */
  parasBefore: number;
}

const MAX_H1 = 8, MAX_H2 = 6;
const CHROME_TAGS = new Set(['NAV', 'ASIDE', 'FOOTER', 'DIALOG']);
const CHROME_ROLES = new Set(['navigation', 'complementary', 'contentinfo', 'dialog', 'menu', 'menubar']);

function context(el: Element): { inMain: boolean; chrome: boolean; masthead: boolean } {
  let inMain = false, chrome = false, header = false;
  for (let p = el.parentElement; p; p = p.parentElement) {
    const tag = p.tagName, role = p.getAttribute('role');
    if (tag === 'ARTICLE' || tag === 'MAIN' || role === 'main' || role === 'article') inMain = true;
    else if (CHROME_TAGS.has(tag) || (role && CHROME_ROLES.has(role))) chrome = true;
    else if (tag === 'HEADER' || role === 'banner') header = true;
  }
  // A `<header>` inside the article holds the headline; one outside it may be the site's masthead.
  return { inMain, chrome, masthead: header && !inMain };
}

/** The page's `<h1>`s, its first `<h2>`s and `itemprop=headline` elements, in document order (read before Readability runs). */
export function readHeadings(doc: Document): Heading[] {
  const out: Heading[] = [];
  if (!doc.documentElement) return out;
  let h1 = 0, h2 = 0, paras = 0;
  for (const el of elementsOf(doc.documentElement)) {
    const tag = el.tagName;
    if (tag === 'P') {
      if ((el.textContent ?? '').length >= 80) paras++;
      continue;
    }
    const headline = (el.getAttribute('itemprop') ?? '').toLowerCase().split(/\s+/).includes('headline');
    const level = tag === 'H1' ? 1 : tag === 'H2' ? 2 : 0;
    if (!headline && (level === 0 || (level === 1 && h1 >= MAX_H1) || (level === 2 && h2 >= MAX_H2))) continue;
    if (level === 1) h1++;
    else if (level === 2) h2++;
    const text = collapse(el.getAttribute('content') ?? el.textContent ?? '');
    if (!text || text.length > 300) continue;
    out.push({ text, level, headline, parasBefore: paras, ...context(el) });
  }
  return out;
}
