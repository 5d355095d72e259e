// Scraped plain-text articles: a headline somewhere near the top, metadata lines (dates, bylines),
// paragraphs one per line or separated by blank lines, and page furniture (navigation labels, captions,
// related-article cards, newsletter and copyright footers) that the scrape kept.
import type { ParsedArticle } from '../schema.ts';
import { ParseError } from './errors.ts';
import {
  compareKey, endsWithEllipsis, isCaptionLine, isCopyrightLine, isEndMarker, isListItem, isNavLine, isProse,
  isTerminated, normalizeLine, wordCount,
} from './text/clutter.ts';
import { byline, copyrightOwner, personNames, reportingCredit, signOff, sourceCredit, wireDateline } from './text/credits.ts';
import { dateLine } from './text/dates.ts';

interface Line {
  text: string;
  /** Index of the blank-line-separated block the line belongs to. */
  block: number;
}

type Kind = 'text' | 'meta' | 'clutter';

/** How sure a publisher credit is; lower wins. */
const Rank = { SourceCredit: 1, SignOff: 2, Copyright: 3, Wire: 4, SourceLabel: 5 } as const;

/** A title line made only of a full sentence this long is the article's first sentence, kept in the body too. */
const LEDE_TITLE_WORDS = 20;
/** Lines after the title (and before the end) where bylines and sign-offs are looked for. */
const HEAD_ZONE = 6;
const TAIL_ZONE = 4;
/** Longest line of a card (caption + teaser headline) or a headline. */
const CARD_LINE_WORDS = 20;

const URL_LABEL = /^(?:url|link|source url|permalink|canonical(?: url)?|original (?:url|link|article)|article url)\s*:\s*(https?:\/\/\S+)$/i;
const BARE_URL = /^(?:https?:\/\/|www\.)\S+$/i;

/** Lines, whitespace-normalized, with hard-wrapped paragraphs (fixed-width text) joined back. */
function splitLines(input: string): Line[] {
  const raw = input.replace(/^\uFEFF/, '').split(/\r\n?|\n|\u2028|\u2029|\f|\v/);
  const lines: Line[] = [];
  let block = 0;
  let inBlock = false;
  for (const r of raw) {
    const text = normalizeLine(r);
    if (!text) {
      if (inBlock) block++;
      inBlock = false;
      continue;
    }
    lines.push({ text, block });
    inBlock = true;
  }
  return unwrap(lines);
}

/**
 * Fixed-width text (lines broken at ~70 columns mid-sentence) is joined back into paragraphs. Detected
 * globally: most full-width lines that continue a block do not end a sentence.
 */
function unwrap(lines: Line[]): Line[] {
  if (lines.length < 6) return lines;
  const maxLen = Math.max(...lines.map((l) => l.text.length));
  if (maxLen > 100) return lines;
  const full = (l: Line) => l.text.length >= 0.6 * maxLen;
  let continuing = 0;
  let openEnded = 0;
  for (let i = 0; i + 1 < lines.length; i++) {
    const a = lines[i]!;
    if (!full(a) || lines[i + 1]!.block !== a.block) continue;
    continuing++;
    if (!isTerminated(a.text)) openEnded++;
  }
  if (continuing < 4 || openEnded < 0.6 * continuing) return lines;
  const out: Line[] = [];
  for (const line of lines) {
    const prev = out[out.length - 1];
    if (prev && prev.block === line.block && full(prev) && !isListItem(line.text)) {
      prev.text = prev.text.endsWith('-') && /^\p{Ll}/u.test(line.text) ? prev.text + line.text : `${prev.text} ${line.text}`;
      continue;
    }
    out.push({ ...line });
  }
  return out;
}

/** Remove a site-name suffix ("Headline | Site") and a "Title:" label. */
function cleanTitle(title: string): string {
  let t = title.replace(/^(?:title|headline)\s*:\s*/i, '');
  const bar = /^(.+?)\s+[|]\s+([^|]{1,40})$/.exec(t);
  if (bar && wordCount(bar[1] ?? '') >= 4 && wordCount(bar[2] ?? '') <= 4) t = bar[1] ?? t;
  return t.trim();
}

/** Lines that can never be a headline. */
function notTitle(text: string): boolean {
  return isNavLine(text) || isCopyrightLine(text) || isCaptionLine(text) || dateLine(text) !== null ||
    byline(text) !== null || BARE_URL.test(text) || URL_LABEL.test(text) || wordCount(text) === 0;
}

function findTitle(lines: Line[]): number {
  const limit = Math.min(lines.length, 25);
  let fallback = -1;
  for (let i = 0; i < limit; i++) {
    const text = lines[i]!.text;
    if (notTitle(text)) continue;
    if (wordCount(text) >= 3) return i;
    if (fallback < 0) fallback = i;
  }
  return fallback;
}

/** Words of prose in the lines (duplicated lines, like widgets shown twice, do not count). */
function proseWords(lines: Line[], kinds: Kind[], from: number, to: number, dup: Set<number>): number {
  let n = 0;
  for (let i = from; i < to; i++) if (kinds[i] === 'text' && !dup.has(i) && isProse(lines[i]!.text)) n += wordCount(lines[i]!.text);
  return n;
}

/** Two prose lines in a row (ignoring metadata and clutter lines): real article text, not page furniture. */
function hasProseRun(lines: Line[], kinds: Kind[], from: number, dup: Set<number>): boolean {
  let run = 0;
  for (let i = from; i < lines.length; i++) {
    if (kinds[i] !== 'text') continue;
    if (!dup.has(i) && isProse(lines[i]!.text, 10)) {
      if (++run >= 2) return true;
    } else {
      run = 0;
    }
  }
  return false;
}

export function parseText(input: string): ParsedArticle {
  const all = splitLines(input);
  if (all.length === 0) throw new ParseError('empty text');

  let url: string | null = null;
  let publishedAt: string | null = null;
  let author: { value: string; rank: number } | null = null;
  let publisher: { value: string; rank: number } | null = null;
  const setAuthor = (value: string | null, rank: number) => {
    if (value && (!author || rank < author.rank)) author = { value, rank };
  };
  const setPublisher = (value: string | null, rank: number) => {
    if (value && (!publisher || rank < publisher.rank)) publisher = { value, rank };
  };
  const setDate = (value: string | null) => {
    if (value && !publishedAt) publishedAt = value;
  };

  const firstUrl = all[0]!.text;
  if (BARE_URL.test(firstUrl) && /^https?:\/\//i.test(firstUrl)) url = firstUrl;

  const titleIdx = findTitle(all);
  if (titleIdx < 0) throw new ParseError('no title found');
  const titleLine = all[titleIdx]!;
  const title = cleanTitle(titleLine.text);
  if (!title) throw new ParseError('no title found');
  const titleKey = compareKey(title);

  // Metadata above the headline (date stamps, bylines) is read, never kept.
  for (const line of all.slice(0, titleIdx)) {
    setDate(dateLine(line.text));
    const b = byline(line.text);
    if (b) { setAuthor(b.author, 1); setPublisher(b.publisher, Rank.SignOff); setDate(b.date); }
  }

  const lines = all.slice(titleIdx + 1);
  const n = lines.length;
  const kinds: Kind[] = lines.map(() => 'text');

  // 1. Classify every line after the headline; credits and dates are harvested as they are found.
  for (let i = 0; i < n; i++) {
    const text = lines[i]!.text;
    const nearStart = i < HEAD_ZONE;
    const nearEnd = i >= n - TAIL_ZONE;
    const urlLabel = URL_LABEL.exec(text);
    if (urlLabel) { url ??= urlLabel[1] ?? null; kinds[i] = 'meta'; continue; }
    if (BARE_URL.test(text) && (nearStart || nearEnd)) { kinds[i] = 'clutter'; continue; }
    const date = dateLine(text);
    if (date) { setDate(date); kinds[i] = 'meta'; continue; }
    if (nearStart || nearEnd) {
      const b = byline(text);
      if (b) { setAuthor(b.author, 1); setPublisher(b.publisher, Rank.SignOff); setDate(b.date); kinds[i] = 'meta'; continue; }
      const s = signOff(text);
      if (s) { setAuthor(s.author, 2); setPublisher(s.publisher, Rank.SignOff); kinds[i] = 'meta'; continue; }
    }
    const reporting = reportingCredit(text);
    if (reporting && (nearEnd || wordCount(text) <= 15)) { setAuthor(reporting, 3); kinds[i] = 'meta'; continue; }
    const credit = sourceCredit(text, nearEnd);
    if (credit) { setPublisher(credit, /^source|^\(source/i.test(text) ? Rank.SourceLabel : Rank.SourceCredit); kinds[i] = 'meta'; continue; }
    if (isCopyrightLine(text)) { setPublisher(copyrightOwner(text), Rank.Copyright); kinds[i] = 'clutter'; continue; }
    if (/^authors?\s*:?$/i.test(text)) {
      // An "Authors" label followed by names; an empty author block is just a label.
      kinds[i] = 'clutter';
      const next = lines[i + 1]?.text;
      const names = next !== undefined && compareKey(next) !== titleKey ? personNames(next) : null;
      if (names) { setAuthor(names, 1); kinds[i + 1] = 'meta'; i++; }
      continue;
    }
    if (isNavLine(text) || isCaptionLine(text)) { kinds[i] = 'clutter'; continue; }
    if (compareKey(text) === titleKey) { kinds[i] = 'clutter'; continue; }
  }

  // Lines shown more than once (widgets, repeated teasers); the first copy of a long line may be real text.
  const seen = new Map<string, number>();
  const dup = new Set<number>();
  for (let i = 0; i < n; i++) {
    const key = compareKey(lines[i]!.text);
    if (!key) continue;
    const first = seen.get(key);
    if (first === undefined) { seen.set(key, i); continue; }
    dup.add(i);
    if (wordCount(key) < 6) dup.add(first);
  }

  // 2. Trailing furniture: from the first end-of-article marker (related links, newsletter, tags,
  // copyright, "read more at") after which no run of prose follows, everything is dropped.
  for (let i = 0; i < n; i++) {
    if (!isEndMarker(lines[i]!.text)) continue;
    if (hasProseRun(lines, kinds, i + 1, dup)) continue;
    const before = proseWords(lines, kinds, 0, i, dup);
    if (before === 0 || proseWords(lines, kinds, i + 1, n, dup) >= before) continue;
    for (let j = i; j < n; j++) if (kinds[j] === 'text') kinds[j] = 'clutter';
    break;
  }

  // 3. Cards: where paragraphs are separated by blank lines, a block of several lines whose last text line is a
  // short unpunctuated phrase is a photo caption or a related-article teaser (caption + headline), not prose.
  const blocks = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const b = lines[i]!.block;
    const list = blocks.get(b);
    if (list) list.push(i); else blocks.set(b, [i]);
  }
  const textLines = kinds.filter((k) => k === 'text').length;
  let singleLineText = 0;
  for (const idx of blocks.values()) if (idx.length === 1 && kinds[idx[0]!] === 'text') singleLineText++;
  const blankSeparated = blocks.size >= 3 && singleLineText >= 0.5 * textLines;
  if (blankSeparated) {
    for (const idx of blocks.values()) {
      if (idx.length < 2 || idx.length > 6) continue;
      const texts = idx.filter((i) => kinds[i] === 'text');
      const last = texts[texts.length - 1];
      if (last === undefined) continue;
      const lastText = lines[last]!.text;
      if (isTerminated(lastText) || isListItem(lastText) || /:$/.test(lastText) || wordCount(lastText) > CARD_LINE_WORDS) continue;
      for (const i of texts) kinds[i] = 'clutter';
    }
  }

  // 4. Near the top: a truncated teaser ("…") or a standfirst that is the start of the next paragraph.
  const kept = () => lines.map((_, i) => i).filter((i) => kinds[i] === 'text');
  for (const [pos, i] of kept().slice(0, 4).entries()) {
    const text = lines[i]!.text;
    const following = kept().filter((j) => j > i).slice(0, 3).map((j) => compareKey(lines[j]!.text)).join(' ');
    if (!following) break;
    const key = compareKey(text);
    if (endsWithEllipsis(text)) {
      const words = key.split(' ');
      const tail = words.slice(Math.max(0, words.length - 9), words.length - 1); // the last word may be cut
      if (tail.length >= 4 && following.includes(tail.join(' '))) { kinds[i] = 'clutter'; continue; }
    }
    if (wordCount(key) >= 8 && following.startsWith(key) && pos < 3) kinds[i] = 'clutter';
  }

  // 5. Repeated paragraphs keep their first copy.
  const keptKeys = new Set<string>();
  for (const i of kept()) {
    const key = compareKey(lines[i]!.text);
    if (keptKeys.has(key) && wordCount(key) >= 6) kinds[i] = 'clutter';
    keptKeys.add(key);
  }

  // 6. A wire credit opening the first paragraph: "(MENAFN) …", "WASHINGTON (Reuters) - …".
  const body = kept().map((i) => lines[i]!.text);
  if (body.length > 0) {
    const wire = wireDateline(body[0]!);
    if (wire) { setPublisher(wire.publisher, Rank.Wire); body[0] = wire.rest; }
  }

  // 7. A "headline" that is a whole long sentence is the article's first sentence (corpus style, or a
  // lede-only item): it stays in the body too. Without any other body, length alone tells it from a headline.
  const ledeTitle = wordCount(title) >= LEDE_TITLE_WORDS && (isTerminated(title) || body.length === 0);
  if (ledeTitle && !body.some((p) => compareKey(p).startsWith(titleKey))) body.unshift(title);
  if (body.length === 0) throw new ParseError('no article body found');

  const a = author as { value: string } | null;
  const p = publisher as { value: string } | null;
  return {
    title,
    text: body.join('\n\n'),
    publisher: p?.value ?? null,
    author: a?.value ?? null,
    publishedAt,
    url,
    language: null,
  };
}
