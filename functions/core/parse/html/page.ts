// Page-level metadata: gathered before Readability mutates the DOM, resolved after it ran.
import type { ParsedArticle } from '../../schema.ts';
import {
  type JsonLdArticle, absoluteUrl, freeTextDate, isUrl, languageCode, metaValues, normalizeDate, readJsonLd,
} from './metadata.ts';
import { type Byline, pickAuthor, readBylines } from './author.ts';
import { elementsOf } from './cleanup.ts';
import { type DateLine, markOf, pickDate, readDatelines, structuredDate } from './date.ts';
import { titleElement } from './near-title.ts';
import { AUTHOR_PAGE } from './prepare.ts';
import { type Block, collapse } from './text.ts';
import { hostLabels, key, pickTitle } from './title.ts';
import { type Heading, headingReader } from './title-candidates.ts';

export interface PageMeta {
  meta: Map<string, string>;
  jsonLd: JsonLdArticle | null;
  htmlLang: string | null;
  docTitle: string | null;
  h1s: string[];
  /** Headline candidates from the headings, with their place on the page (see title-candidates.ts). */
  headings: Heading[];
  canonical: string | null;
  /** `<time datetime>` values, the ones marked as publication first. */
  times: string[];
  /** Date read from elements that look like a publication date line ("Published 4:00 am, Nov 20, 2019"). */
  textDate: string | null;
  /** Short visible texts with a year (and `<time>`s) just around the title, nearest first. */
  datelines: DateLine[];
  /** Author names from `rel=author` links and `itemprop=author` markup. */
  markupAuthors: string[];
  /** Visible byline texts around the title ("By Jane Doe · May 2"), nearest first. */
  bylines: Byline[];
}

export function readPageMeta(doc: Document, jsonLdBlocks: string[]): PageMeta {
  // One walk over the elements instead of several selector queries.
  const h1El: Element[] = [], h2El: Element[] = [], timeEls: Element[] = [], authorEls: Element[] = [], dateEls: Element[] = [], authorLinks: Element[] = [];
  let canonical: string | null = null;
  const headings = headingReader();
  if (doc.documentElement) {
    for (const el of elementsOf(doc.documentElement)) {
      headings.visit(el);
      const tag = el.tagName;
      if (tag === 'H1' && h1El.length < 5) h1El.push(el);
      else if (tag === 'H2' && h2El.length < 5) h2El.push(el);
      else if (tag === 'TIME' && timeEls.length < 50) timeEls.push(el);
      else if (tag === 'LINK' && !canonical && /(?:^|\s)canonical(?:\s|$)/i.test(el.getAttribute('rel') ?? '')) canonical = el.getAttribute('href');
      const itemprop = el.getAttribute('itemprop') ?? '';
      if (authorEls.length < 10 && (itemprop.toLowerCase() === 'author' || (tag === 'A' && (el.getAttribute('rel') ?? '').toLowerCase() === 'author'))) authorEls.push(el);
      else if (tag === 'A' && authorLinks.length < 5 && AUTHOR_PAGE.test(el.getAttribute('href') ?? '')) authorLinks.push(el);
      // Elements that may hold a date line: [itemprop=datePublished], [class*=publish|date|time], [id*=date].
      if (dateEls.length < 30) {
        const cls = el.getAttribute('class');
        if (itemprop === 'datePublished' || (cls && (cls.includes('publish') || cls.includes('date') || cls.includes('time'))) || el.getAttribute('id')?.includes('date')) dateEls.push(el);
      }
    }
  }
  const h1s = h1El.map((h) => collapse(h.textContent ?? '')).filter(Boolean);
  // Marked as the publication first; a <time> marked as the update is not the publication.
  const times = [...timeEls.filter((t) => markOf(t) === 'published'), ...timeEls.filter((t) => markOf(t) === null)]
    .map((t) => t.getAttribute('datetime') ?? '').filter((s) => s.trim());
  const meta = metaValues(doc);
  const jsonLd = readJsonLd(jsonLdBlocks);
  // Free-text date lines are costly to find and parse: only when no structured date exists.
  let textDate: string | null = null;
  if (!structuredDate(jsonLd, meta, times)) {
    for (const el of dateEls) {
      const content = el.getAttribute('content') ?? el.getAttribute('datetime');
      const t = collapse(el.textContent ?? '');
      textDate = normalizeDate(content) ?? (t && t.length < 120 ? freeTextDate(t) : null);
      if (textDate) break;
    }
  }
  const titleEl = titleElement([...h1El, ...h2El], [jsonLd?.headline, meta.get('og:title'), meta.get('twitter:title'), doc.querySelector('title')?.textContent]);
  const markupAuthors: string[] = [];
  for (const el of authorEls) {
    const nameEl = el.querySelector('[itemprop=name]');
    const t = collapse((nameEl ?? el).getAttribute('content') ?? (nameEl ?? el).textContent ?? '');
    if (t && t.length < 100) markupAuthors.push(t);
  }
  markupAuthors.push(...authorPageNames(authorLinks));
  return {
    meta,
    jsonLd,
    htmlLang: doc.documentElement?.getAttribute('lang') ?? doc.documentElement?.getAttribute('xml:lang') ?? null,
    docTitle: collapse(doc.querySelector('title')?.textContent ?? '') || null,
    h1s,
    headings: headings.headings,
    canonical,
    times,
    textDate,
    datelines: readDatelines(titleEl),
    markupAuthors,
    // The page-wide search for an author box is only a fallback: not needed when JSON-LD names a person.
    bylines: readBylines(titleEl, jsonLd?.authors.some((a) => /\s/.test(a.trim())) ? null : doc.body),
  };
}

/** Names of links to author pages whose text is the name the page's address spells, outside the chrome. */
function authorPageNames(links: Element[]): string[] {
  const out: string[] = [];
  for (const a of links) {
    if (a.closest('nav, footer, aside')) continue;
    const slug = AUTHOR_PAGE.exec(a.getAttribute('href') ?? '')?.[1] ?? '';
    const name = collapse(a.textContent ?? '');
    if (/\s/.test(name) && name.length < 80 && key(name) === key(safeDecode(slug))) out.push(name);
  }
  return out;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export interface ReadabilityMeta { byline: string | null; title: string | null; publishedTime: string | null; siteName: string | null }

export function resolveMetadata(page: PageMeta, rd: ReadabilityMeta, blocks: Block[]): Omit<ParsedArticle, 'text'> {
  const ld = page.jsonLd;
  const url = absoluteUrl(ld?.url) ?? absoluteUrl(page.canonical) ?? absoluteUrl(page.meta.get('og:url'));
  const publisher = [ld?.publisher, page.meta.get('og:site_name'), ld?.siteName, page.meta.get('application-name'), rd.siteName]
    .map((p) => (p ? collapse(p) : '')).find((p) => p && p.length <= 100 && !isUrl(p)) ?? null;
  const sites = [publisher, page.meta.get('og:site_name'), ld?.publisher, ld?.siteName, page.meta.get('application-name'), page.meta.get('twitter:site')?.replace(/^@/, ''),
    ...hostLabels(url)].filter((x): x is string => !!x);
  const language = languageCode(page.htmlLang) ?? languageCode(page.meta.get('og:locale')) ?? languageCode(page.meta.get('content-language'))
    ?? languageCode(page.meta.get('language')) ?? languageCode(ld?.language);
  return {
    title: pickTitle(page, rd, sites, blocks, url),
    publisher,
    author: pickAuthor(page, rd, sites),
    publishedAt: pickDate(page, rd),
    url,
    language,
  };
}
