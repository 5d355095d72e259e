// Language of an article's text, as an ISO 639-1 code, for articles that do not state one.
// franc-min (trigram profiles of the 82 languages with 8M+ speakers, ~170 KiB minified) replaced tinyld
// (~735 KiB): smaller in the Lambda bundle, and on the dev sets it reads English sports and politics
// copy as English where tinyld said German or Dutch.
//
// franc's own scoring looks every trigram of the sample up in every profile of the script (about 1,000
// trigrams × 60 Latin profiles, each an object-key lookup), which was half of the parser's time. `francScores`
// below gives exactly franc's answer from franc-min's own profiles and script expressions, with one index per
// script built at first use: each trigram maps to the profiles that hold it and its rank in each, so a sample
// costs one lookup per distinct trigram plus one addition per (trigram, profile holding it). The sample's
// script and its trigram counts are one pass each over the sample (franc runs 20 global regexes collecting
// every match, two regex replaces, and a Map of counts): a table of each character's scripts filled as
// characters are first seen, cleaning on the fly, and typed-array hash tables.
// The test compares it with franc itself.
import { data } from 'franc-min/data.js';
import { expressions } from 'franc-min/expressions.js';
import { LETTER, codePointClass, unitsOf } from '../unicode.ts';

/** franc speaks ISO 639-3; where ICU's canonical form is not the 639-1 code, the macrolanguage's code. */
const ISO1_OVERRIDES: Readonly<Record<string, string>> = { zlm: 'ms', tgl: 'tl' };

/** Below this many letters trigram statistics are guesswork ("Breaking news" is 12). */
const MIN_LETTERS = 30;

/** franc's constants: the sample it reads, and the distance of a trigram a profile lacks. */
const MAX_LENGTH = 2048;
const MAX_DIFFERENCE = 300;

// ---- The sample's script --------------------------------------------------------------------------------

/** franc-min's scripts in its order (ties go to the first), and each expression made sticky to test one character. */
const SCRIPTS = Object.keys(expressions);
const STICKY = Object.values(expressions).map((e) => new RegExp(e.source, `${e.flags.replace('g', '')}y`));

/**
 * Each of franc-min's expressions matches one UTF-16 unit outside the surrogates, or one surrogate pair, and
 * never a lone surrogate (the test checks), so franc's `value.match(expression).length` is the number of the
 * sample's units and pairs in that script. Which scripts a unit or pair is in is found once, the first time it
 * is seen, by running the expressions on it, and kept as a class: an index into `classMasks`, whose bit s stands
 * for SCRIPTS[s]. Class 0 is "not seen yet"; there are a few dozen classes in all.
 */
const classMasks: number[] = [0];
const classByMask = new Map<number, number>();
const unitClass = new Uint16Array(0x10000);
const pairClass = new Map<number, number>();

function classify(char: string): number {
  let mask = 0;
  STICKY.forEach((expression, s) => {
    expression.lastIndex = 0;
    if (expression.test(char)) mask |= 1 << s;
  });
  let k = classByMask.get(mask);
  if (k === undefined) classByMask.set(mask, (k = classMasks.push(mask) - 1));
  return k;
}

/**
 * Adds the sample's units and pairs to perClass, by class. A class first seen here may lie past perClass's end;
 * the write is then dropped (a bounds check in this loop made it several times slower), and the caller counts again.
 */
function countClasses(value: string, perClass: Int32Array): void {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    let k: number;
    const low = c >= 0xd800 && c < 0xdc00 ? value.charCodeAt(i + 1) : 0;
    if (low >= 0xdc00 && low < 0xe000) {
      // A surrogate pair; its low half matches nothing on its own, so it is skipped as franc's regexes skip it.
      const point = ((c - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
      k = pairClass.get(point) ?? 0;
      if (k === 0) pairClass.set(point, (k = classify(value.slice(i, i + 2))));
      i++;
    } else {
      k = unitClass[c]!;
      if (k === 0) unitClass[c] = k = classify(value[i]!);
    }
    perClass[k]!++;
  }
}

/** The script franc picks: the expression with the most matches, the first on ties (count 0 included). */
function topScript(value: string): { script: string | undefined; count: number } {
  const perClass = new Int32Array(classMasks.length + 16);
  countClasses(value, perClass);
  // Everything in the sample is classified now, so a second count cannot run past the end.
  if (classMasks.length > perClass.length) return topScript(value);
  const perScript = new Int32Array(SCRIPTS.length);
  for (let k = 1; k < classMasks.length; k++) {
    const n = perClass[k]!;
    for (let mask = n === 0 ? 0 : classMasks[k]!; mask !== 0; mask &= mask - 1) perScript[31 - Math.clz32(mask & -mask)]! += n;
  }
  // franc compares count / value.length, which orders as the counts do.
  let top = 0;
  for (let s = 1; s < perScript.length; s++) if (perScript[s]! > perScript[top]!) top = s;
  return { script: SCRIPTS[top], count: perScript[top]! };
}

// ---- Trigrams ---------------------------------------------------------------------------------------------

/**
 * Trigrams (three UTF-16 units a, b, c) live in open-addressing tables of 4-int records, the first two the key
 * (a << 16 | b, c; c = -1 marks an empty slot), at slot `trigramHash >>> shift`, probing linearly. The tables
 * outgrow L1, and a 16-byte record keeps a lookup to one cache line (separate arrays of keys, counts and offsets
 * were a fifth slower).
 */
const EMPTY = -1;

function trigramHash(ab: number, c: number): number {
  return Math.imul(ab ^ Math.imul(c, 0x9e3779b1), 0x85ebca6b);
}

interface ScriptIndex {
  /** Profile codes in franc's order (its ties go to the first). */
  languages: string[];
  /**
   * Every trigram of the script's profiles: records (ab, c, start, end) whose pairs[start..end) are
   * rank << 8 | profile index, for each profile that holds the trigram (at most 256 profiles: Latin has 44).
   */
  slots: Int32Array;
  pairs: Int32Array;
  shift: number;
}

let indexes: Map<string, ScriptIndex> | null = null;

function buildIndexes(): Map<string, ScriptIndex> {
  const out = new Map<string, ScriptIndex>();
  for (const [script, profiles] of Object.entries(data)) {
    const languages = Object.keys(profiles);
    if (languages.length > 256) throw new Error(`franc-min: ${script} has more profiles than a pair can name`);
    const lists = new Map<string, number[]>();
    languages.forEach((language, l) => {
      const model = profiles[language]!.split('|');
      // A trigram listed twice keeps its first rank, as in franc (it fills its dictionary from the end).
      const rank = new Map<string, number>();
      for (let r = 0; r < model.length; r++) if (!rank.has(model[r]!)) rank.set(model[r]!, r);
      for (const [t, r] of rank) {
        // A sample's trigrams are three units; an entry of another length can never be one of them.
        if (t.length !== 3) continue;
        let list = lists.get(t);
        if (!list) lists.set(t, (list = []));
        list.push((r << 8) | l);
      }
    });
    const bits = Math.max(4, Math.ceil(Math.log2(2 * lists.size)));
    const shift = 32 - bits;
    const mask = (1 << bits) - 1;
    const slots = new Int32Array(4 << bits);
    for (let slot = 0; slot <= mask; slot++) slots[4 * slot + 1] = EMPTY;
    const pairs: number[] = [];
    for (const [t, list] of lists) {
      const ab = (t.charCodeAt(0) << 16) | t.charCodeAt(1);
      const c = t.charCodeAt(2);
      let slot = trigramHash(ab, c) >>> shift;
      while (slots[4 * slot + 1] !== EMPTY) slot = (slot + 1) & mask;
      slots.set([ab, c, pairs.length, pairs.length + list.length], 4 * slot);
      pairs.push(...list);
    }
    out.set(script, { languages, slots, pairs: Int32Array.from(pairs), shift });
  }
  return out;
}

/**
 * The sample's trigram counts, reused between calls: records (ab, c, count, hash); the slots taken are
 * used[0..distinct), and scoring empties them again. Sized to stay at most half full.
 */
let sampleSlots = new Int32Array(4 << 13).fill(EMPTY);
let used = new Int32Array(1 << 12);

/** trigram-utils' `clean`: ASCII punctuation and digits to spaces, whitespace collapsed, trimmed, lower-cased. */
function clean(value: string): string {
  return value.replace(/[\u0021-\u0040]+/g, ' ').replace(/\s+/g, ' ').trim().toLowerCase();
}

/** What `clean` turns into a space: U+0021–U+0040 and JavaScript's `\s` (the test checks every unit). */
function isSeparator(c: number): boolean {
  if (c <= 0x40) return c >= 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 ||
    c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

/**
 * Counts the trigrams of ' ' + clean(value) + ' ' (UTF-16 units, as trigram-utils makes them) into the sample
 * table, and gives how many distinct ones there are. Lower-casing maps no character to or from a separator, so
 * the sample is lower-cased whole and cleaned on the fly: a run of separators is one space, none at either end.
 * The exception is Σ, whose lower case depends on its neighbours (ς ends a word, and "Σ." is not followed by a
 * space until cleaning makes it one): with a Σ the sample is cleaned first, as trigram-utils does.
 */
function countTrigrams(value: string): number {
  const text = value.includes('Σ') ? clean(value) : value.toLowerCase();
  // At most text.length + 1 trigrams (İ lower-cases to two units, so text can be longer than value).
  const bits = Math.max(4, Math.ceil(Math.log2(2 * (text.length + 2))));
  if (4 << bits > sampleSlots.length) {
    sampleSlots = new Int32Array(4 << bits).fill(EMPTY);
    used = new Int32Array(1 << (bits - 1));
  }
  // Locals, not the module's bindings, in the loop: it runs once per unit of the sample.
  const slots = sampleSlots;
  const taken = used;
  const shift = 32 - bits;
  const mask = (1 << bits) - 1;
  let distinct = 0;
  // The last two units written (-1: none yet), starting with the leading ' '. Each unit of text writes at most
  // one: itself, or a space for the first separator after a word (the trailing ' ' when nothing follows).
  let a = -1;
  let b = 0x20;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x20;
    const unit = isSeparator(c) ? 0x20 : c;
    if (unit === 0x20 && b === 0x20) continue;
    if (a >= 0) {
      const ab = (a << 16) | b;
      const hash = trigramHash(ab, unit);
      let slot = hash >>> shift;
      for (;;) {
        const r = 4 * slot;
        if (slots[r + 1] === unit && slots[r] === ab) {
          slots[r + 2]!++;
          break;
        }
        if (slots[r + 1] === EMPTY) {
          slots[r] = ab;
          slots[r + 1] = unit;
          slots[r + 2] = 1;
          slots[r + 3] = hash;
          taken[distinct++] = slot;
          break;
        }
        slot = (slot + 1) & mask;
      }
    }
    a = b;
    b = unit;
  }
  return distinct;
}

// ---- franc ------------------------------------------------------------------------------------------------

type Distances = { code: string } | { index: ScriptIndex; distance: Int32Array; length: number };

/**
 * franc's distance of the sample to every profile of its script (the smallest is the closest), or, when the
 * script has one language or none, franc's answer for it.
 */
function distances(input: string, minLength: number): Distances {
  if (!input || input.length < minLength) return { code: 'und' };
  const value = input.slice(0, MAX_LENGTH);
  const { script, count } = topScript(value);
  indexes ??= buildIndexes();
  const index = script === undefined ? undefined : indexes.get(script);
  // A script with one language (Greek, Thai, …) names it; franc's script keys are those codes.
  if (!index) return { code: !script || count === 0 ? 'und' : script };

  // franc: distance = Σ over the sample's trigrams of |count − rank − 1| when the profile has it, else 300.
  // Every profile starts at 300 per trigram, and a trigram a profile holds takes back 300 − |count − rank − 1|.
  const distinct = countTrigrams(value);
  // Whole numbers below 2049 × 300: integer arithmetic, exact.
  const distance = new Int32Array(index.languages.length).fill(distinct * MAX_DIFFERENCE);
  score(index, distinct, distance);
  return { index, distance, length: value.length };
}

/** Takes the sample's trigrams (emptying the sample table) off each profile's distance. */
function score({ slots, pairs, shift }: ScriptIndex, distinct: number, distance: Int32Array): void {
  const sample = sampleSlots;
  const wrap = slots.length - 1; // records are 4 ints, and there are 2^n of them
  for (let u = 0; u < distinct; u++) {
    const r = 4 * used[u]!;
    const ab = sample[r]!;
    const c = sample[r + 1]!;
    sample[r + 1] = EMPTY;
    let p = 4 * (sample[r + 3]! >>> shift);
    while (slots[p + 1] !== EMPTY && (slots[p + 1] !== c || slots[p] !== ab)) p = (p + 4) & wrap;
    if (slots[p + 1] === EMPTY) continue;
    const count = sample[r + 2]!;
    for (let k = slots[p + 2]!, end = slots[p + 3]!; k < end; k++) {
      const d = count - (pairs[k]! >> 8) - 1;
      distance[pairs[k]! & 0xff]! -= MAX_DIFFERENCE - (d < 0 ? -d : d);
    }
  }
}

/**
 * francAll(value, { minLength }): every profile of the sample's script with franc's score (1 for the closest),
 * closest first; [['und', 1]] when it cannot tell.
 */
export function francScores(input: string, minLength: number): Array<[string, number]> {
  const result = distances(input, minLength);
  if ('code' in result) return [[result.code, 1]];
  const { index, distance, length } = result;
  // Closest first, ties in profile order (a stable sort, as franc's), then franc's normalisation.
  const ranked = index.languages.map((language, l) => [language, distance[l]!] as [string, number]).sort((a, b) => a[1] - b[1]);
  const min = ranked[0]![1];
  const max = length * MAX_DIFFERENCE - min;
  for (const r of ranked) r[1] = 1 - (r[1] - min) / max || 0;
  return ranked;
}

/** franc(value, { minLength }): the ISO 639-3 code of the closest profile (the first on ties), or 'und'. */
export function francCode(input: string, minLength: number): string {
  const result = distances(input, minLength);
  if ('code' in result) return result.code;
  let best = 0;
  result.distance.forEach((d, l) => {
    if (d < result.distance[best]!) best = l;
  });
  return result.index.languages[best]!;
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

/** Whether `text` holds at least `n` letters (\p{L} code points; stops counting there). */
function hasLetters(text: string, n: number): boolean {
  let found = 0;
  for (let i = 0; i < text.length && found < n; ) {
    const cp = text.codePointAt(i)!;
    if (codePointClass(cp) & LETTER) found++;
    i += unitsOf(cp);
  }
  return found >= n;
}

/** ISO 639-1 code, or null when the text is too short or ambiguous to tell. */
export function detectLanguage(text: string): string | null {
  const sample = text.slice(0, 4000);
  // Letters, not words: Chinese or Japanese text has no spaces to count by.
  if (!hasLetters(sample, MIN_LETTERS)) return null;
  return toIso1(francCode(sample, MIN_LETTERS));
}
