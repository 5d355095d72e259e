// The page around its title heading: bylines and datelines sit just under (or above) the headline, so the
// readers walk a few hundred characters of visible text from there instead of searching the whole page.
import { collapse } from './text.ts';

/** Longest label text kept ("By Jane Doe · Updated May 2, 2024"). */
export const LINE_MAX = 100;

export function ownText(el: Element): string {
  let s = '';
  for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 3) s += n.textContent ?? '';
  return s.trim();
}

/** Next element in document order; `skip` passes over the children. */
function nextElement(el: Element, skip: boolean): Element | null {
  if (!skip && el.firstElementChild) return el.firstElementChild;
  for (let e: Element | null = el; e; e = e.parentElement) if (e.nextElementSibling) return e.nextElementSibling;
  return null;
}

/** Previous element in document order (ancestors included, as the reverse walk meets them). */
function previousElement(el: Element): Element | null {
  let p = el.previousElementSibling;
  if (!p) return el.parentElement;
  while (p.lastElementChild) p = p.lastElementChild;
  return p;
}

/** Visible text with a space between elements: "May 2, 2024<span>6 min read</span>" must not read "20246". */
export function spacedText(el: Element): string {
  const parts: string[] = [];
  const walk = (e: Element) => {
    for (let n = e.firstChild; n && parts.length < 200; n = n.nextSibling) {
      if (n.nodeType === 3) parts.push(n.textContent ?? '');
      else if (n.nodeType === 1) walk(n as Element);
    }
  };
  walk(el);
  // No space before punctuation that followed an element ("<a>Jane Doe</a>, <a>John Roe</a>").
  return collapse(parts.join(' ')).replace(/\s+([,.;:!?)])/g, '$1');
}

/** The element's text widened to its label ("Updated: <span>May 2, 2024</span>"), short, title excluded. */
export function labelText(el: Element, title: Element | null): string {
  let best = spacedText(el);
  for (let a = el.parentElement; a && !(title && a.contains(title)); a = a.parentElement) {
    if ((a.textContent ?? '').length > LINE_MAX * 3) break;
    const t = spacedText(a);
    if (t.length > LINE_MAX) break;
    best = t;
  }
  return best;
}

/** The heading that carries the title: the one whose text the page's titles agree with, else the first h1. */
export function titleElement(headings: Element[], titles: Array<string | null | undefined>): Element | null {
  const keys = titles.filter((t): t is string => !!t).map((t) => collapse(t).toLowerCase());
  let best: Element | null = null, bestScore = 0.3;
  for (const h of headings) {
    const t = collapse(h.textContent ?? '').toLowerCase();
    if (t.length < 4) continue;
    // Contained either way; the closer the lengths the better (a site name inside the title is not the title).
    for (const k of keys) {
      const score = k.includes(t) ? t.length / k.length : t.includes(k) ? k.length / t.length : 0;
      if (score > bestScore) { best = h; bestScore = score; }
    }
  }
  return best ?? headings.find((h) => h.tagName === 'H1' && collapse(h.textContent ?? '').length >= 4) ?? null;
}

/**
 * Calls `visit` on the elements after the title (up to `after` characters of visible text, `maxAfter` hits) and
 * then before it (`before` characters, `maxBefore` hits), nearest first; `visit` returns whether it took one.
 */
export function walkNearTitle(
  title: Element, visit: (el: Element) => boolean,
  { after = 600, before = 200, maxAfter = 4, maxBefore = 2 } = {},
): void {
  let budget = after;
  for (let el = nextElement(title, true), n = 0; el && budget > 0 && n < maxAfter; el = nextElement(el, false)) {
    if (el.tagName === 'H1' || el.tagName === title.tagName) break;
    if (visit(el)) n++;
    budget -= ownText(el).length;
  }
  budget = before;
  for (let el = previousElement(title), n = 0; el && budget > 0 && n < maxBefore; el = previousElement(el)) {
    if (el.contains(title)) continue;
    if (visit(el)) n++;
    budget -= ownText(el).length;
  }
}
