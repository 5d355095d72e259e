// Page-level metadata: gathered before Readability mutates the DOM, resolved after it ran.
import { decodeHTML } from 'entities';
import type { ParsedArticle } from '../../schema.ts';
import {
  AUTHOR_META, DATE_META, type JsonLdArticle, absoluteUrl, freeTextDate, isUrl, languageCode, metaValues, normalizeDate, readJsonLd,
} from './metadata.ts';
import { elementsOf } from './cleanup.ts';
import { type Block, collapse } from './text.ts';

export interface PageMeta {
  meta: Map<string, string>;
  jsonLd: JsonLdArticle | null;
  htmlLang: string | null;
  docTitle: string | null;
  h1s: string[];
  canonical: string | null;
  /** `<time datetime>` values, the ones marked as publication first. */
  times: string[];
  /** Date read from elements that look like a publication date line ("Published 4:00 am, Nov 20, 2019"). */
  textDate: string | null;
  /** Author names from `rel=author` links and `itemprop=author` markup. */
  markupAuthors: string[];
}

export function readPageMeta(doc: Document, jsonLdBlocks: string[]): PageMeta {
  // One walk over the elements instead of several selector queries.
  const h1El: Element[] = [], timeEls: Element[] = [], authorEls: Element[] = [], dateEls: Element[] = [];
  let canonical: string | null = null;
  if (doc.documentElement) {
    for (const el of elementsOf(doc.documentElement)) {
      const tag = el.tagName;
      if (tag === 'H1' && h1El.length < 5) h1El.push(el);
      else if (tag === 'TIME' && timeEls.length < 50) timeEls.push(el);
      else if (tag === 'LINK' && !canonical && /(?:^|\s)canonical(?:\s|$)/i.test(el.getAttribute('rel') ?? '')) canonical = el.getAttribute('href');
      const itemprop = el.getAttribute('itemprop') ?? '';
      if (authorEls.length < 10 && (itemprop.toLowerCase() === 'author' || (tag === 'A' && (el.getAttribute('rel') ?? '').toLowerCase() === 'author'))) authorEls.push(el);
      // Elements that may hold a date line: [itemprop=datePublished], [class*=publish|date|time], [id*=date].
      if (dateEls.length < 30) {
        const cls = el.getAttribute('class');
        if (itemprop === 'datePublished' || (cls && (cls.includes('publish') || cls.includes('date') || cls.includes('time'))) || el.getAttribute('id')?.includes('date')) dateEls.push(el);
      }
    }
  }
  const h1s = h1El.map((h) => collapse(h.textContent ?? '')).filter(Boolean);
  const isPub = (t: Element) => t.hasAttribute('pubdate') || /publish|created|posted/i.test(`${t.getAttribute('itemprop') ?? ''} ${t.getAttribute('class') ?? ''} ${t.parentElement?.getAttribute('class') ?? ''}`);
  const times = [...timeEls.filter(isPub), ...timeEls.filter((t) => !isPub(t))]
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
  const markupAuthors: string[] = [];
  for (const el of authorEls) {
    const nameEl = el.querySelector('[itemprop=name]');
    const t = collapse((nameEl ?? el).getAttribute('content') ?? (nameEl ?? el).textContent ?? '');
    if (t && t.length < 100) markupAuthors.push(t);
  }
  return {
    meta,
    jsonLd,
    htmlLang: doc.documentElement?.getAttribute('lang') ?? doc.documentElement?.getAttribute('xml:lang') ?? null,
    docTitle: collapse(doc.querySelector('title')?.textContent ?? '') || null,
    h1s,
    canonical,
    times,
    textDate,
    markupAuthors,
  };
}

export interface ReadabilityMeta { byline: string | null; title: string | null; publishedTime: string | null; siteName: string | null }

const SEPARATORS = [' | ', ' - ', ' – ', ' — ', ' :: ', ' · ', ' • ', ' « ', ' » ', ' / ', ' : '];

function key(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/^www\./, '').replace(/[^\p{L}\p{N}]+/gu, '');
}

function hostLabels(url: string | null): string[] {
  if (!url) return [];
  try {
    const host = new URL(url).hostname.replace(/^www\./, '');
    const parts = host.split('.');
    return [host, parts.length >= 2 ? parts[parts.length - 2]! : host];
  } catch {
    return [];
  }
}

function isSiteName(part: string, sites: string[]): boolean {
  const k = key(part);
  if (!k) return false;
  return sites.some((s) => {
    const ks = key(s);
    // The part is the site name, or contains it ("Reuters.com", "The Verge – tech news"), never just a piece of it.
    return ks.length >= 2 && (ks === k || (ks.length >= 4 && k.includes(ks) && ks.length >= k.length * 0.4));
  });
}

/** The headline without a ` | Site` suffix (or `Site | ` prefix) when that part names the site. */
export function stripSiteName(title: string, sites: string[]): string {
  let t = title.trim();
  // A title that is the site name itself (home pages, section fronts) stays whole.
  if (sites.some((s) => key(s) === key(t))) return t;
  for (let round = 0; round < 2; round++) {
    let changed = false;
    for (const sep of SEPARATORS) {
      const at = t.lastIndexOf(sep);
      if (at > 0 && isSiteName(t.slice(at + sep.length), sites) && t.slice(0, at).trim().length >= 3) {
        t = t.slice(0, at).trim();
        changed = true;
        break;
      }
      const first = t.indexOf(sep);
      if (first > 0 && isSiteName(t.slice(0, first), sites) && t.slice(first + sep.length).trim().length >= 3) {
        t = t.slice(first + sep.length).trim();
        changed = true;
        break;
      }
    }
    if (!changed) break;
  }
  return t;
}

const similar = (a: string, b: string) => key(a) === key(b);

function pickTitle(page: PageMeta, rd: ReadabilityMeta, sites: string[], blocks: Block[]): string {
  const ld = page.jsonLd;
  const og = page.meta.get('og:title') ?? page.meta.get('twitter:title') ?? null;
  // JSON-LD values (Readability's title may be one) can still hold entities such as `&nbsp;`.
  const decoded = (t: string | null | undefined) => (t && t.includes('&') ? decodeHTML(t) : t);
  const candidates = [decoded(rd.title), decoded(ld?.headline), decoded(ld?.name), og, page.docTitle].filter((x): x is string => !!x && !!x.trim()).map(collapse);
  let title = candidates[0] ?? page.h1s[0] ?? blocks[0]?.text.slice(0, 200) ?? 'Untitled';
  title = stripSiteName(title, sites);
  // A heading that is exactly the start of the title before a separator is the headline proper.
  for (const h of page.h1s) {
    if (similar(h, title)) return h.length <= title.length + 2 ? title : h;
    for (const sep of SEPARATORS) {
      if (title.startsWith(h + sep.trimEnd()) && h.length >= 10) return h;
    }
  }
  return title;
}

function cleanAuthor(raw: string, sites: string[]): string | null {
  let a = collapse(raw).replace(/^(?:by|von|par|por|di|door|av|af)\s+/i, '').replace(/^[|,:;\s-]+|[|,:;\s-]+$/g, '');
  if (!a || a.length > 120 || isUrl(a) || a.startsWith('@') || !/\p{L}/u.test(a)) return null;
  // A single token with digits is a user handle ("CC7567"), not a name.
  if (!/\s/.test(a) && /\d/.test(a)) return null;
  if (sites.some((s) => key(s) === key(a)) && !/\s/.test(a)) return a;
  a = a.replace(/\s+(?:updated|published|posted)\b.*$/i, '').trim();
  return a || null;
}

function pickAuthor(page: PageMeta, rd: ReadabilityMeta, sites: string[]): string | null {
  const ld = page.jsonLd?.authors ?? [];
  if (ld.length) {
    const a = cleanAuthor(ld.slice(0, 6).join(', '), sites);
    if (a) return a;
  }
  for (const k of AUTHOR_META) {
    const v = page.meta.get(k);
    if (v) {
      const a = cleanAuthor(v, sites);
      if (a) return a;
    }
  }
  if (rd.byline) {
    const a = cleanAuthor(rd.byline, sites);
    if (a) return a;
  }
  for (const m of page.markupAuthors) {
    const a = cleanAuthor(m, sites);
    if (a) return a;
  }
  return null;
}

function structuredDate(ld: JsonLdArticle | null, meta: Map<string, string>, times: string[]): string | null {
  const tries: Array<string | null | undefined> = [ld?.datePublished];
  for (const k of DATE_META) tries.push(meta.get(k));
  tries.push(...times);
  const found = tries.map(normalizeDate).filter((d): d is string => !!d);
  const first = found[0];
  if (!first) return null;
  // The same instant written with the page's local offset keeps the local calendar day: prefer it.
  if (first.endsWith('Z')) {
    const local = found.find((d) => !d.endsWith('Z') && Math.abs(Date.parse(d) - Date.parse(first)) < 60_000);
    if (local) return local;
  }
  return first;
}

function pickDate(page: PageMeta, rd: ReadabilityMeta): string | null {
  return structuredDate(page.jsonLd, page.meta, page.times) ?? normalizeDate(rd.publishedTime) ?? page.textDate;
}

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
    title: pickTitle(page, rd, sites, blocks),
    publisher,
    author: pickAuthor(page, rd, sites),
    publishedAt: pickDate(page, rd),
    url,
    language,
  };
}
