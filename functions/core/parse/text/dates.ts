// Publication dates from date-like header, byline and trailer lines of scraped text.
// chrono-node reads the date; this module decides whether a line is *about* the date (a dateline,
// "Posted: …", "Updated …") rather than a sentence that happens to mention a day.
import * as chrono from 'chrono-node';

// Fixed reference instant: only dates whose year, month and day are all written out are accepted,
// so the reference never leaks into a result (and parsing stays independent of the clock).
const REFERENCE = new Date(Date.UTC(2000, 0, 1));

/** Words that may surround a date on a date line without making it a sentence. */
const LABEL_WORDS = new Set([
  'posted', 'published', 'updated', 'update', 'last', 'first', 'modified', 'released', 'release', 'date', 'dated',
  'on', 'at', 'hrs', 'hr', 'h', 'am', 'pm', 'a', 'p', 'm', 'gmt', 'utc', 'et', 'est', 'edt', 'ct', 'cst', 'cdt', 'mt',
  'mst', 'mdt', 'pt', 'pst', 'pdt', 'bst', 'cet', 'cest', 'eet', 'eest', 'ist', 'aest', 'aedt', 'jst', 'msk', 'time',
  'and', 'of', 'the', 'created', 'issued', 'found', 'st', 'nd', 'rd', 'th', 'local', 'edited', 'de',
  'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday',
  'mon', 'tue', 'tues', 'wed', 'thu', 'thur', 'thurs', 'fri', 'sat', 'sun',
  'january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december',
  'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec',
]);

/** The words of `text` that are not the labels, month or day names a date line may hold. */
export function otherWords(text: string): string[] {
  return (text.toLowerCase().match(/\p{L}+/gu) ?? []).filter((w) => !LABEL_WORDS.has(w));
}

/** Longest line that can still be a date line (datelines, "Posted: …" stamps). */
const MAX_DATE_LINE = 100;
/** Other words (a place, an outlet) tolerated on a date line besides labels. */
const MAX_OTHER_WORDS = 2;

function pad(n: number, width = 2): string {
  return String(Math.trunc(Math.abs(n))).padStart(width, '0');
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  return `${sign}${pad(Math.abs(minutes) / 60)}:${pad(Math.abs(minutes) % 60)}`;
}

/**
 * ISO 8601 with offset. The written wall-clock time is kept with its written zone, so the calendar day
 * is the one printed; without a zone it is read as UTC, and without a clock time it is midnight UTC.
 */
function toIso(result: chrono.ParsedResult): string | null {
  const c = result.start;
  const year = c.get('year');
  const month = c.get('month');
  const day = c.get('day');
  if (year === null || month === null || day === null) return null;
  if (year < 1900 || year > 2100) return null;
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  // Only trust a clock time written as H:MM (detokenized stamps like "03. 31" make chrono guess hours).
  const hasClock = c.isCertain('hour') && /\d{1,2}\s?:\s?\d{2}/.test(result.text);
  const hour = hasClock ? (c.get('hour') ?? 0) : 0;
  const minute = hasClock ? (c.get('minute') ?? 0) : 0;
  const second = hasClock ? (c.get('second') ?? 0) : 0;
  const offset = hasClock && c.isCertain('timezoneOffset') ? c.get('timezoneOffset') : null;
  const zone = offset === null ? 'Z' : formatOffset(offset);
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}.000${zone}`;
}

/** The year is written out (relative words like "now" or "2 days ago" are certain to chrono, not to us). */
const WRITTEN_YEAR = /\b(?:1[89]|2\d)\d{2}\b|\b\d{1,2}\s?[/.-]\s?\d{1,2}\s?[/.-]\s?\d{2}\b/;

function isFullDate(r: chrono.ParsedResult): boolean {
  return r.start.isCertain('year') && r.start.isCertain('month') && r.start.isCertain('day') && WRITTEN_YEAR.test(r.text);
}

/**
 * If the whole line is a date stamp (optionally with a label like "Posted:", a time, a zone, a place or an
 * outlet name), the date as ISO 8601; otherwise null. Sentences that mention a day return null.
 */
export function dateLine(line: string): string | null {
  const trimmed = line.trim();
  if (!trimmed || trimmed.length > MAX_DATE_LINE) return null;
  if (!WRITTEN_YEAR.test(trimmed)) return null; // cheap gate before chrono
  const all = chrono.parse(trimmed, REFERENCE);
  const full = all.filter(isFullDate);
  const first = full[0];
  if (!first) return null;
  let rest = trimmed;
  for (const r of [...all].sort((a, b) => b.index - a.index)) {
    rest = rest.slice(0, r.index) + ' ' + rest.slice(r.index + r.text.length);
  }
  if (otherWords(rest).length > MAX_OTHER_WORDS) return null;
  return toIso(first);
}

/** The first full date inside a short fragment such as the tail of a byline ("By X | April 23, 2025"). */
export function dateInFragment(fragment: string): string | null {
  const direct = dateLine(fragment);
  if (direct) return direct;
  for (const part of fragment.split(/\s*(?:[|•·]|\s[-–—]\s)\s*/)) {
    const d = dateLine(part);
    if (d) return d;
  }
  return null;
}
