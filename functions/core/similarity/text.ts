// Language-aware tokenisation shared by the fingerprint: sentences, content terms, entity-ish terms.
// Pure and deterministic. Terms are lowercased, lightly stemmed (plural -s) and truncated to a
// 6-character prefix, which conflates inflections in most European languages without a per-language
// stemmer ("negotiations"/"negotiate" -> "negoti", "Russia"/"Russian" -> "russia").
import { LETTER as LETTER_CLASS, MARK as MARK_CLASS, NUMBER as NUMBER_CLASS, codePointClass, runEnd, runEndOutside } from '../unicode.ts';

const STOPWORDS: Record<string, string> = {
  en: `a about above after again against all also am an and any are as at be because been before being below between both but by
    can could did do does doing down during each few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just me more most my myself no nor not now of off on once only or other our ours ourselves out over own
    same she should so some such than that the their theirs them themselves then there these they this those through to too under until
    up very was we were what when where which while who whom why will with would you your yours yourself yourselves said says say
    one two new last first year years week told according mr mrs ms also may might must shall since still while yet however per via
    us its it's would could'nt being get got go going made make like well back even many much another around within without among
    upon across later early former latter including`,
  de: `aber alle als also am an auch auf aus bei bin bis bist da damit dann das dass dem den der des die dies diese dieser dieses doch
    dort du durch ein eine einem einen einer eines er es etwa euch für gegen hat hatte hier ich ihr ihre im in ist ja jede jedoch kann
    kein keine man mehr mit muss nach nicht noch nun nur ob oder ohne sehr sein seine sich sie sind so soll über um und uns unter vom
    von vor war waren was weil wenn werden wie wieder wir wird wurde wurden zu zum zur zwischen sagte`,
  fr: `au aux avec ce ces cette dans de des du elle elles en est et été être il ils je la le les leur leurs lui mais me même mes moi
    mon ne nos notre nous on ont ou où par pas pour qu que qui sa sans se ses son sont sur ta te tes toi ton tu un une vos votre vous
    plus aussi fait été avait était selon après avant entre comme dont cela`,
  es: `al algo algunas algunos ante antes como con contra cual cuando de del desde donde durante el ella ellas ellos en entre era
    es esa ese eso esta estaba están este esto estos fue fueron ha había han hasta hay la las le les lo los más me mi muy nada ni no
    nos o os otra otro para pero poco por porque que quien se sea según ser si sido sin sobre su sus también tiene todo todos tu un
    una uno unos y ya dijo`,
  it: `al alla alle anche che chi con da dal dalla dei del della delle di e è gli ha hanno il in la le lo ma mi nel nella non per più
    quando questo questa se si sono su sua suo tra un una uno ci come dopo essere stato stata`,
  pt: `ao aos as com como da das de do dos e é ela ele eles em entre era essa esse está foi for há isso já mais mas me mesmo muito na
    nas não no nos o os ou para pela pelo por qual quando que se sem ser seu sua são também tem um uma você disse`,
  nl: `aan al als bij dan dat de der des deze die dit door een en er had heb hebben het hij hoe ik in is ja je kan maar met mij naar
    niet nog nu of om onder ons ook op over te tot uit van veel voor was wat we wel werd wie wij worden zal ze zei zich zij zijn`,
};

const STOP_BY_LANG = new Map<string, Set<string>>(
  Object.entries(STOPWORDS).map(([lang, list]) => [lang, new Set(list.split(/\s+/).filter(Boolean))]),
);
const STOP_ALL = new Set<string>([...STOP_BY_LANG.values()].flatMap((s) => [...s]));

/** Stopword set for a language; the union of all lists when the language is unknown or has no list. */
export function stopwordsFor(language: string | null): Set<string> {
  return (language && STOP_BY_LANG.get(language)) || STOP_ALL;
}

// Scripts written without spaces: tokens become overlapping character bigrams.
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
const NON_BASIC = /[^\u0000-\u0dff]/;
// Tokens are the matches of TOKEN = /\p{N}+(?:[.,]\p{N}+)*(?![\p{L}\p{M}])|[\p{L}\p{M}\p{N}]+/gu, found by a
// hand-written scanner instead of the regex (which was a third of the tokeniser's time). A number keeps its
// decimal/thousands separators ("6.1", "2,116"): magnitudes and counts tell events apart.
const NUMBER = /^\p{N}+(?:[.,]\p{N}+)*$/u;
const UPPER_START = /^\p{Lu}/u;
const PREFIX = 6;

export interface Token {
  /** Normalised term (lowercase, stemmed, truncated). */
  term: string;
  /** Written with an initial capital and not the first word of its sentence. */
  capital: boolean;
  /** Written in lowercase (evidence that this is not a name). */
  lower: boolean;
  /** A number of two or more digits (a year, a count, a magnitude). */
  number: boolean;
}

/** Normalise a surface token to its term, or null when it is a stopword / noise. */
export function normaliseToken(raw: string, stop: Set<string>): string | null {
  return normalise(raw.toLowerCase(), stop, NUMBER.test(raw));
}

/** normaliseToken on a lowercased token whose NUMBER test is known (lowercasing never changes it). */
function normalise(low: string, stop: Set<string>, isNumber: boolean): string | null {
  if (stop.has(low)) return null;
  if (isNumber) {
    const digits = low.replace(/[.,]/g, '');
    return digits.length >= 2 ? low.replace(/,(?=\p{N}{3}(?:\D|$))/gu, '') : null;
  }
  let t = low;
  if (t.length < 2) return null;
  const last2 = t.charCodeAt(t.length - 2);
  if (t.length > 3 && t.charCodeAt(t.length - 1) === 115 /* s */ && last2 !== 115 && last2 !== 117 /* u */) t = t.slice(0, -1);
  if (t.length <= PREFIX) return t;
  // Truncate by code points (never split a surrogate pair). Without a surrogate among the first PREFIX code
  // units, those units are the first PREFIX code points.
  let surrogate = false;
  for (let i = 0; i < PREFIX && !surrogate; i++) surrogate = (t.charCodeAt(i) & 0xf800) === 0xd800;
  if (!surrogate) return t.slice(0, PREFIX);
  const cps = Array.from(t);
  return cps.length <= PREFIX ? t : cps.slice(0, PREFIX).join('');
}

const LOWER_LETTER = /\p{Ll}/u;

/** Starts with an uppercase letter (UPPER_START), with the ASCII answer found without the regex. */
function startsUpper(raw: string): boolean {
  const c = raw.charCodeAt(0);
  if (c < 128) return c >= 65 && c <= 90;
  return UPPER_START.test(raw);
}

/** Holds a lowercase letter (/\p{Ll}/u); an all-ASCII token is answered without the regex. */
function hasLower(raw: string): boolean {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c >= 97 && c <= 122) return true;
    if (c >= 128) return LOWER_LETTER.test(raw);
  }
  return false;
}

/**
 * Where TOKEN's first alternative, \p{N}+(?:[.,]\p{N}+)*(?![\p{L}\p{M}]), ends when matched at i (a \p{N} code
 * point), or -1 when it does not match there. Greedy, then the regex's backtracking: when a letter or mark
 * follows, the last run of digits gives back one code point (a digit then follows, so the match ends there), or,
 * when that run is one code point after a separator, the whole "[.,]d" group goes; a lone leading digit fails.
 */
function numberEnd(s: string, i: number): number {
  let runStart = i;
  let end = runEnd(s, i, NUMBER_CLASS);
  let grouped = false;
  while (end + 1 < s.length) {
    const sep = s.charCodeAt(end);
    if (sep !== 0x2e /* . */ && sep !== 0x2c /* , */) break;
    if (!(codePointClass(s.codePointAt(end + 1)!) & NUMBER_CLASS)) break;
    runStart = end + 1;
    end = runEnd(s, runStart, NUMBER_CLASS);
    grouped = true;
  }
  if (end >= s.length || !(codePointClass(s.codePointAt(end)!) & (LETTER_CLASS | MARK_CLASS))) return end;
  // The run's last code point: a low surrogate ending a pair belongs to a two-unit one.
  const lastUnits = end - runStart >= 2 && (s.charCodeAt(end - 1) & 0xfc00) === 0xdc00 && (s.charCodeAt(end - 2) & 0xfc00) === 0xd800 ? 2 : 1;
  if (end - runStart > lastUnits) return end - lastUnits;
  return grouped ? runStart - 1 : -1;
}

/** The classes a token starts with (either alternative of TOKEN). */
const TOKEN_START = LETTER_CLASS | MARK_CLASS | NUMBER_CLASS;

/** Content tokens of one sentence, in order. */
export function tokenise(sentence: string, stop: Set<string>): Token[] {
  const out: Token[] = [];
  let index = 0;
  // TOKEN's matches, leftmost first: a search steps over code points that start no match.
  for (let at = runEndOutside(sentence, 0, TOKEN_START); at < sentence.length; at = runEndOutside(sentence, at, TOKEN_START)) {
    const cls = codePointClass(sentence.codePointAt(at)!);
    let end = cls & NUMBER_CLASS ? numberEnd(sentence, at) : -1;
    // A match of the first alternative is a NUMBER; one of the second never is (it holds a letter or a mark).
    const number = end >= 0;
    // Otherwise the second alternative: the run of \p{L}, \p{M} and \p{N}.
    if (!number) end = runEnd(sentence, at, TOKEN_START);
    const raw = sentence.slice(at, end);
    at = end;
    const first = index === 0;
    index++;
    if (NON_BASIC.test(raw) && UNSPACED.test(raw)) {
      const chars = [...raw.toLowerCase()];
      if (chars.length === 1) continue;
      for (let i = 0; i + 1 < chars.length; i++) out.push({ term: chars[i]! + chars[i + 1]!, capital: false, lower: false, number: false });
      continue;
    }
    const term = normalise(raw.toLowerCase(), stop, number);
    if (term === null) continue;
    const upper = startsUpper(raw);
    out.push({ term, capital: upper && !first, lower: !upper && hasLower(raw), number });
  }
  return out;
}

const ABBREV = new Set(['mr', 'mrs', 'ms', 'dr', 'st', 'gen', 'sen', 'rep', 'gov', 'jr', 'sr', 'no', 'vs', 'lt', 'col', 'sgt', 'capt', 'prof', 'inc', 'corp', 'co', 'ltd', 'mt', 'ft', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec']);
const SENTENCE_END = /[.!?…。！？]+["'”’»)\]]*(?=\s+|$)/gu;

const LETTER = /^\p{L}$/u;

/** The run of letters that ends at `end` and starts at or after `from` (what /([\p{L}]+)$/u finds in that slice). */
function trailingLetters(s: string, from: number, end: number): string {
  let i = end;
  while (i > from) {
    const c = s.charCodeAt(i - 1);
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) {
      i--;
      continue;
    }
    if (c < 128) break;
    // One code point back: a surrogate pair counts as one.
    let j = i - 1;
    if ((c & 0xfc00) === 0xdc00 && j > from && (s.charCodeAt(j - 1) & 0xfc00) === 0xd800) j--;
    if (!LETTER.test(s.slice(j, i))) break;
    i = j;
  }
  return s.slice(i, end);
}

/** Split a body into sentences: paragraphs (line breaks) first, then terminal punctuation. */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  for (const para of text.split(/\n+/)) {
    const p = para.trim();
    if (!p) continue;
    let start = 0;
    for (const m of p.matchAll(SENTENCE_END)) {
      const end = m.index + m[0].length;
      const lastWord = trailingLetters(p, start, m.index);
      // "U.S." / "J." / "Gen." are not sentence ends; neither is a break followed by a lowercase word.
      if (m[0].startsWith('.') && (lastWord.length === 1 || ABBREV.has(lastWord.toLowerCase()))) continue;
      const next = p.slice(end).trimStart();
      if (next && /^\p{Ll}/u.test(next)) continue;
      out.push(p.slice(start, end).trim());
      start = end;
    }
    const rest = p.slice(start).trim();
    if (rest) out.push(rest);
  }
  return out.filter((s) => /[\p{L}\p{N}]/u.test(s));
}
