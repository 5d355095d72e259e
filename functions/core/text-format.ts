// Text formatting shared by the renderer, the email builder and delivery: dates, one-line headers, safe links,
// the subject line. No template engine or HTML tooling here, so the deliver function can use it without them.
import type { Edition, EditionStory } from './edition.ts';
import { mailedStories } from './mailed.ts';

const LANGUAGE_NAMES = new Intl.DisplayNames(['en'], { type: 'language' });
const DAY = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const LONG_DAY = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const DAY_MONTH = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const TIME = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' });

/**
 * Wrap plain text at `width` columns, keeping words whole (a word longer than the width, like a URL,
 * gets a line of its own). Leading spaces of the text are kept on the first line; continuation lines
 * get `indent`.
 */
export function wrapText(text: string, width = 72, indent = ''): string {
  const lead = text.match(/^ */)?.[0] ?? '';
  const lines: string[] = [];
  let line = lead;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const empty = line === lead || line === indent;
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else {
      line = empty ? line + word : `${line} ${word}`;
    }
  }
  if (line.trim()) lines.push(line);
  return lines.join('\n');
}

export function parseDate(iso: unknown): Date | null {
  if (typeof iso !== 'string') return null;
  const d = new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function formatDay(iso: unknown): string {
  const d = parseDate(iso);
  return d ? DAY.format(d) : '';
}

/**
 * Formatted dates by input string: a large edition formats each article's date in the page, the email and the
 * text, and Intl formatting took over a tenth of its rendering. Emptied when it grows past a bound.
 */
const whenCache = new Map<string, string>();

/** "23 Apr 2025", or "23 Apr 2025, 14:05 UTC" when the source gave a time of day. */
export function formatWhen(iso: unknown): string {
  if (typeof iso !== 'string') return '';
  let out = whenCache.get(iso);
  if (out === undefined) {
    const d = parseDate(iso);
    const midnight = d !== null && d.getUTCHours() === 0 && d.getUTCMinutes() === 0 && d.getUTCSeconds() === 0;
    out = !d ? '' : midnight ? DAY.format(d) : `${DAY.format(d)}, ${TIME.format(d)} UTC`;
    if (whenCache.size >= 50_000) whenCache.clear();
    whenCache.set(iso, out);
  }
  return out;
}

/** Only http(s) links reach the output; anything else (javascript:, data:, mailto:) renders as no link. */
export function safeUrl(url: unknown): string | null {
  if (typeof url !== 'string') return null;
  try {
    const u = new URL(url.trim());
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/** A header-safe single line: control characters (CR, LF, tabs, NUL…) become spaces, runs collapse, length capped at a word. */
export function oneLine(text: string, max = 160): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.–—-]+$/, '')}…`;
}

export function languageName(code: unknown): string {
  if (typeof code !== 'string') return '';
  try {
    return LANGUAGE_NAMES.of(code) ?? code;
  } catch {
    return code;
  }
}

/** `base` + `path`, for links in the email; null without a valid http(s) base. */
export function publicUrl(base: string | null | undefined, path: string): string | null {
  const root = safeUrl(base);
  if (!root) return null;
  return safeUrl(new URL(path, root.endsWith('/') ? root : `${root}/`).href);
}

/** The title, the day, and the email's top story (see mailedStories) with how many more it carries. */
export function editionSubject(edition: Edition): string {
  const mailed = mailedStories(edition);
  const top = mailed[0];
  const day = formatDay(edition.edition);
  if (!top) return oneLine(`${edition.title} — ${day}`);
  const more = mailed.length - 1;
  const tail = more > 0 ? ` (+${more} more)` : '';
  return oneLine(`${oneLine(edition.title, 40)} — ${day}: ${oneLine(top.headline, 110)}${tail}`, 178);
}

/** The inbox preview: the counts (new and developing, against a previous edition), then the email's top headlines. */
export function editionPreheader(edition: Edition): string {
  const s = edition.counts.stories;
  const parts = mailedStories(edition).slice(0, 3).map((st) => oneLine(st.headline, 70));
  const { new: fresh, developing } = edition.counts;
  const counts = edition.previous
    ? `${fresh} new, ${developing} developing since ${formatDayMonth(edition.previous)}`
    : `${s} ${s === 1 ? 'story' : 'stories'} from ${edition.counts.outlets} ${edition.counts.outlets === 1 ? 'outlet' : 'outlets'}`;
  return oneLine(parts.length ? `${counts}: ${parts.join(' · ')}` : counts, 150);
}

/** "Sunday 22 November 2026". */
export function formatLongDay(iso: unknown): string {
  const d = parseDate(iso);
  return d ? LONG_DAY.format(d) : '';
}

/** "23 Apr". */
export function formatDayMonth(iso: unknown): string {
  const d = parseDate(iso);
  return d ? DAY_MONTH.format(d) : '';
}

/** Outlets of the story's articles named in `ids`, in story order. */
function outletsOf(story: EditionStory, ids: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const e of story.entries) {
    for (const [id, p] of [[e.id, e.publisher] as const, ...e.copies.map((c) => [c.articleId, c.publisher] as const)]) {
      if (p && ids.has(id) && !out.includes(p)) out.push(p);
    }
  }
  return out;
}

/** What is new about a developing story, in one line: "+3 articles since 23 Apr: Reuters, BBC, Le Monde; new headline". */
export function changeLine(story: EditionStory): string {
  const c = story.changes;
  if (!c) return '';
  const n = c.articlesAdded.length;
  const since = formatDayMonth(c.since);
  const outlets = outletsOf(story, new Set(c.articlesAdded));
  const added = n > 0 ? `+${n} ${n === 1 ? 'article' : 'articles'} since ${since}${outlets.length ? `: ${outlets.join(', ')}` : ''}` : '';
  if (c.headlineBefore === null) return added;
  return added ? `${added}; new headline` : `New headline since ${since}`;
}

/** The story's mark against the previous edition: "New", "Developing: <change line>", "Unchanged since 23 Apr". */
export function statusLine(story: EditionStory): string {
  if (story.status === 'new') return 'New';
  if (story.status === 'developing') return `Developing: ${changeLine(story)}`;
  return `Unchanged since ${formatDayMonth(story.lastUpdated)}`;
}
