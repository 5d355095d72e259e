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
/** A file that is one finished sentence of at least this many words is a news brief: title and body at once. */
const BRIEF_WORDS = 6;
/** Lines after the title (and before the end) where bylines and sign-offs are looked for. */
const HEAD_ZONE = 6;
const TAIL_ZONE = 4;
/** Date stamps are looked for in this many lines after the headline and before the end (chrono is costly). */
const DATE_HEAD_ZONE = 12;
const DATE_TAIL_ZONE = 8;
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
  // Join a physical line onto the paragraph when the line before it ran to full width (it was wrapped).
  const out: Array<{ parts: string[]; block: number; last: Line }> = [];
  for (const line of lines) {
    const prev = out[out.length - 1];
    if (prev && prev.block === line.block && full(prev.last) && !isListItem(line.text)) {
      const tail = prev.parts[prev.parts.length - 1]!;
      if (tail.endsWith('-') && /^\p{Ll}/u.test(line.text)) prev.parts[prev.parts.length - 1] = tail + line.text;
      else prev.parts.push(line.text);
      prev.last = line;
      continue;
    }
    out.push({ parts: [line.text], block: line.block, last: line });
  }
  return out.map((p) => ({ text: p.parts.join(' '), block: p.block }));
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

/**
 * For each position, what follows it: words of prose, and whether two prose lines in a row occur (real
 * article text rather than page furniture). Lines shown twice (widgets) do not count. Linear in lines.
 */
function proseProfile(lines: Line[], kinds: Kind[], dup: Set<number>): { wordsFrom: number[]; runFrom: boolean[] } {
  const n = lines.length;
  const wordsFrom = new Array<number>(n + 1).fill(0);
  const runFrom = new Array<boolean>(n + 1).fill(false);
  let nextText = -1; // index of the next text line after i, for run detection
  let nextIsProse = false;
  for (let i = n - 1; i >= 0; i--) {
    const isText = kinds[i] === 'text';
    const text = lines[i]!.text;
    const prose = isText && !dup.has(i) && isProse(text);
    wordsFrom[i] = wordsFrom[i + 1]! + (prose ? wordCount(text) : 0);
    if (!isText) { runFrom[i] = runFrom[i + 1]!; continue; }
    const longProse = !dup.has(i) && isProse(text, 10);
    runFrom[i] = runFrom[i + 1]! || (longProse && nextText >= 0 && nextIsProse);
    nextText = i;
    nextIsProse = longProse;
  }
  return { wordsFrom, runFrom };
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
  for (const line of all.slice(Math.max(0, titleIdx - DATE_HEAD_ZONE), titleIdx)) {
    setDate(dateLine(line.text));
    const b = byline(line.text);
    if (b) { setAuthor(b.author, 1); setPublisher(b.publisher, Rank.SignOff); setDate(b.date); }
  }

  const lines = all.slice(titleIdx + 1);
  const n = lines.length;
  const kinds: Kind[] = lines.map(() => 'text');
  const keys = lines.map((l) => compareKey(l.text));

  // 1. Classify every line after the headline; credits and dates are harvested as they are found.
  for (let i = 0; i < n; i++) {
    const text = lines[i]!.text;
    const nearStart = i < HEAD_ZONE;
    const nearEnd = i >= n - TAIL_ZONE;
    const urlLabel = URL_LABEL.exec(text);
    if (urlLabel) { url ??= urlLabel[1] ?? null; kinds[i] = 'meta'; continue; }
    if (BARE_URL.test(text) && (nearStart || nearEnd)) { kinds[i] = 'clutter'; continue; }
    const date = i < DATE_HEAD_ZONE || i >= n - DATE_TAIL_ZONE ? dateLine(text) : null;
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
    if (keys[i] === titleKey) { kinds[i] = 'clutter'; continue; }
  }

  // Lines shown more than once (widgets, repeated teasers); the first copy of a long line may be real text.
  const seen = new Map<string, number>();
  const dup = new Set<number>();
  for (let i = 0; i < n; i++) {
    const key = keys[i]!;
    if (!key) continue;
    const first = seen.get(key);
    if (first === undefined) { seen.set(key, i); continue; }
    dup.add(i);
    if (wordCount(key) < 6) dup.add(first);
  }

  // 2. Trailing furniture: from the first end-of-article marker (related links, newsletter, tags,
  // copyright, "read more at") after which no run of prose follows, everything is dropped.
  const { wordsFrom, runFrom } = proseProfile(lines, kinds, dup);
  for (let i = 0; i < n; i++) {
    if (!isEndMarker(lines[i]!.text)) continue;
    if (runFrom[i + 1]) continue;
    const before = wordsFrom[0]! - wordsFrom[i]!;
    if (before === 0 || wordsFrom[i + 1]! >= before) continue;
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
      if (isTerminated(lastText) || isListItem(lastText) || lastText.endsWith(':') || wordCount(lastText) > CARD_LINE_WORDS) continue;
      for (const i of texts) kinds[i] = 'clutter';
    }
  }

  // 4. Near the top: a truncated teaser ("…") or a standfirst that is the start of the next paragraph.
  const kept = () => lines.map((_, i) => i).filter((i) => kinds[i] === 'text');
  for (const [pos, i] of kept().slice(0, 4).entries()) {
    const text = lines[i]!.text;
    const following = kept().filter((j) => j > i).slice(0, 3).map((j) => keys[j]!).join(' ');
    if (!following) break;
    const key = keys[i]!;
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
    const key = keys[i]!;
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
  const words = wordCount(title);
  const ledeTitle =
    (words >= LEDE_TITLE_WORDS && (isTerminated(title) || body.length === 0)) ||
    (body.length === 0 && isTerminated(title) && words >= BRIEF_WORDS);
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
