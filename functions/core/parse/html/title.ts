// The headline: the best of the title candidates, without the site name.
import { decodeHTML } from 'entities';
import type { PageMeta, ReadabilityMeta } from './page.ts';
import type { Heading } from './title-candidates.ts';
import { type Block, collapse } from './text.ts';

export const SEPARATORS = [' | ', ' - ', ' – ', ' — ', ' :: ', ' · ', ' • ', ' « ', ' » ', ' / ', ' : '];

export function key(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/^www\./, '').replace(/[^\p{L}\p{N}]+/gu, '');
}

export function hostLabels(url: string | null): string[] {
  if (!url) return [];
  try {
    const host = new URL(url).hostname.replace(/^www\./, '');
    const parts = host.split('.');
    return [host, parts.length >= 2 ? parts[parts.length - 2]! : host];
  } catch {
    return [];
  }
}

/** The sections a URL's path files the page under ("/story/opinion/contributors/slug" → opinion, contributors). */
function pathSections(url: string | null): string[] {
  if (!url) return [];
  try {
    const parts = new URL(url).pathname.split('/').filter(Boolean).slice(0, -1);
    return parts.filter((p) => /^[a-z][a-z-]{2,}$/i.test(p)).map((p) => key(p));
  } catch {
    return [];
  }
}

/** "Headline | Opinion" filed under /opinion/: the section is not part of the headline. */
function stripSection(title: string, sections: string[]): string {
  if (!sections.length) return title;
  for (const sep of SEPARATORS) {
    const at = title.lastIndexOf(sep);
    if (at > 0 && sections.includes(key(title.slice(at + sep.length))) && words(title.slice(0, at)).length >= 2) return title.slice(0, at).trim();
  }
  return title;
}

/** "WFA" for "World Future Awards": the capitals of a multi-word name. */
const initials = (s: string) => (s.match(/\p{Lu}[\p{L}\p{N}]*/gu) ?? []).map((w) => w[0]).join('');

// A host name ("Newegg.com", "latimes.com") names a site; file names ("Node.js") do not.
const HOST = /^(?:[\p{L}\p{N}-]+\.)+(?!(?:js|ts|py|md|rs|sh|go|cs|rb|pl)$)(?:[a-z]{2}|com|org|net|edu|gov|info|biz|news|blog|app|dev|online|media|site)$/iu;

function isSiteName(part: string, sites: string[]): boolean {
  const k = key(part);
  if (!k) return false;
  const trimmed = part.trim();
  if (HOST.test(trimmed)) return true;
  const pw = words(part);
  return sites.some((s) => {
    const ks = key(s);
    const abbr = initials(s);
    if (abbr.length >= 2 && trimmed === abbr) return true;
    // The site's brand before its tagline ("MonsGeek - Make Cool Gear"), or its leading words
    // ("Thrive Internet Marketing" of "… Agency").
    if (SEPARATORS.some((sep) => s.includes(sep) && key(s.split(sep)[0]!) === k)) return true;
    const sw = words(s);
    if (pw.length >= 2 && pw.length * 2 >= sw.length && pw.every((w, i) => sw[i] === w)) return true;
    // The part is the site name, or contains it ("Reuters.com", "The Verge – tech news").
    return ks.length >= 2 && (ks === k || (ks.length >= 4 && k.includes(ks) && ks.length >= k.length * 0.4));
  });
}

/** The headline without a ` | Site` suffix (or `Site | ` prefix) when that part names the site. */
export function stripSiteName(title: string, sites: string[]): string {
  // "Headline (latimes.com)": an aggregator's credit to the source.
  let t = title.trim().replace(/\s+\(([^()\s]+)\)$/u, (all, host: string) => (HOST.test(host) ? '' : all));
  // A title that is the site name itself (home pages, section fronts) stays whole.
  if (sites.some((s) => key(s) === key(t))) return t;
  // "davidbau.com Vibe Coding": the site's own host name needs no separator.
  const host = /^(\S+)\s+(\S.*)$/su.exec(t);
  if (host && HOST.test(host[1]!) && sites.some((s) => key(s) === key(host[1]!))) t = host[2]!;
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

// Scripts written without spaces between words: each character counts as a word.
const UNSPACED = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Thai}\u30fc]|(?:(?![\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Thai}\u30fc])[\p{L}\p{N}])+/gu;

/** Lower-cased words of a title (letters and digits; single characters in Chinese, Japanese, Thai), for comparing candidates. */
export function words(s: string): string[] {
  return s.normalize('NFKC').toLowerCase().match(UNSPACED) ?? [];
}

/** The two titles' distinct words, and how many they share. */
function overlap(a: string, b: string): { a: number; b: number; both: number } {
  const A = new Set(words(a)), B = new Set(words(b));
  let both = 0;
  for (const w of A) if (B.has(w)) both++;
  return { a: A.size, b: B.size, both };
}

/** Dice agreement of two titles' word sets: 1 for the same words, 0 for none shared. */
export function agreement(a: string, b: string): number {
  const o = overlap(a, b);
  return o.a && o.b ? (2 * o.both) / (o.a + o.b) : 0;
}

/** Share of `a`'s words that `b` also has. */
function coveredBy(a: string, b: string): number {
  const o = overlap(a, b);
  return o.a ? o.both / o.a : 0;
}

/**
 * Cut a ` | Site` suffix (or `Site | ` prefix) that another candidate lacks while agreeing with the rest:
 * og:title "Bridge reopens | Courier" next to the visible h1 "Bridge reopens" names the site "Courier".
 */
export function stripByAgreement(title: string, others: string[]): string {
  let t = title;
  for (let round = 0; round < 3; round++) {
    const before = t;
    for (const sep of SEPARATORS) {
      const at = t.lastIndexOf(sep), first = t.indexOf(sep);
      const cuts: [string, string][] = [];
      if (at > 0) cuts.push([t.slice(0, at).trim(), t.slice(at + sep.length).trim()]);
      if (first > 0) cuts.push([t.slice(first + sep.length).trim(), t.slice(0, first).trim()]);
      // A one-word label before a colon ("Blog: Title").
      const label = /^([\p{L}\p{N}]+):\s*(.+)$/su.exec(t);
      if (label) cuts.push([label[2]!.trim(), label[1]!]);
      const cut = cuts.find(([keep, drop]) => words(keep).length >= 2 && others.some((o) =>
        key(o) !== key(t) && coveredBy(drop, o) === 0 && coveredBy(keep, o) >= 0.8 && coveredBy(o, keep) >= 0.6));
      if (cut) { t = cut[0]; break; }
    }
    if (t === before) break;
  }
  return t;
}

const QUOTED = /^\s*(["'“”‘’«»„])(.+)(["'“”‘’«»])\s*$/su;

/** Quotes wrapped around the whole title ("\"What is Git?\"" in JSON-LD) when another candidate has it bare. */
export function unquote(t: string, others: string[]): string {
  const m = QUOTED.exec(t);
  if (!m || /["“”«»„]/.test(m[2]!)) return t;
  const inner = m[2]!.trim();
  return others.some((o) => key(o) === key(inner) && !QUOTED.test(o)) ? inner : t;
}

/** The metadata titles (Readability's, JSON-LD, OpenGraph, Twitter, `<title>`), decoded, collapsed, site names cut. */
function metaTitles(page: PageMeta, rd: ReadabilityMeta, sites: string[]): string[] {
  const ld = page.jsonLd;
  // JSON-LD values (Readability's title may be one) can still hold entities such as `&nbsp;`.
  const decoded = (t: string | null | undefined) => (t && t.includes('&') ? decodeHTML(t) : t);
  const raw = [decoded(rd.title), decoded(ld?.headline), page.meta.get('og:title'), page.meta.get('twitter:title'), page.docTitle, decoded(ld?.name)]
    .filter((x): x is string => !!x && !!x.trim()).map(collapse);
  const named = [...sites, ...sharedLabels(raw)];
  return raw.map((t) => stripSiteName(t, named));
}

/**
 * A ` | Part` that titles with different headlines share is a label of the site or section, not the headline:
 * "How meditation rewires brains | Opinion" and "The full impact of meditation | Opinion".
 */
function sharedLabels(titles: string[]): string[] {
  const heads = new Map<string, Set<string>>();
  for (const t of titles) {
    for (const sep of SEPARATORS) {
      const at = t.lastIndexOf(sep);
      if (at <= 0) continue;
      const tail = t.slice(at + sep.length).trim();
      if (words(tail).length === 0 || words(tail).length > 4) continue;
      const seen = heads.get(tail) ?? new Set<string>();
      seen.add(key(t.slice(0, at)));
      heads.set(tail, seen);
    }
  }
  return [...heads].filter(([, hs]) => hs.size >= 2).map(([tail]) => tail);
}

// Agreement (Dice over words) for an h1 to count as the metadata's headline, and for an h2 to repeat it.
// Flat between 0.4 and 0.6 on both wcxb-dev halves.
const AGREE = 0.5, SAME = 0.8;
// At or below this agreement with the metadata, a lone h1 is a label: one shared word in ten.
const LABEL = 0.2;

/** How well a heading agrees with the metadata titles (best Dice over them). */
const support = (h: string, metas: string[]) => Math.max(0, ...metas.map((m) => agreement(h, m)));

const QUOTED_PART = /["“«„‘]([^"“”«»„]+)["”»“’]/gu;

/** A heading that quotes the title among other words refers to the article ("15 Replies to “Title”"): not its headline. */
function quotesTitle(h: string, metas: string[]): boolean {
  for (const m of h.matchAll(QUOTED_PART)) {
    const inner = key(m[1]!);
    if (inner !== key(h) && metas.some((t) => key(t) === inner)) return true;
  }
  return false;
}

/** Best-agreeing heading text among `hs` at or above `min` agreement (ties: h1, microdata headline, inside the article). */
function agreeing(hs: Heading[], metas: string[], min: number): string | null {
  let best: string | null = null, bestScore = 0;
  for (const h of hs) {
    // One line alone may be the headline ("Title<br>dateline", "Kicker<br>Title").
    for (const text of [h.text, ...h.lines]) {
      const a = support(text, metas);
      if (a < min) continue;
      const score = a + (h.level === 1 ? 0.15 : 0) + (h.headline ? 0.15 : 0) + (h.inMain ? 0.05 : 0);
      if (score > bestScore + 1e-9) { best = text; bestScore = score; }
    }
  }
  return best;
}

/**
 * The visible headline: an h1 the metadata agrees with (often a fuller or shorter variant of the SEO title),
 * else an h2 that repeats the metadata title, else the one h1 that sits before the body outside the page chrome.
 */
function visibleHeadline(headings: Heading[], metas: string[], sites: string[]): string | null {
  const usable = headings.filter((h) => !isSiteName(h.text, sites) && !h.chrome && words(h.text).length > 0 && !quotesTitle(h.text, metas));
  // A heading that repeats a metadata title word for word is the headline, even below a differently worded h1.
  const exact = usable.find((h) => words(h.text).length >= 3 && metas.some((m) => key(m) === key(h.text)));
  if (exact) return exact.text;
  const h1 = agreeing(usable.filter((h) => h.level !== 2), metas, AGREE);
  if (h1) return h1;
  const h2 = agreeing(usable.filter((h) => h.level === 2), metas, SAME);
  if (h2) return h2;
  // A responsive page may repeat its headline (one h1 for phones, one for desktops).
  const lead = [...new Map(usable.filter((h) => h.level === 1 && !h.afterText).map((h) => [key(h.text), h])).values()];
  // An h1 sharing hardly a word with two or more metadata titles is a section label ("VPN Services" over
  // "Private VPN Service Recommendations and Comparison"), not this page's headline.
  if (lead.length !== 1 || (metas.length >= 2 && support(lead[0]!.text, metas) <= LABEL)) return null;
  return lead[0]!.text;
}

export function pickTitle(page: PageMeta, rd: ReadabilityMeta, siteNames: string[], blocks: Block[], url: string | null): string {
  const sections = pathSections(url);
  // A heading that is a host name is the site's logo.
  const sites = [...siteNames, ...page.headings.filter((h) => HOST.test(h.text)).map((h) => h.text)];
  const metas = metaTitles(page, rd, sites).map((m) => stripSection(m, sections));
  const heading = visibleHeadline(page.headings, metas, sites);
  const others = [...(heading ? [heading] : []), ...metas, ...page.headings.filter((h) => !h.chrome).map((h) => h.text)];
  // A heading set in capitals is display type ("SUPPORTING GAAP COMPLIANCE"): the metadata spells the headline.
  const display = heading && shouted(heading) && support(heading, metas) > 0 ? null : heading;
  const pick = display ?? consensus(metas) ?? page.h1s[0] ?? blocks[0]?.text.slice(0, 200) ?? 'Untitled';
  return unquote(stripByAgreement(stripSection(stripSiteName(pick, sites), sections), others), others);
}

/** Written all in capitals: two or more cased words and no lower-case letter. */
function shouted(t: string): boolean {
  return !/\p{Ll}/u.test(t) && (t.match(/\p{Lu}{2,}/gu) ?? []).length >= 2;
}

/** The metadata title the others agree with most (ties: the earlier source). */
function consensus(metas: string[]): string | null {
  let best: string | null = null, bestScore = -1;
  for (const [i, m] of metas.entries()) {
    const score = metas.reduce((n, o, j) => n + (i === j ? 0 : agreement(m, o)), 0);
    if (score > bestScore + 1e-9) { best = m; bestScore = score; }
  }
  return best;
}
