// The publication date by agreement: JSON-LD, publication metas, <time>, the URL path and the visible dateline
// under the title each vote for a calendar day; the day with most support wins. Modified dates are not
// publication dates: they only second a day that another source names.
import { DATE_META, MODIFIED_META, type JsonLdArticle, freeTextDates, languageCode, normalizeDate } from './metadata.ts';
import type { PageMeta, ReadabilityMeta } from './page.ts';
import { LINE_MAX, labelText, ownText, walkNearTitle } from './near-title.ts';

/** A short visible text near the title that holds a year, or a `<time>` there. */
export interface DateLine { text: string; datetime: string | null; marked: 'published' | 'updated' | null }

const YEAR = /\b(?:19[5-9]\d|20[0-4]\d)\b/;
const UPDATED_WORD = /\b(?:(?:last\s+)?updated|modified|revised|edited|refreshed|aktualisiert|geändert|mis\s+à\s+jour|actualizad[oa]|atualizad[oa]|aggiornat[oa]|bijgewerkt)\b/i;
const UPDATED_MARK = /modif|updat|revis/i;
const PUBLISHED_MARK = /publish|created|posted|pubdate|issued/i;
/** Any other meta named for the publication date ("x-published-date", "publication_time"). */
const PUBLISHED_META = /(?:publish|publication|release)(?:ed)?[-_:.]?(?:date|time|at|on)$|^(?:date|time)[-_:.]?publish/;

/** Whether the element (by its itemprop, class or its parent's class) is marked as the publication or the update. */
export function markOf(el: Element): DateLine['marked'] {
  const hint = `${el.getAttribute('itemprop') ?? ''} ${el.getAttribute('class') ?? ''} ${el.parentElement?.getAttribute('class') ?? ''}`;
  // hAtom's "published updated" (a post never edited) is the publication.
  if (el.hasAttribute('pubdate') || PUBLISHED_MARK.test(hint)) return 'published';
  if (UPDATED_MARK.test(hint)) return 'updated';
  return null;
}

function dateLineAt(el: Element, title: Element): DateLine | null {
  const datetime = el.tagName === 'TIME' ? el.getAttribute('datetime') : null;
  if (!datetime && !YEAR.test(ownText(el))) return null;
  const text = labelText(el, title);
  if (!datetime && text.length > LINE_MAX) return null;
  return { text, datetime, marked: markOf(el) };
}

/** Date lines around the title (byline, dateline, kicker), nearest first. */
export function readDatelines(title: Element | null): DateLine[] {
  const out: DateLine[] = [];
  if (title) {
    walkNearTitle(title, (el) => {
      const line = dateLineAt(el, title);
      if (line) out.push(line);
      return !!line;
    });
  }
  return out;
}

/** A full day in a URL path: /2017/04/23/, /2017-04-23-slug, /20170423/. */
export function urlDate(url: string | null | undefined): string | null {
  if (!url) return null;
  let path: string;
  try {
    // Decoded first: an escaped path ("example.org%2F2017%2F04%2F23") still names its day.
    path = decodeURIComponent(url).replace(/^[a-z]+:\/\/[^/]*?(?=\/|$)/i, '');
  } catch {
    return null;
  }
  const m = /(?:^|[/_-])((?:19|20)\d\d)([/_-]?)(0[1-9]|1[0-2])\2(0[1-9]|[12]\d|3[01])(?!\d)/.exec(path);
  if (m) return normalizeDate(`${m[1]}-${m[3]}-${m[4]}`);
  // The month by name: /2023/october/03/, /2023/oct/3/.
  const named = /(?:^|\/)((?:19|20)\d\d)\/([a-z]{3,9})\/([1-9]|0[1-9]|[12]\d|3[01])(?:\/|$)/i.exec(path);
  const month = named ? MONTHS.findIndex((name) => named[2]!.toLowerCase() === name || named[2]!.toLowerCase() === name.slice(0, 3)) + 1 : 0;
  return named && month ? normalizeDate(`${named[1]}-${String(month).padStart(2, '0')}-${named[3]!.padStart(2, '0')}`) : null;
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

export type DateSource = 'jsonld' | 'meta' | 'time' | 'url' | 'line' | 'readability' | 'markup' | 'updated' | 'modified';
export interface DateVote { iso: string; source: DateSource }
/** Sources that can show a machine date to be the last save: they name an older publication day. */
const WITNESS = new Set<DateSource>(['jsonld', 'meta', 'url', 'line']);
const MACHINE = new Set<DateSource>(['jsonld', 'meta', 'time']);
const dayOf = (iso: string) => iso.slice(0, 10);

/** The dates a line names, publication first: a date after an "Updated" label is a modification. */
function lineVotes(line: DateLine, lang: string | null): DateVote[] {
  const votes: DateVote[] = [];
  const fromAttr = normalizeDate(line.datetime);
  const updatedLine = line.marked === 'updated' || (UPDATED_WORD.test(line.text) && !/publish|posted/i.test(line.text));
  if (fromAttr) votes.push({ iso: fromAttr, source: updatedLine ? 'updated' : 'line' });
  for (const d of freeTextDates(line.text, lang)) {
    // One element is one witness: the text that writes its machine-readable day adds nothing.
    if (fromAttr && dayOf(d.iso) === dayOf(fromAttr)) continue;
    const label = line.text.slice(Math.max(0, d.index - 30), d.index);
    const updated = UPDATED_WORD.test(label.split(/[|•·]/).pop() ?? '') || (line.marked === 'updated' && !PUBLISHED_MARK.test(label));
    votes.push({ iso: d.iso, source: updated ? 'updated' : 'line' });
  }
  return votes;
}

/** Every source's date, in order of trust. */
export function dateVotes(page: PageMeta, rd: ReadabilityMeta): DateVote[] {
  const votes: DateVote[] = [];
  const add = (raw: string | null | undefined, source: DateSource) => {
    const iso = normalizeDate(raw);
    if (iso) votes.push({ iso, source });
  };
  add(page.jsonLd?.datePublished, 'jsonld');
  const metaKey = DATE_META.find((k) => normalizeDate(page.meta.get(k)))
    ?? [...page.meta.keys()].find((k) => PUBLISHED_META.test(k) && normalizeDate(page.meta.get(k)));
  if (metaKey) add(page.meta.get(metaKey), 'meta');
  // The first <time> is often the dateline itself: one element is one witness.
  if (!page.datelines.some((l) => l.datetime === page.times[0])) add(page.times[0], 'time');
  const url = urlDate(page.jsonLd?.url) ?? urlDate(page.canonical) ?? urlDate(page.meta.get('og:url'));
  if (url) votes.push({ iso: url, source: 'url' });
  const lang = languageCode(page.htmlLang);
  for (const line of page.datelines) votes.push(...lineVotes(line, lang));
  add(rd.publishedTime, 'readability');
  add(page.textDate, 'markup');
  add(page.jsonLd?.dateModified, 'modified');
  const modKey = MODIFIED_META.find((k) => normalizeDate(page.meta.get(k)));
  if (modKey) add(page.meta.get(modKey), 'modified');
  return votes;
}

// A tie goes to the source met first (the order of dateVotes): a publication meta holds against one visible
// line, a JSON-LD date alone yields to it. Updates and modifications only second another source's day.
const WEIGHT: Record<DateSource, number> = {
  jsonld: 2.5, meta: 3, url: 3, line: 3, time: 2, readability: 1, markup: 1, updated: 1, modified: 0.5,
};

/** The day most sources name (the nearest visible line counts most); its best-written instant. */
export function pickDate(page: PageMeta, rd: ReadabilityMeta): string | null {
  const votes = disambiguated(localized(dateVotes(page, rd)));
  if (!votes.length) return null;
  const modified = new Set(votes.filter((v) => v.source === 'modified').map((v) => dayOf(v.iso)));
  const line = votes.find((v) => v.source === 'line');
  const oldest = votes.filter((v) => WITNESS.has(v.source)).map((v) => dayOf(v.iso)).sort()[0];
  const score = new Map<string, number>();
  for (const v of votes) {
    const day = dayOf(v.iso);
    let w = v.source === 'line' && v !== line ? 1 : WEIGHT[v.source];
    // A machine date equal to the last modification while another source names an older day is the last save.
    if (MACHINE.has(v.source) && modified.has(day) && oldest && oldest < day) w *= 0.3;
    score.set(day, (score.get(day) ?? 0) + w);
  }
  let best = votes[0]!;
  for (const v of votes) if (score.get(dayOf(v.iso))! > score.get(dayOf(best.iso))!) best = v;
  return bestInstant(votes.filter((v) => dayOf(v.iso) === dayOf(best.iso)).map((v) => v.iso));
}

/** A UTC instant that another source writes with the page's own offset takes that writing (its local day). */
function localized(votes: DateVote[]): DateVote[] {
  return votes.map((v) => {
    if (!v.iso.endsWith('Z')) return v;
    const t = Date.parse(v.iso);
    const local = votes.find((o) => !o.iso.endsWith('Z') && Math.abs(Date.parse(o.iso) - t) < 60_000);
    return local ? { ...v, iso: local.iso } : v;
  });
}

const STRUCTURED = new Set<DateSource>(['jsonld', 'meta', 'time', 'url']);

/**
 * "03/10/2023" reads as 10 March or 3 October depending on the country: a visible date whose day and month
 * could be swapped counts for the swapped day when a machine-readable source names that one.
 */
function disambiguated(votes: DateVote[]): DateVote[] {
  const named = new Set(votes.filter((v) => STRUCTURED.has(v.source)).map((v) => dayOf(v.iso)));
  return votes.map((v) => {
    if (STRUCTURED.has(v.source) || named.has(dayOf(v.iso))) return v;
    const [y, m, d] = [v.iso.slice(0, 4), v.iso.slice(5, 7), v.iso.slice(8, 10)];
    const swapped = `${y}-${d}-${m}`;
    return Number(d) <= 12 && d !== m && named.has(swapped) ? { ...v, iso: `${swapped}${v.iso.slice(10)}` } : v;
  });
}

/** Of several writings of one day, the one with a time and the page's own offset. */
function bestInstant(isos: string[]): string {
  const timed = isos.filter((d) => !d.includes('T00:00:00'));
  return timed.find((d) => !d.endsWith('Z')) ?? timed[0] ?? isos[0]!;
}

/** Is there a machine-readable publication date? (The costly text search is skipped when there is.) */
export function structuredDate(ld: JsonLdArticle | null, meta: Map<string, string>, times: string[]): string | null {
  const tries: Array<string | null | undefined> = [ld?.datePublished];
  for (const k of DATE_META) tries.push(meta.get(k));
  tries.push(...times);
  return tries.map(normalizeDate).find((d): d is string => !!d) ?? null;
}
