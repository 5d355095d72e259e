// Language of an article's text, as an ISO 639-1 code, for articles that do not state one.
// franc-min (trigram profiles of the 82 languages with 8M+ speakers, ~170 KiB minified) replaced tinyld
// (~735 KiB): smaller in the Lambda bundle, and on the dev sets it reads English sports and politics
// copy as English where tinyld said German or Dutch.
//
// franc's own scoring looks every trigram of the sample up in every profile of the script (about 1,000
// trigrams × 60 Latin profiles, each an object-key lookup), which was half of the parser's time. `francCode`
// below gives exactly franc's answer from franc-min's own profiles and script expressions, with one index
// built at first use: each trigram maps to the profiles that hold it and its rank in each, so a sample costs
// one lookup per distinct trigram plus one addition per (trigram, profile holding it). The test compares it
// with franc itself.
import { data } from 'franc-min/data.js';
import { expressions } from 'franc-min/expressions.js';

/** franc speaks ISO 639-3; where ICU's canonical form is not the 639-1 code, the macrolanguage's code. */
const ISO1_OVERRIDES: Readonly<Record<string, string>> = { zlm: 'ms', tgl: 'tl' };

/** Below this many letters trigram statistics are guesswork ("Breaking news" is 12). */
const MIN_LETTERS = 30;

/** franc's constants: the sample it reads, and the distance of a trigram a profile lacks. */
const MAX_LENGTH = 2048;
const MAX_DIFFERENCE = 300;

interface ScriptIndex {
  /** Profile codes in franc's order (its ties go to the first). */
  languages: string[];
  /** trigram → pairs (profile index, rank in that profile), flattened: by `smallKey` when it has one, else by text. */
  small: Map<number, Int32Array>;
  other: Map<string, Int32Array>;
}

/**
 * A trigram of three UTF-16 units below U+0400 (Latin, Greek, most punctuation) as one small integer: counting
 * and looking those up needs no substring and no string hashing. -1 for the rest, which go by their text.
 */
function smallKey(a: number, b: number, c: number): number {
  return (a | b | c) < 1024 ? (a << 20) | (b << 10) | c : -1;
}

let indexes: Map<string, ScriptIndex> | null = null;

function buildIndexes(): Map<string, ScriptIndex> {
  const out = new Map<string, ScriptIndex>();
  for (const [script, profiles] of Object.entries(data as Record<string, Record<string, string>>)) {
    const languages = Object.keys(profiles);
    const lists = new Map<string, number[]>();
    languages.forEach((language, l) => {
      const model = profiles[language]!.split('|');
      // A trigram listed twice keeps its first rank, as in franc (it fills its dictionary from the end).
      const rank = new Map<string, number>();
      for (let r = 0; r < model.length; r++) if (!rank.has(model[r]!)) rank.set(model[r]!, r);
      for (const [t, r] of rank) {
        let list = lists.get(t);
        if (!list) lists.set(t, (list = []));
        list.push(l, r);
      }
    });
    const small = new Map<number, Int32Array>();
    const other = new Map<string, Int32Array>();
    for (const [t, list] of lists) {
      const key = t.length === 3 ? smallKey(t.charCodeAt(0), t.charCodeAt(1), t.charCodeAt(2)) : -1;
      if (key >= 0) small.set(key, Int32Array.from(list));
      else other.set(t, Int32Array.from(list));
    }
    out.set(script, { languages, small, other });
  }
  return out;
}

/** trigram-utils' `clean`: ASCII punctuation and digits to spaces, whitespace collapsed, trimmed, lower-cased. */
function clean(value: string): string {
  return value.replace(/[\u0021-\u0040]+/g, ' ').replace(/\s+/g, ' ').trim().toLowerCase();
}

/** The script franc picks: the expression with the most matches, the first on ties (count 0 included). */
function topScript(value: string): { script: string | undefined; count: number } {
  let top: string | undefined;
  let topCount = -1;
  for (const [script, expression] of Object.entries(expressions as Record<string, RegExp>)) {
    const count = (value.match(expression)?.length ?? 0) / value.length || 0;
    if (count > topCount) {
      topCount = count;
      top = script;
    }
  }
  return { script: top, count: topCount };
}

/**
 * francAll(value, { minLength }): every profile of the sample's script with franc's score (1 for the closest),
 * closest first; [['und', 1]] when it cannot tell.
 */
export function francScores(input: string, minLength: number): Array<[string, number]> {
  if (!input || input.length < minLength) return [['und', 1]];
  const value = input.slice(0, MAX_LENGTH);
  const { script, count } = topScript(value);
  indexes ??= buildIndexes();
  const index = script === undefined ? undefined : indexes.get(script);
  // A script with one language (Greek, Thai, …) names it; franc's script keys are those codes.
  if (!index) return [[!script || count === 0 ? 'und' : script, 1]];

  // The sample's trigram counts (n-gram over ' ' + clean + ' ', UTF-16 units, as trigram-utils does).
  const text = ` ${clean(value)} `;
  const smallCounts = new Map<number, number>();
  const otherCounts = new Map<string, number>();
  for (let i = 0; i + 3 <= text.length; i++) {
    const key = smallKey(text.charCodeAt(i), text.charCodeAt(i + 1), text.charCodeAt(i + 2));
    if (key >= 0) smallCounts.set(key, (smallCounts.get(key) ?? 0) + 1);
    else {
      const t = text.slice(i, i + 3);
      otherCounts.set(t, (otherCounts.get(t) ?? 0) + 1);
    }
  }
  // franc: distance = Σ over the sample's trigrams of |count − rank − 1| when the profile has it, else 300.
  // Every profile starts at 300 per trigram, and a trigram a profile holds takes back 300 − |count − rank − 1|.
  const n = index.languages.length;
  const distance = new Float64Array(n).fill((smallCounts.size + otherCounts.size) * MAX_DIFFERENCE);
  const score = (pairs: Int32Array | undefined, c: number) => {
    if (!pairs) return;
    for (let k = 0; k < pairs.length; k += 2) {
      const d = c - pairs[k + 1]! - 1;
      distance[pairs[k]!]! -= MAX_DIFFERENCE - (d < 0 ? -d : d);
    }
  };
  for (const [key, c] of smallCounts) score(index.small.get(key), c);
  for (const [t, c] of otherCounts) score(index.other.get(t), c);
  // Closest first, ties in profile order (a stable sort, as franc's), then franc's normalisation.
  const ranked = index.languages.map((language, l) => [language, distance[l]!] as [string, number]).sort((a, b) => a[1] - b[1]);
  const min = ranked[0]![1];
  const max = value.length * MAX_DIFFERENCE - min;
  for (const r of ranked) r[1] = 1 - (r[1] - min) / max || 0;
  return ranked;
}

/** franc(value, { minLength }): the ISO 639-3 code of the closest profile, or 'und'. */
export function francCode(input: string, minLength: number): string {
  return francScores(input, minLength)[0]![0];
}

const iso1 = new Map<string, string | null>();

function toIso1(code: string): string | null {
  if (code === 'und') return null;
  let known = iso1.get(code);
  if (known === undefined) {
    const mapped = ISO1_OVERRIDES[code] ?? Intl.getCanonicalLocales(code)[0] ?? '';
    iso1.set(code, (known = /^[a-z]{2}$/.test(mapped) ? mapped : null));
  }
  return known;
}

/** Whether `text` holds at least `n` letters (stops counting there). */
function hasLetters(text: string, n: number): boolean {
  const letter = /\p{L}/gu;
  for (let found = 0; found < n; found++) if (!letter.exec(text)) return false;
  return true;
}

/** ISO 639-1 code, or null when the text is too short or ambiguous to tell. */
export function detectLanguage(text: string): string | null {
  const sample = text.slice(0, 4000);
  // Letters, not words: Chinese or Japanese text has no spaces to count by.
  if (!hasLetters(sample, MIN_LETTERS)) return null;
  return toIso1(francCode(sample, MIN_LETTERS));
}
