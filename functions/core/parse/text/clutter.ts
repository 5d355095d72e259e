// Line-level rules for the clutter that scraped plain text carries: navigation and widget labels,
// photo captions and credits, copyright and "read more" footers, site self-descriptions.
import { LETTER, NUMBER, runEnd, runEndOutside } from '../../unicode.ts';
import { wordKey } from '../../words.ts';

/** Whitespace that normalizeLine collapses: `\s` (which already holds the no-break and typographic spaces listed). */
const SPACES = /[\s\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]+/g;
/** Whether collapsing SPACES changes anything: a space other than U+0020, or two in a row. */
const UNTIDY_SPACE = /[^\S ]|\s\s/;

/** Whitespace and invisible characters normalized; typographic quotes and dashes are left alone. */
export function normalizeLine(line: string): string {
  const visible = line.normalize('NFC').replace(/[\u200B-\u200D\u2060\uFEFF\u00AD]/g, '');
  // The collapse rewrites every single space of the line; most lines have nothing else, and are kept as they are.
  return (UNTIDY_SPACE.test(visible) ? visible.replace(SPACES, ' ') : visible).trim();
}

/** Comparison key: case, quotes, dashes, punctuation and spacing do not matter (see wordKey). */
export function compareKey(text: string): string {
  return wordKey(text);
}

/** The line wordCount last counted, and its count: the filters ask about one line several times in a row. */
let countedText = '';
let countedWords = 0;

/** Runs of letters and digits: what `text.match(/[\p{L}\p{N}]+/gu).length` counts, without building the matches. */
export function wordCount(text: string): number {
  if (text === countedText) return countedWords;
  let words = 0;
  for (let i = runEndOutside(text, 0, LETTER | NUMBER); i < text.length; i = runEndOutside(text, i, LETTER | NUMBER)) {
    words++;
    i = runEnd(text, i, LETTER | NUMBER);
  }
  countedText = text;
  countedWords = words;
  return words;
}

/** A closing quote or bracket: " ' ” ’ » ) ] */
function isCloser(unit: number): boolean {
  return unit === 0x22 || unit === 0x27 || unit === 0x201d || unit === 0x2019 || unit === 0xbb || unit === 0x29 || unit === 0x5d;
}

/**
 * Ends like a sentence (possibly inside closing quotes or brackets): /[.!?…]["'”’»)\]]*$/ ("..." included), read
 * backwards from the end instead of a regex scanning the whole line for the punctuation.
 */
export function isTerminated(line: string): boolean {
  let end = line.length;
  while (end > 0 && isCloser(line.charCodeAt(end - 1))) end--;
  const last = end > 0 ? line.charCodeAt(end - 1) : 0;
  return last === 0x2e || last === 0x21 || last === 0x3f || last === 0x2026;
}

/** Bullet or numbered list item: content even without final punctuation. */
export function isListItem(line: string): boolean {
  return /^(?:[-*•▪◦‣–—]\s+|\d{1,2}[.)]\s+|\(\d{1,2}\)\s+)/.test(line);
}

/** A prose sentence line: long enough and ends like a sentence. */
export function isProse(line: string, minWords = 8): boolean {
  return isTerminated(line) && wordCount(line) >= minWords;
}

// Whole-line navigation / widget labels (compared after lowercasing and trimming decoration).
const NAV_LABELS = new Set([
  'advertisement', 'advertisements', 'advertising', 'ad', 'ads', 'sponsored', 'sponsored content', 'promoted',
  'category', 'categories', 'latest', 'latest news', 'latest stories', 'breaking news', 'top stories', 'news',
  'related', 'related tags', 'related articles', 'related stories', 'related news', 'related content', 'related posts',
  'related coverage', 'related topics', 'recommended', 'recommended reading', 'recommended for you',
  'recommended stories', 'recommended articles', 'read more', 'read next', 'read also', 'also read', 'see all',
  'see more', 'see also', 'show more', 'load more', 'more', 'more news', 'more stories', 'view all', 'view more',
  'share', 'share this', 'share this article', 'share this story', 'share on facebook', 'share on twitter', 'tweet',
  'facebook', 'twitter', 'x', 'linkedin', 'whatsapp', 'telegram', 'reddit', 'pinterest', 'instagram', 'youtube',
  'email', 'e-mail', 'print', 'copy link', 'copy', 'link copied', 'comments', 'comment', 'leave a comment',
  'leave a reply', 'post a comment', 'show comments', 'search', 'menu', 'home', 'skip to content',
  'skip to main content', 'subscribe', 'subscribe now', 'sign in', 'log in', 'login', 'register', 'newsletter',
  'newsletters', 'hot topic', 'hot topics', 'trending', 'trending now', 'most read', 'most popular', 'most viewed',
  'popular', 'tags', 'topics', 'listen', 'listen to this article', 'audio', 'follow us', 'follow', 'authors',
  'author', 'contributors', 'back to top', 'top', 'next', 'previous', 'next article', 'previous article',
  'close', 'open', 'toggle navigation', 'loading', 'you may also like', 'you might also like', 'more from',
  'more on this story', 'in this article', 'in this story', 'editor\'s picks', 'editors\' picks', 'photo',
  'photos', 'video', 'videos', 'gallery', 'watch', 'watch live', 'live', 'opinion', 'analysis', 'explainer',
  'about us', 'contact us', 'privacy policy', 'terms of use', 'cookie policy', 'accept', 'accept cookies',
]);

function labelKey(line: string): string {
  const trimmed = line.toLowerCase().replace(/^[\s»›>|•·:#\-–—]+|[\s»›>|•·:\-–—.!]+$/g, '');
  // The collapse rewrites every single space; a key with nothing else to collapse is kept as it is.
  return UNTIDY_SPACE.test(trimmed) ? trimmed.replace(/\s+/g, ' ') : trimmed;
}

const NAV_PATTERNS: RegExp[] = [
  /^\d+\s*(?:-\s*)?(?:min(?:ute)?s?|m)\.?\s+(?:read|listen)\b.{0,20}$/i, // "2 min read"
  /^(?:reading|read|listening) time\s*:?.{0,20}$/i,
  /^(?:sign up|signup|subscribe|register)\b(?:.{0,80}\b(?:newsletter|inbox|e-?mail|free|updates|alerts)\b.{0,40}|[^.!?]{0,80})$/i, // prompts
  /^(?:share|follow)\s+(?:us|this|on)\b.{0,40}$/i,
  /^(?:tags?|topics?|filed under|categories|category|keywords?|related(?: \w+)?)\s*:\s*.{0,200}$/i,
  /^(?:click|tap) here\b.{0,80}$/i,
  /^(?:read more|read also|also read|read next|see also|related|recommended|more|watch|listen|must read|don'?t miss)\s*:\s*\S.{0,150}$/i, // inline teasers
  /^(?:loading|please wait)\W*$/i,
  /^(?:updated|published|posted)\s*:?\s*$/i,
  /^[\W_]+$/u, // rules and ornaments: "***", "———"
  /^(?:home|news)\s*[>›»/|]\s*\S.{0,80}$/i, // breadcrumbs
  /^[\p{L}&' -]{1,25}(?:\|[\p{L}&' -]{1,25}){2,}$/u, // "World | Politics | Europe" (classes exclude '|': linear)
  /^(?:advertisement|sponsored)\s*[-–—:]\s*(?:story|article)?\s*continues?\s+below\b.{0,30}$/i,
  /^(?:story|article) continues (?:below|after)\b.{0,30}$/i,
  /^(?:this article|this story|this content) (?:is|was) (?:available|only available)\b.{0,80}$/i,
  /^(?:we use cookies|this (?:site|website) uses cookies)\b.{0,200}$/i,
];

/** Navigation, widget and teaser labels that are never body text. */
export function isNavLine(line: string): boolean {
  // Past 30 words the key (the line's words, lower-cased) is neither empty nor a label: no need to build it.
  if (wordCount(line) > 30) return false;
  const key = labelKey(line);
  if (!key) return true;
  if (NAV_LABELS.has(key)) return true;
  return NAV_PATTERNS.some((re) => re.test(line));
}

/** Copyright notices: "© 2022 VOCO Media – All Rights Reserved.", "Copyright 2024 Some Outlet". */
export function isCopyrightLine(line: string): boolean {
  if (wordCount(line) > 30) return false;
  return /^(?:©|\(c\)\s|copyright\b)/i.test(line) || /\ball rights reserved\b/i.test(line);
}

/** "Read more at RT", "Originally published by X", "This article first appeared on X". */
export const SOURCE_CREDIT = /^(?:read (?:more|the (?:full|original) (?:story|article)) (?:at|on|from)|(?:this (?:article|story) )?(?:was )?(?:originally|first) (?:published|appeared) (?:by|on|in|at)|republished (?:from|with permission from)|via)\s+(.{1,60}?)[.!]?$/i;

// Photo captions and credits. A line carrying one of these cues is a caption, not body text.
const CAPTION_CUES: RegExp[] = [
  /\((?:source|photo|photos|image|images|picture|credit|credits|photograph|foto|pic|video|file)\s*:[^)]*\)\s*$/i,
  /\b(?:getty images|shutterstock|alamy|ap photo|afp photo|epa-efe|reuters\/[A-Z]|via reuters|photographed from|photo credit|image credit|image source|file photo|photo illustration)\b/i,
  /^(?:photo|photograph|image|picture|caption|credit|pictured|above|top|main image|file)\s*(?:\([^)]*\))?\s*:/i,
  /\b(?:photo|image|picture|photograph)\s*(?:by|courtesy(?: of)?|credit)\s*:?\s*[A-Z][\p{L}.'-]+(?:\s+[A-Z][\p{L}.'-]+)*\s*\)?\s*$/u,
  /\b[A-Z]{2,}(?:\s[A-Z]{2,})?\/[A-Z][a-z]+(?:\s[A-Z][a-z]+)*\s*\)?\.?$/, // "REUTERS/Kevin Lamarque"
  /^\s*(?:\(|\[)?(?:source|credit)\s*:\s*(?:getty|reuters|ap|afp|epa|shutterstock|alamy|file)\b/i,
];

export function isCaptionLine(line: string): boolean {
  if (wordCount(line) > 60) return false;
  return CAPTION_CUES.some((re) => re.test(line));
}

/** Markers after which, near the end of an article, only page furniture follows. */
const END_MARKERS: RegExp[] = [
  /^(?:related|recommended|popular|trending|more)\b.{0,30}$/i,
  /^(?:you (?:may|might) (?:also )?(?:like|be interested|enjoy))\b.{0,30}$/i,
  /^(?:also read|read (?:more|next|also)|see also|more from|more on|more stories|latest (?:news|stories))\b.{0,40}$/i,
  /^(?:newsletter|newsletters|sign up|subscribe|follow us|share this|share on)\b.{0,80}$/i,
  /^(?:tags?|topics?|filed under|keywords?)\b\s*:?.{0,200}$/i,
  /^(?:comments?|leave a (?:comment|reply)|post a comment|join the conversation|about the author)\b.{0,30}$/i,
  /^(?:hot topics?|most (?:read|popular|viewed)|editor'?s picks|top stories)\b.{0,30}$/i,
];

export function isEndMarker(line: string): boolean {
  if (isCopyrightLine(line) || SOURCE_CREDIT.test(line)) return true;
  // Section labels are short and carry no sentence punctuation ("More people died." is prose).
  if (isTerminated(line)) return false;
  if (wordCount(line) > 12 && !/^(?:tags?|topics?)\s*:/i.test(line)) return false;
  return END_MARKERS.some((re) => re.test(line)) || isNavLine(line) && /^(?:see all|view all|load more|show more)$/i.test(labelKey(line));
}

/** A truncated teaser: ends with an ellipsis (the excerpt a page shows before "read more"). */
export function endsWithEllipsis(line: string): boolean {
  return /(?:\.\.\.|…)\s*["'”’»)\]]*$/.test(line) || /\[(?:\.\.\.|…)\]$/.test(line);
}
