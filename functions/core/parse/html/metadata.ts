// Article metadata from the page head: JSON-LD first, then OpenGraph / meta tags, then the markup itself.
import * as chrono from 'chrono-node';

export interface JsonLdArticle {
  headline: string | null;
  name: string | null;
  /** People named as author (or untyped names). */
  authors: string[];
  /** Organizations named as author: a fallback, an outlet is a publisher rather than an author. */
  authorOrgs: string[];
  datePublished: string | null;
  dateModified: string | null;
  publisher: string | null;
  url: string | null;
  language: string | null;
  articleBody: string | null;
  siteName: string | null;
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);
const str = (x: unknown): string | null => (typeof x === 'string' && x.trim() ? x.trim() : null);

const ARTICLE_TYPE = /^(?:https?:\/\/schema\.org\/)?(?:\w*Article|Report|BlogPosting|LiveBlogPosting|SocialMediaPosting|DiscussionForumPosting|Posting|OpinionNewsArticle|ReportageNewsArticle|AnalysisNewsArticle|ReviewNewsArticle|BackgroundNewsArticle)$/i;

/** Lenient JSON parse: CDATA wrappers, raw control characters, trailing commas and `;` are common. */
export function parseJsonLoose(raw: string): unknown {
  const text = raw.replace(/^\s*(?:<!--|<!\[CDATA\[)|(?:-->|\]\]>)\s*$/g, '').trim().replace(/;\s*$/, '');
  try {
    return JSON.parse(text);
  } catch {
    // Raw newlines inside strings: escape them (keeps paragraph breaks), else blank every control character.
    const noTrailing = text.replace(/,\s*([}\]])/g, '$1');
    try {
      return JSON.parse(noTrailing.replace(/\r?\n/g, '\\n').replace(/[\u0000-\u001f]/g, ' '));
    } catch {
      try {
        return JSON.parse(noTrailing.replace(/[\u0000-\u001f]+/g, ' '));
      } catch {
        return undefined;
      }
    }
  }
}

function typesOf(o: Obj): string[] {
  const t = o['@type'];
  return (Array.isArray(t) ? t : [t]).filter((x): x is string => typeof x === 'string');
}

/** Every object in the JSON-LD blocks (arrays, `@graph`, nested values), breadth-first, bounded. */
function allObjects(blocks: unknown[]): Obj[] {
  const out: Obj[] = [];
  const queue: Array<{ v: unknown; d: number }> = blocks.map((v) => ({ v, d: 0 }));
  while (queue.length && out.length < 2000) {
    const { v, d } = queue.shift()!;
    if (d > 8) continue;
    if (Array.isArray(v)) for (const x of v) queue.push({ v: x, d: d + 1 });
    else if (isObj(v)) {
      out.push(v);
      for (const [k, x] of Object.entries(v)) if (k !== 'articleBody' && typeof x === 'object') queue.push({ v: x, d: d + 1 });
    }
  }
  return out;
}

const ORG_TYPE = /Organi[sz]ation|Corporation|NewsMedia|Brand|WebSite|Company|Team|LocalBusiness|GovernmentOrganization/i;

/** Author names from an `author` value; `orgs` selects the organizations instead of the people. */
function personNames(x: unknown, byId: Map<string, Obj>, orgs = false, depth = 0): string[] {
  if (depth > 3) return [];
  if (typeof x === 'string') return !orgs && x.trim() && !isUrl(x) ? [x.trim()] : [];
  if (Array.isArray(x)) return x.flatMap((y) => personNames(y, byId, orgs, depth + 1));
  if (!isObj(x)) return [];
  const ref = str(x['@id']);
  const o = ref && !str(x.name) && byId.has(ref) ? byId.get(ref)! : x;
  const isOrg = typesOf(o).some((t) => ORG_TYPE.test(t)) && !typesOf(o).some((t) => /Person/i.test(t));
  if (isOrg !== orgs) return [];
  const name = o.name;
  if (typeof name === 'string') return name.trim() && !isUrl(name) ? [name.trim()] : [];
  const given = str(o.givenName), family = str(o.familyName);
  if (given || family) return [[given, family].filter(Boolean).join(' ')];
  return [];
}

function orgName(x: unknown, byId: Map<string, Obj>): string | null {
  if (typeof x === 'string') return str(x);
  if (Array.isArray(x)) return orgName(x[0], byId);
  if (!isObj(x)) return null;
  const ref = str(x['@id']);
  const o = ref && !str(x.name) && byId.has(ref) ? byId.get(ref)! : x;
  return str(o.name);
}

export function readJsonLd(blocks: string[]): JsonLdArticle | null {
  const parsed = blocks.map(parseJsonLoose).filter((x) => x !== undefined);
  const objs = allObjects(parsed);
  const byId = new Map<string, Obj>();
  for (const o of objs) { const id = str(o['@id']); if (id && !byId.has(id)) byId.set(id, o); }
  const articles = objs.filter((o) => typesOf(o).some((t) => ARTICLE_TYPE.test(t)));
  // Prefer the article with a body, then one with a headline.
  const art = articles.find((o) => str(o.articleBody)) ?? articles.find((o) => str(o.headline)) ?? articles[0];
  const site = objs.find((o) => typesOf(o).includes('WebSite'));
  if (!art) {
    // No article object: a WebPage still dates the page.
    const page = objs.find((o) => typesOf(o).some((t) => t.endsWith('WebPage')) && str(o.datePublished));
    if (!site && !page) return null;
    return {
      headline: null, name: null, authors: [], authorOrgs: [], datePublished: page ? str(page.datePublished) : null, dateModified: page ? str(page.dateModified) : null,
      publisher: null, url: null, language: null, articleBody: null, siteName: site ? str(site.name) : null,
    };
  }
  const main = art.mainEntityOfPage;
  const url = str(art.url) ?? (typeof main === 'string' ? str(main) : isObj(main) ? str(main['@id']) ?? str(main.url) : null);
  const lang = art.inLanguage;
  return {
    headline: str(art.headline),
    name: str(art.name),
    authors: [...new Set(personNames(art.author ?? art.creator, byId))],
    authorOrgs: [...new Set(personNames(art.author ?? art.creator, byId, true))],
    datePublished: str(art.datePublished) ?? str(art.dateCreated) ?? str(art.uploadDate),
    dateModified: str(art.dateModified),
    publisher: orgName(art.publisher, byId) ?? orgName(art.sourceOrganization, byId),
    url,
    language: typeof lang === 'string' ? lang : isObj(lang) ? str(lang.alternateName) ?? str(lang.name) : null,
    articleBody: str(art.articleBody),
    siteName: site ? str(site.name) : null,
  };
}

export function isUrl(s: string): boolean {
  return /^(?:https?:)?\/\/\S+$/i.test(s.trim()) || /^www\.\S+$/i.test(s.trim());
}

/** Absolute http(s) URL or null. */
export function absoluteUrl(s: string | null | undefined): string | null {
  if (!s) return null;
  try {
    const u = new URL(s.trim());
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/** ISO 639-1 code from a language tag like `en-US`, `pt_BR`, `fr`. */
export function languageCode(tag: string | null | undefined): string | null {
  const m = /^\s*([a-z]{2})(?:[-_][a-z0-9]+)*\s*$/i.exec(tag ?? '');
  return m ? m[1]!.toLowerCase() : null;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const MIN_YEAR = 1900, MAX_YEAR = 2100;

function validDate(y: number, mo: number, d: number, h = 0, mi = 0, s = 0): boolean {
  if (y < MIN_YEAR || y > MAX_YEAR || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60) return false;
  return d <= new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

/**
 * A date as ISO 8601 with an offset, keeping the page's own offset (so the local calendar day stays).
 * ISO-like strings are read directly; epoch numbers and free text go through chrono (fully specified dates only).
 */
export function normalizeDate(raw: string | null | undefined): string | null {
  const s = (raw ?? '').trim();
  if (!s) return null;
  const iso = /^(\d{4})-?(\d{2})-?(\d{2})(?:[T\s]+(\d{1,2}):?(\d{2})(?::?(\d{2})(?:[.,]\d+)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?)?/i.exec(s);
  if (iso) {
    const [y, mo, d, h, mi, se] = [1, 2, 3, 4, 5, 6].map((i) => (iso[i] ? Number(iso[i]) : 0)) as [number, number, number, number, number, number];
    if (!validDate(y, mo, d, h, mi, se)) return null;
    let off = 'Z';
    const z = iso[7];
    if (z && /^[+-]/.test(z)) {
      const digits = z.replace(':', '');
      off = `${digits.slice(0, 3)}:${digits.length >= 5 ? digits.slice(3, 5) : '00'}`;
    }
    return `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(se)}${off}`;
  }
  if (/^\d{10}(?:\d{3})?$/.test(s)) {
    const ms = s.length === 13 ? Number(s) : Number(s) * 1000;
    const dt = new Date(ms);
    return dt.getUTCFullYear() >= MIN_YEAR && dt.getUTCFullYear() <= MAX_YEAR ? dt.toISOString().replace(/\.\d{3}Z$/, 'Z') : null;
  }
  return freeTextDate(s);
}

const LOCALES: Record<string, { parse: typeof chrono.parse } | undefined> = {
  de: chrono.de, fr: chrono.fr, es: chrono.es, pt: chrono.pt, nl: chrono.nl, it: chrono.it, sv: chrono.sv, fi: chrono.fi,
  ru: chrono.ru, uk: chrono.uk, ja: chrono.ja, zh: chrono.zh,
};

// A fixed reference instant: core code has no clock, and only fully specified dates are accepted anyway.
const REF = new Date(Date.UTC(2000, 0, 1));

/** First fully specified (day, month and year written out) date in free text, or null. */
export function freeTextDate(text: string): string | null {
  return freeTextDates(text)[0]?.iso ?? null;
}

/** Every fully specified date in free text (first 400 characters), with where it starts. */
export function freeTextDates(text: string, lang?: string | null): Array<{ iso: string; index: number }> {
  const sample = text.slice(0, 400);
  // Only a written-out year is accepted below: without four such digits chrono (costly) cannot succeed.
  if (!/(?:1[89]|2[01])\d\d/.test(sample)) return [];
  let results: chrono.ParsedResult[];
  try {
    results = chrono.parse(sample, REF);
    // Month names in the page's own language ("19. Dezember 2025", "5 de marzo de 2024").
    const local = lang && lang !== 'en' ? LOCALES[lang] : undefined;
    if (!results.length && local) results = local.parse(sample, REF);
  } catch {
    return [];
  }
  const out: Array<{ iso: string; index: number }> = [];
  for (const r of results) {
    const c = r.start;
    // A written-out year: relative phrases ("3 hours ago") resolve against the reference and are refused.
    if (!/\b(?:1[89]|2[01])\d\d\b/.test(r.text)) continue;
    if (!c.isCertain('year') || !c.isCertain('month') || !c.isCertain('day')) continue;
    const y = c.get('year')!, mo = c.get('month')!, d = c.get('day')!;
    const hasTime = c.isCertain('hour');
    const h = hasTime ? c.get('hour')! : 0, mi = hasTime ? c.get('minute') ?? 0 : 0;
    if (!validDate(y, mo, d, h, mi)) continue;
    const tz = c.isCertain('timezoneOffset') ? c.get('timezoneOffset') : null;
    let off = 'Z';
    if (typeof tz === 'number' && tz !== 0) off = `${tz < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(tz) / 60))}:${pad(Math.abs(tz) % 60)}`;
    out.push({ iso: `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:00${off}`, index: r.index });
  }
  return out;
}

/** Is this short line only a date (and maybe a time / weekday / one label word)? */
export function isDateLine(text: string): boolean {
  if (text.length > 80 || !/\b(?:1[89]|2[01])\d\d\b/.test(text)) return false;
  let results: chrono.ParsedResult[];
  try {
    results = chrono.parse(text, REF);
  } catch {
    return false;
  }
  const dated = results.filter((r) => /\b(?:1[89]|2[01])\d\d\b/.test(r.text));
  if (!dated.length) return false;
  let rest = text;
  for (const r of dated) rest = rest.replace(r.text, ' ');
  return rest.split(/[^\p{L}]+/u).filter((w) => w.length > 1).length <= 2;
}

/** `<meta>` values by lower-cased name / property / itemprop / http-equiv (first one wins). */
export function metaValues(doc: Document): Map<string, string> {
  const values = new Map<string, string>();
  for (const el of Array.from(doc.getElementsByTagName('meta'))) {
    const content = el.getAttribute('content');
    if (!content || !content.trim()) continue;
    for (const attr of ['property', 'name', 'itemprop', 'http-equiv']) {
      const keys = el.getAttribute(attr);
      if (!keys) continue;
      for (const key of keys.toLowerCase().split(/\s+/)) if (key && !values.has(key)) values.set(key, content.trim());
    }
  }
  return values;
}

export const DATE_META = [
  'article:published_time', 'og:article:published_time', 'article:published', 'datepublished', 'og:published_time',
  'parsely-pub-date', 'sailthru.date', 'publish-date', 'publishdate', 'publish_date', 'pubdate', 'date', 'dc.date.issued',
  'dc.date', 'dcterms.date', 'dcterms.issued', 'dcterms.created', 'dc.date.created', 'article.published', 'article_date_original',
  'originalpublicationdate', 'cxenseparse:recs:publishtime', 'datecreated', 'og:pubdate', 'pub_date', 'displaydate', 'timestamp',
];
/** When the page last changed: not a publication date, only a witness for one. */
export const MODIFIED_META = ['article:modified_time', 'og:article:modified_time', 'datemodified', 'og:updated_time', 'last-modified', 'dc.date.modified', 'dcterms.modified'];
export const AUTHOR_META = ['author', 'article:author', 'parsely-author', 'sailthru.author', 'dc.creator', 'dcterms.creator', 'byl', 'og:article:author', 'article:author_name'];
