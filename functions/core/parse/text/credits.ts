// Who wrote and who published an article, from the credit lines a plain-text scrape keeps:
// bylines, "Name for Outlet" sign-offs, "(WIRE) -" datelines, copyright and "read more at" footers.
// Only what the text names is returned: nothing is guessed.
import { SOURCE_CREDIT, wordCount } from './clutter.ts';
import { dateInFragment } from './dates.ts';

const PARTICLES = new Set(['de', 'del', 'della', 'der', 'den', 'van', 'von', 'da', 'di', 'dos', 'das', 'du', 'la', 'le', 'bin', 'binti', 'al', 'el', 'ibn', 'y', 'e', 'st.', 'ter', 'ten', 'zu']);
const NAME_TOKEN = /^(?:\p{Lu}[\p{L}'’.-]*|\p{Lu}\.)$/u;
/** Capitalized words that show a phrase is not a person's name. */
const NOT_NAME = new Set([
  'the', 'news', 'staff', 'editor', 'editors', 'editorial', 'desk', 'team', 'board', 'agency', 'press', 'media',
  'reporter', 'reporters', 'correspondent', 'correspondents', 'writer', 'writers', 'contributor', 'contributors',
  'columnist', 'columnists', 'analyst', 'producer', 'producers', 'political', 'senior', 'chief', 'special',
  'associate', 'deputy', 'managing', 'staff', 'online', 'times', 'post', 'daily', 'herald', 'tribune', 'journal',
  'associated', 'reuters', 'updated', 'published', 'posted', 'more', 'read', 'see', 'all', 'photo', 'video',
  'category', 'latest', 'in', 'at', 'from', 'with',
]);

/** One person's name: 2–5 capitalized words, name particles allowed inside ("James del Carmen"). */
export function isPersonName(text: string): boolean {
  const tokens = text.trim().split(/\s+/);
  if (tokens.length < 2 || tokens.length > 5) return false;
  let capitals = 0;
  for (const [i, t] of tokens.entries()) {
    if (NOT_NAME.has(t.toLowerCase())) return false;
    if (NAME_TOKEN.test(t)) { capitals++; continue; }
    if (i > 0 && i < tokens.length - 1 && PARTICLES.has(t.toLowerCase())) continue;
    return false;
  }
  return capitals >= 2;
}

/** One or several names joined by commas, "and" or "&". Returns the cleaned list text, or null. */
export function personNames(text: string): string | null {
  const cleaned = text.trim().replace(/[.,;:]+$/, '').replace(/\s+/g, ' ');
  if (!cleaned) return null;
  const parts = cleaned.split(/\s*(?:,|&|\band\b)\s*/).filter((p) => p.length > 0);
  if (parts.length === 0 || parts.length > 6) return null;
  return parts.every(isPersonName) ? cleaned : null;
}

/** An outlet name as printed: 1–6 words, starting with a capital letter or digit. */
function outletName(text: string): string | null {
  const cleaned = text.trim().replace(/^[-–—:|,\s]+|[-–—:|,.;\s]+$/g, '').replace(/\s+/g, ' ');
  if (!cleaned || cleaned.length > 60) return null;
  if (!/^[\p{Lu}\p{N}]/u.test(cleaned)) return null;
  const words = cleaned.split(' ');
  if (words.length > 6) return null;
  return cleaned;
}

const PHOTO_AGENCIES = /\b(?:getty|images|shutterstock|alamy|istock|photo|photos|pictures|ap photo|afp photo)\b/i;

/** "(MENAFN) text", "(Reuters) - text", "WASHINGTON (AP) — text", "Mannheim, Germany (Sports Network) - text". */
export function wireDateline(line: string): { publisher: string; rest: string } | null {
  const m = /^((?:[\p{Lu}][\p{L}.'’-]*(?:[ ,]+[\p{Lu}][\p{L}.'’-]*){0,4},?\s+)?)\(([\p{Lu}][\p{L}\p{N}&.'’ -]{0,38}[\p{L}\p{N}.])\)\s*(?:([-–—:]{1,2})\s*)?(?=\S)/u.exec(line);
  if (!m) return null;
  const place = m[1] ?? '';
  const credit = m[2] ?? '';
  if (/^(?:photo|photos|video|audio|update|updated|file|editor'?s note|ap photo|source|watch|listen|opinion|analysis|graphic)$/i.test(credit)) return null;
  if (credit.split(' ').length > 5) return null;
  // A place before the credit must look like a dateline (capitalized words, usually upper case).
  if (place && !/^[\p{Lu}\s,.'’-]+$/u.test(place) && !/,/.test(place)) return null;
  const dash = m[3];
  const after = line.slice(m[0].length);
  const rest = place ? `${place.trim().replace(/,$/, '')} ${dash ?? '–'} ${after}` : after;
  return { publisher: credit.trim(), rest };
}

/** "James del Carmen for TROIB News" (optionally "By …"). */
export function signOff(line: string): { author: string; publisher: string } | null {
  if (wordCount(line) > 12 || /[.!?]$/.test(line.replace(/\b(?:Inc|Ltd|Co|Corp)\.$/, ''))) return null;
  const m = /^(?:by\s+)?(.+?)\s+for\s+(?:the\s+)?(.+)$/i.exec(line.trim());
  if (!m) return null;
  const author = personNames(m[1] ?? '');
  const publisher = outletName(m[2] ?? '');
  if (!author || !publisher) return null;
  return { author, publisher };
}

export interface Byline { author: string | null; publisher: string | null; date: string | null }

/** "By Jane Doe", "By Jane Doe and John Roe | April 23, 2025", "Written by Jane Doe", "Author: Jane Doe". */
export function byline(line: string): Byline | null {
  const m = /^(?:(?:written|posted|reported|story|words|text)\s+)?by\s*:?\s+(.+)$|^(?:authors?|writer|reporter|byline)\s*:\s*(.+)$/i.exec(line.trim());
  if (!m) return null;
  const body = (m[1] ?? m[2] ?? '').trim();
  if (wordCount(body) > 20) return null;
  const parts = body.split(/\s*[|•·]\s*|\s+[-–—]\s+/);
  const head = parts[0] ?? '';
  let author: string | null = null;
  let publisher: string | null = null;
  const forOutlet = /^(.+?)\s+for\s+(?:the\s+)?(.+)$/i.exec(head);
  if (forOutlet) {
    author = personNames(forOutlet[1] ?? '');
    publisher = author ? outletName(forOutlet[2] ?? '') : null;
  }
  if (!author) {
    // "Jane Doe, Reuters" / "Jane Doe, Staff Writer": the name is what comes before the comma.
    // Trailing ", Role" / ", Outlet" segments are dropped one at a time until the rest is a list of names.
    const segments = head.split(',');
    for (let k = segments.length; k > 0 && !author; k--) author = personNames(segments.slice(0, k).join(','));
    if (!author) {
      const onDate = /^(.+?)\s+(?:on|at|published|updated)\b(.*)$/i.exec(head);
      if (onDate) author = personNames(onDate[1] ?? '');
    }
  }
  const date = dateInFragment(body.slice(head.length)) ?? dateInFragment(head.replace(/^.*?\b(?:on|at|published|updated)\b/i, ''));
  if (!author && !date) return null;
  return { author, publisher, date };
}

/** "© 2022 VOCO Media – All Rights Reserved." → "VOCO Media"; "Copyright 2024 Some Outlet" → "Some Outlet". */
export function copyrightOwner(line: string): string | null {
  const m = /^(?:copyright\s*)?(?:©|\(c\))?\s*(?:copyright\s*)?(?:©|\(c\))?\s*(?:\d{4}(?:\s*[-–—]\s*\d{4})?\s*)?(?:by\s+)?(.+?)(?:\s*[-–—|.,]\s*all rights reserved\b.*|[.,]?\s*all rights reserved\b.*|\.)?$/i.exec(line.trim());
  if (!m || !/^(?:©|\(c\)|copyright)/i.test(line.trim())) return null;
  const owner = outletName(m[1] ?? '');
  if (!owner || PHOTO_AGENCIES.test(owner)) return null;
  if (/^\d+$/.test(owner)) return null;
  return owner;
}

/** "Read more at RT", "Originally published by X", "Source: X" (the last only near the end). */
export function sourceCredit(line: string, nearEnd: boolean): string | null {
  const m = SOURCE_CREDIT.exec(line.trim());
  if (m) return outletName(m[1] ?? '');
  if (nearEnd) {
    const s = /^\(?(?:source|sources|courtesy(?: of)?|content from|distributed by|syndicated by)\s*:\s*(.{1,60}?)\)?\.?$/i.exec(line.trim());
    if (s) {
      const name = outletName(s[1] ?? '');
      if (name && !PHOTO_AGENCIES.test(name) && !/https?:|www\./i.test(name)) return name;
    }
  }
  return null;
}

/** Reuters-style credit: "Reporting by Jane Doe; Editing by John Roe" → "Jane Doe". */
export function reportingCredit(line: string): string | null {
  const m = /^\(?(?:reporting|reported|writing|written) by\s+(.+?)(?:\s+in\s+[\p{Lu}][\p{L} ]*)?(?:;.*|\)|\.)?$/iu.exec(line.trim());
  return m ? personNames(m[1] ?? '') : null;
}
