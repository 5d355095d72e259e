// The byline by agreement: JSON-LD people, the visible "By …" line under the title, meta tags, Readability's
// byline and author markup. An outlet's name is a publisher, not an author: it is only the last resort.
import { AUTHOR_META, isUrl } from './metadata.ts';
import { elementsOf } from './cleanup.ts';
import { LINE_MAX, labelText, ownText, walkNearTitle } from './near-title.ts';
import type { PageMeta, ReadabilityMeta } from './page.ts';
import { collapse } from './text.ts';
import { otherWords } from '../text/dates.ts';
import { key } from './title.ts';

// "By", "Written by", "Words:", "Author:" and the like, in the languages chrono reads too.
const BY = /(?:^|[\s|•·(])(?:(?:written|words|posted|story|text|reporting|published)\s+by|by|words|authors?|contributors?|von|par|por|di|door|av|af|autor(?:a|in)?|auteur)\s*[:：]?\s+(?=\S)/i;
const BY_ALL = new RegExp(BY.source, 'gi');
// Credits that name someone else than the writer.
const NOT_AUTHOR = /(?:review|edit|check|updat|photo|illustrat|image|video|produc|design|translat|narrat|compil|curat|sponsor|present|powered)\w*\s*(?:by)?\s*[:：]?\s*$/i;
const AUTHOR_MARK = /\b(?:author|byline|writer|contributor)s?\b|p-author/i;
// Where a byline's name ends: separators, dates, labels and counters that follow it.
const NAME_END = /\s*(?:[|•·⋅∙●–—]|\s-\s|\s\d|\s\p{L}+\s?:|\b(?:updated|published|posted|on|at|last|edited|reviewed|fact[-\s]checked|medically|(?:mon|tues|wednes|thurs|fri|satur|sun)day|share|follow|min(?:ute)?s?\s+read|read\s+time|\d+\s*min)\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d|\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))/iu;

function cleanAuthor(raw: string): string | null {
  let a = collapse(raw.replace(/&amp;/g, '&')).replace(/^(?:by|von|par|por|di|door|av|af)\s+/i, '').replace(/^[|,:;\s-]+|[|,:;\s-]+$/g, '');
  if (!a || a.length > 120 || isUrl(a) || a.startsWith('@') || !/\p{L}/u.test(a)) return null;
  // A single token with digits is a user handle ("CC7567"), not a name.
  if (!/\s/.test(a) && /\d/.test(a)) return null;
  a = a.replace(/\s+(?:updated|published|posted)\b.*$/i, '').trim();
  // Labels without a name ("Jun 2 Written By", "About the Author").
  if (/(?:^|\s)(?:written\s+)?by$|^(?:author|authors|about the author|admin|administrator)$/i.test(a)) return null;
  return a && !isDateStamp(a) ? a : null;
}

/** A date or time stamp ("Sat, 20 Dec, 2025 - 06:36", "Updated March 13, 2024") where a name was expected. */
function isDateStamp(a: string): boolean {
  return /\d/.test(a) && otherWords(a).length === 0;
}

/** The name in a visible byline: after "By", up to the date, the separator or the next label. */
export function bylineName(text: string, marked: boolean): string | null {
  // "Reviewed by X", "Photos by X": someone else's credit; the writer may come after it.
  const m = [...text.matchAll(BY_ALL)].find((x) => !NOT_AUTHOR.test(text.slice(0, x.index + x[0].length).replace(/\s*\bby\s*[:：]?\s*$/i, '')));
  let rest: string;
  if (m) rest = text.slice(m.index + m[0].length);
  else if (marked && !BY.test(text)) rest = text;
  else return null;
  const end = NAME_END.exec(rest);
  // "by jdoe 18th Dec": a user name right after a leading "by" is what the page shows as the author.
  const handle = m?.index === 0 ? /^[\p{L}\d][\p{L}\d._-]{2,30}$/u.exec((end ? rest.slice(0, end.index) : rest).trim()) : null;
  if (handle && isHandle(handle[0])) return handle[0];
  // Comma-separated names, up to the first part that is a role ("Jane Doe, CEO of Acme").
  const parts = (end ? rest.slice(0, end.index) : rest).split(/\s*,\s*/).filter(Boolean);
  const k = parts.findIndex((p) => !looksLikeNames(p));
  const name = parts.slice(0, k < 0 ? parts.length : k).join(', ');
  // Without "By", one word ("Top", "Home") is too little to call a name.
  if (!m && !/\s/.test(name)) return null;
  return name && name.length <= 80 ? cleanAuthor(name) : null;
}

// Words a name list may hold in lower case: particles and connectors.
const LOWER_OK = /^(?:and|und|et|y|e|en|och|og|&|de|da|di|del|della|der|den|van|von|du|le|la|dos|das|bin|ibn|al|el|ter|zu)$/;

/** Capitalised words (initials, particles and "and" allowed), no digits: "Jane Doe and J. R. Smith". */
function looksLikeNames(s: string): boolean {
  const words = s.split(/[\s,]+/).filter(Boolean);
  if (!words.length || words.length > 12 || /\d/.test(s)) return false;
  return words.every((w) => /^\p{Lu}/u.test(w) || LOWER_OK.test(w)) && words.some((w) => /^\p{Lu}/u.test(w));
}

/** Byline texts around the title: an element that says "By …" or is marked as the author, nearest first. */
export interface Byline { text: string; marked: boolean; far?: boolean }

export function readBylines(title: Element | null, body: Element | null): Byline[] {
  const out: Byline[] = [];
  if (title) walkNearTitle(title, (el) => {
    const own = ownText(el);
    const hint = `${el.getAttribute('class') ?? ''} ${el.getAttribute('itemprop') ?? ''} ${el.getAttribute('rel') ?? ''}`;
    const marked = AUTHOR_MARK.test(hint);
    // A label alone ("<span>By</span> <a>Jane Doe</a>") counts: the name is in its parent's text.
    if (!marked && !BY.test(` ${own} X`)) return false;
    const text = labelText(el, title);
    if (text.length > LINE_MAX || out.some((o) => o.text === text)) return false;
    out.push({ text, marked });
    return true;
  }, { after: 500, before: 150, maxAfter: 3, maxBefore: 1 });
  if (!out.length && body) out.push(...farBylines(body, title));
  return out;
}

// A line that starts with the credit: "Written by Jane Doe", "By: Jane Doe", "Posted by Jane Doe".
const BY_START = /^(?:(?:written|posted|words)\s+)?by\s*[:：]?(?:\s|$)/i;

/** Does the element's first own text open with the credit? (Cheap: most elements fail on the first letter.) */
function startsWithBy(el: Element): boolean {
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType !== 3) continue;
    const t = (n.textContent ?? '').trimStart();
    if (t) return (t[0] === 'b' || t[0] === 'B' || t[0] === 'w' || t[0] === 'W' || t[0] === 'p' || t[0] === 'P') && BY_START.test(t);
  }
  return false;
}

/** "Written by …" lines anywhere in the page (an author box after the article): a last resort, first two. */
function farBylines(body: Element, title: Element | null): Byline[] {
  const out: Byline[] = [];
  for (const el of elementsOf(body)) {
    if (!startsWithBy(el) || el.closest('footer, nav')) continue;
    // The line must open with the credit ("Content management by X" credits a vendor).
    const text = labelText(el, title);
    if (text.length <= LINE_MAX && BY_START.test(text) && bylineName(text, false)) out.push({ text, marked: false, far: true });
    if (out.length >= 2) break;
  }
  return out;
}

/** Twitter's label/data card pairs: `twitter:label1` "Written by", `twitter:data1` the name. */
function labelledAuthor(meta: Map<string, string>): string | null {
  for (let i = 1; i <= 4; i++) if (/^(?:written\s+)?by$|^authors?$/i.test(meta.get(`twitter:label${i}`) ?? '')) return meta.get(`twitter:data${i}`) ?? null;
  return null;
}

/** A user name ("andrew.keaveney", "j_doe", "jsteinhardt", an e-mail) rather than a person's name. */
function isHandle(a: string): boolean {
  return !/\s/.test(a) && (/[._@\d]/.test(a) || a === a.toLowerCase());
}

export function pickAuthor(page: PageMeta, rd: ReadabilityMeta, sites: string[]): string | null {
  const isSite = (a: string) => sites.some((s) => key(s) === key(a));
  const ld = (page.jsonLd?.authors ?? []).map(cleanAuthor).filter((a): a is string => !!a && !isSite(a));
  const people = ld.filter((a) => !isHandle(a)).slice(0, 6);
  if (people.length) return people.join(', ');
  const name = (b: Byline) => bylineName(b.text, b.marked);
  const candidates = [
    ...page.bylines.filter((b) => !b.far).map(name),
    ...AUTHOR_META.map((k) => page.meta.get(k)),
    labelledAuthor(page.meta),
    rd.byline,
    ...page.markupAuthors,
    ...page.bylines.filter((b) => b.far).map(name),
  ];
  // User names and the outlet's own name stand in only when no person is named.
  let handle: string | null = ld[0] ?? null, outlet: string | null = null;
  for (const c of candidates) {
    const a = c ? cleanAuthor(c) : null;
    if (!a) continue;
    if (isSite(a)) outlet ??= a;
    else if (isHandle(a)) handle ??= a;
    else return a;
  }
  const org = (page.jsonLd?.authorOrgs ?? []).map(cleanAuthor).find((a) => !!a);
  return handle ?? siteOwner(sites) ?? outlet ?? org ?? null;
}

const OWNED = /^(\p{Lu}[\p{L}.'’ -]{0,40}?)['’]s\s+(?:blog|weblog|site|website|journal|notes|newsletter|homepage)$/iu;

/** The person a site is named for ("Colin Watson's blog"): the writer of a personal site that names nobody else. */
function siteOwner(sites: string[]): string | null {
  for (const s of sites) {
    const m = OWNED.exec(s.trim());
    if (m && looksLikeNames(m[1]!)) return m[1]!;
  }
  return null;
}
