// Field-level helpers shared by the JSON and feed parsers: HTML fragments to clean text, dates to ISO 8601,
// names, URLs and language codes. Everything here is total: bad values become null, never an exception.
import * as chrono from 'chrono-node';
import { decodeHTML } from 'entities';
import { Parser } from 'htmlparser2';
import * as z from 'zod';

/** Elements whose content is never article text. */
const SKIPPED = new Set([
  'script', 'style', 'noscript', 'template', 'iframe', 'object', 'embed', 'svg', 'math', 'canvas', 'video', 'audio',
  'head', 'title', 'button', 'select', 'option', 'textarea', 'form', 'figcaption', 'nav',
]);

/** Elements that end a paragraph (or a line, for `br`). */
const BLOCKS = new Set([
  'p', 'div', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'li', 'ul', 'ol', 'dl', 'dt', 'dd', 'blockquote', 'pre',
  'section', 'article', 'header', 'footer', 'aside', 'main', 'figure', 'table', 'thead', 'tbody', 'tfoot', 'tr',
  'address', 'details', 'summary', 'center', 'body', 'html',
]);
const CELLS = new Set(['td', 'th']);

const TAG_RE = /<\/?[a-zA-Z][\w:-]*(?:\s[^<>]*)?\/?>|<!--|<!\[CDATA\[/;
const ENTITY_RE = /&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});/;

export function looksLikeHtml(s: string): boolean {
  return TAG_RE.test(s);
}

/** Paragraph list to the body format: paragraphs separated by a blank line, spaces collapsed. */
function joinParagraphs(paragraphs: string[]): string {
  return paragraphs
    .map((p) => p.replace(/\u200b/g, '').replace(/[^\S ]|\s{2,}/g, ' ').replace(/ {2,}/g, ' ').trim())
    .filter((p) => p.length > 0)
    .join('\n\n');
}

/** An HTML fragment to clean text: block elements become paragraphs, scripts and chrome are dropped. */
export function htmlToText(html: string): string {
  const paragraphs: string[] = [];
  let current = '';
  let skipDepth = 0;
  const breakParagraph = () => {
    if (current.trim()) paragraphs.push(current);
    current = '';
  };
  const parser = new Parser(
    {
      onopentag(name) {
        if (SKIPPED.has(name)) skipDepth++;
        else if (BLOCKS.has(name)) breakParagraph();
        else if (CELLS.has(name)) current += ' ';
      },
      onclosetag(name, isImplied) {
        if (SKIPPED.has(name)) {
          if (skipDepth > 0) skipDepth--;
        } else if (BLOCKS.has(name)) {
          breakParagraph();
        } else if (CELLS.has(name) && !isImplied) current += ' ';
      },
      ontext(text) {
        if (skipDepth === 0) current += text;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, recognizeSelfClosing: true },
  );
  parser.write(html);
  parser.end();
  breakParagraph();
  return joinParagraphs(paragraphs);
}

/** Plain text (maybe with stray entities) to the body format. Blank lines separate paragraphs; without any, each line is one. */
export function plainToText(text: string): string {
  let s = text.replace(/\r\n?/g, '\n');
  if (ENTITY_RE.test(s)) s = decodeHTML(s);
  const paragraphs = /\n[ \t\u00a0]*\n/.test(s) ? s.split(/\n[ \t\u00a0]*\n/) : s.split('\n');
  return joinParagraphs(paragraphs);
}

/** A field that may hold HTML or plain text, to the body format. */
export function bodyToText(value: string): string {
  return looksLikeHtml(value) ? htmlToText(value) : plainToText(value);
}

/** A one-line field (title, name): tags and entities out, whitespace collapsed. */
export function lineToText(value: string): string {
  let s = value;
  if (looksLikeHtml(s)) s = htmlToText(s);
  else if (ENTITY_RE.test(s)) s = decodeHTML(s);
  return s.replace(/[\s\u00a0\u200b\ufeff]+/g, ' ').trim();
}

/** Final paragraphs that feeds and CMS exports append to every body: links back, not article text. */
const TRAILER = /^(?:the post .{1,300} appeared first on .{1,200}|(?:continue reading|read more|read the full (?:story|article)|the rest of this (?:story|article))\b.{0,120}|\[(?:…|\.\.\.)\]|…|\.\.\.)$/i;

/** Drops those trailers and a dangling "[…]" at the end of the body. */
export function dropTrailers(text: string): string {
  const paragraphs = text.split('\n\n');
  while (paragraphs.length > 1 && TRAILER.test(paragraphs[paragraphs.length - 1]!)) paragraphs.pop();
  const last = paragraphs.length - 1;
  if (last >= 0) paragraphs[last] = paragraphs[last]!.replace(/\s*\[(?:…|\.\.\.)\]$/, '…');
  return paragraphs.join('\n\n');
}

/** A title for an entry that has none: the body's first sentence, at most 20 words. */
export function titleFromText(text: string): string | null {
  const first = text.split('\n\n')[0]?.trim();
  if (!first) return null;
  const sentence = first.match(/^[\s\S]+?[.!?](?=\s|$)/)?.[0] ?? first;
  const words = sentence.split(/\s+/);
  const title = words.length > 20 ? words.slice(0, 20).join(' ') : sentence;
  return title.trim() || null;
}

// ---------------------------------------------------------------- dates

function pad(n: number, width = 2): string {
  return String(Math.trunc(Math.abs(n))).padStart(width, '0');
}

function formatOffset(minutes: number): string {
  if (minutes === 0) return 'Z';
  const sign = minutes < 0 ? '-' : '+';
  return `${sign}${pad(Math.abs(minutes) / 60)}:${pad(Math.abs(minutes) % 60)}`;
}

function plausibleYear(y: number): boolean {
  return y >= 1900 && y <= 2200;
}

function fromEpoch(value: number): string | null {
  if (!Number.isFinite(value) || value <= 0) return null;
  const ms = value < 1e11 ? value * 1000 : value; // seconds or milliseconds
  const d = new Date(ms);
  if (Number.isNaN(d.getTime()) || !plausibleYear(d.getUTCFullYear())) return null;
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function build(year: number, month: number, day: number, hour: number, minute: number, second: number, offset: number): string | null {
  if (!plausibleYear(year) || Math.abs(offset) > 18 * 60) return null;
  // Round-trip through Date.UTC to refuse impossible calendar dates (Feb 30, 25:00).
  const check = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || check.getUTCHours() !== hour || check.getUTCMinutes() !== minute) {
    return null;
  }
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hour)}:${pad(minute)}:${pad(second)}${formatOffset(offset)}`;
}

function parseOffset(zone: string | undefined): number {
  if (!zone || /^(z|gmt|ut|utc)$/i.test(zone)) return 0;
  const named = US_ZONES[zone.toUpperCase()];
  if (named !== undefined) return named;
  const m = zone.match(/^([+-])(\d{2}):?(\d{2})$/);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

const US_ZONES: Record<string, number> = { EST: -300, EDT: -240, CST: -360, CDT: -300, MST: -420, MDT: -360, PST: -480, PDT: -420 };
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** Fast path for ISO 8601 (the common case). `undefined` means "not this shape", null "this shape but invalid". */
function isoDate(s: string): string | null | undefined {
  const m = s.match(/^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i);
  if (!m) return undefined;
  const zone = m[7] && /^[+-]\d{2}$/.test(m[7]) ? `${m[7]}00` : m[7];
  return build(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), parseOffset(zone));
}

/** Fast path for RFC 822 / RFC 1123 dates, the RSS `pubDate` format. */
function rfc822Date(s: string): string | null | undefined {
  const m = s.match(/^(?:[A-Za-z]{3,9},?\s+)?(\d{1,2})\s+([A-Za-z]{3})[A-Za-z]*\.?\s+(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(GMT|UTC?|Z|[+-]\d{2}:?\d{2}|[ECMP][SD]T)?$/i);
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[2]!.toLowerCase()) + 1;
  if (month === 0) return undefined;
  return build(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0), parseOffset(m[7]));
}

/**
 * A date from a field (RFC 822, ISO 8601, "January 5, 2024", epoch number) to ISO 8601 with its original offset
 * (`Z` when none is given). Relative or partial dates ("yesterday", "May 5") and garbage give null.
 * No clock is read: a date without a year is refused rather than guessed.
 */
export function normaliseDate(value: unknown): string | null {
  if (typeof value === 'number') return fromEpoch(value);
  if (typeof value !== 'string') return null;
  const s = value.trim();
  if (!s || s.length > 200) return null;
  if (/^\d{9,13}$/.test(s)) return fromEpoch(Number(s));
  const fast = isoDate(s) ?? rfc822Date(s);
  if (fast !== undefined) return fast;
  let results: chrono.ParsedResult[];
  try {
    results = chrono.strict.parse(s, { instant: new Date(Date.UTC(2000, 0, 1)), timezone: 0 });
  } catch {
    return null;
  }
  const start = results[0]?.start;
  if (!start || !start.isCertain('year') || !start.isCertain('month') || !start.isCertain('day')) return null;
  const year = start.get('year') ?? NaN;
  const month = start.get('month') ?? NaN;
  const day = start.get('day') ?? NaN;
  const timed = start.isCertain('hour');
  const hour = timed ? start.get('hour') ?? 0 : 0;
  const minute = timed ? start.get('minute') ?? 0 : 0;
  const second = timed ? start.get('second') ?? 0 : 0;
  const offset = start.isCertain('timezoneOffset') ? start.get('timezoneOffset') ?? 0 : 0;
  return build(year, month, day, hour, minute, second, offset);
}

// ---------------------------------------------------------------- names, urls, languages

const HttpUrl = z.url({ protocol: /^https?$/ });

/** An absolute http(s) URL, resolved against `base` when relative; anything else gives null. */
export function normaliseUrl(value: unknown, base?: string | null): string | null {
  if (typeof value !== 'string') return null;
  const s = value.trim();
  if (!s || s.length > 4096) return null;
  let href: string;
  try {
    href = base ? new URL(s, base).href : new URL(s).href;
  } catch {
    return null;
  }
  return HttpUrl.safeParse(href).success ? href : null;
}

/** A person or organisation name: "jdoe@x.org (Jane Doe)" gives "Jane Doe"; a bare e-mail address gives null. */
export function normaliseName(value: string): string | null {
  let s = lineToText(value);
  const inParens = s.match(/^\S+@\S+\s*\(([^)]+)\)$/);
  if (inParens?.[1]) s = inParens[1].trim();
  const angled = s.match(/^(.+?)\s*<\S+@\S+>$/);
  if (angled?.[1]) s = angled[1].trim().replace(/^"(.*)"$/, '$1');
  if (/^\S+@\S+\.\S+$/.test(s)) return null;
  s = s.replace(/^by\s+/i, '').trim();
  if (!s || s.length > 300) return null;
  return s;
}

/** Several names to one field, without repeats. */
export function joinNames(names: Array<string | null | undefined>): string | null {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const n of names) {
    const clean = n ? normaliseName(n) : null;
    if (clean && !seen.has(clean.toLowerCase())) {
      seen.add(clean.toLowerCase());
      out.push(clean);
    }
  }
  return out.length ? out.join(', ') : null;
}

/** "en-US", "EN", "en_gb" give "en"; anything that is not a two-letter primary subtag gives null. */
export function normaliseLanguage(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const m = value.trim().toLowerCase().match(/^([a-z]{2})(?:[-_][a-z0-9]+)*$/);
  return m?.[1] ?? null;
}

/** Compact one-line description of zod issues for an error message. */
export function describeIssues(error: z.ZodError): string {
  const parts = error.issues.slice(0, 3).map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
  if (error.issues.length > 3) parts.push(`${error.issues.length - 3} more`);
  return parts.join('; ');
}
