// The text hot paths are hand-written scanners standing in for Unicode regexes (and one inlined hash). Each is
// held here to the definition it replaced, as the code was written before (regexes copied from the history), on
// arbitrary text shaped to reach the scanners' branches: digits with separators before letters and marks,
// apostrophes, sentence ends and abbreviations, astral code points, lone surrogates, unspaced scripts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { minhash, MINHASH_SIZE } from '../functions/core/fingerprint.ts';
import { fmix32 } from '../functions/core/similarity/hash.ts';
import { splitSentences, stopwordsFor, tokenise } from '../functions/core/similarity/text.ts';
import { LETTER, MARK, NUMBER, codePointClass } from '../functions/core/unicode.ts';
import { countWords, countWordsUpTo, wordKey } from '../functions/core/words.ts';

// ---- The definitions, as the code read before its scanners ------------------------------------------------

const TOKEN = /\p{N}+(?:[.,]\p{N}+)*(?![\p{L}\p{M}])|[\p{L}\p{M}\p{N}]+/gu;
const NUMBER_RE = /^\p{N}+(?:[.,]\p{N}+)*$/u;
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

function normaliseTokenRef(raw: string, stop: Set<string>): string | null {
  const low = raw.toLowerCase();
  if (stop.has(low)) return null;
  if (NUMBER_RE.test(low)) {
    const digits = low.replace(/[.,]/g, '');
    return digits.length >= 2 ? low.replace(/,(?=\p{N}{3}(?:\D|$))/gu, '') : null;
  }
  let t = low;
  if (t.length < 2) return null;
  const last2 = t.charCodeAt(t.length - 2);
  if (t.length > 3 && t.charCodeAt(t.length - 1) === 115 && last2 !== 115 && last2 !== 117) t = t.slice(0, -1);
  if (t.length <= 6) return t;
  const cps = Array.from(t);
  return cps.length <= 6 ? t : cps.slice(0, 6).join('');
}

function tokeniseRef(sentence: string, stop: Set<string>) {
  const out: Array<{ term: string; capital: boolean; lower: boolean; number: boolean }> = [];
  let index = 0;
  for (const m of sentence.matchAll(TOKEN)) {
    const raw = m[0];
    const first = index === 0;
    index++;
    if (/[^\u0000-\u0dff]/.test(raw) && UNSPACED.test(raw)) {
      const chars = [...raw.toLowerCase()];
      if (chars.length === 1) continue;
      for (let i = 0; i + 1 < chars.length; i++) out.push({ term: chars[i]! + chars[i + 1]!, capital: false, lower: false, number: false });
      continue;
    }
    const term = normaliseTokenRef(raw, stop);
    if (term === null) continue;
    const upper = /^\p{Lu}/u.test(raw);
    out.push({ term, capital: upper && !first, lower: !upper && /\p{Ll}/u.test(raw), number: NUMBER_RE.test(raw) });
  }
  return out;
}

const ABBREV = new Set(['mr', 'mrs', 'ms', 'dr', 'st', 'gen', 'sen', 'rep', 'gov', 'jr', 'sr', 'no', 'vs', 'lt', 'col', 'sgt', 'capt', 'prof', 'inc', 'corp', 'co', 'ltd', 'mt', 'ft', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec']);

function splitSentencesRef(text: string): string[] {
  const out: string[] = [];
  for (const para of text.split(/\n+/)) {
    const p = para.trim();
    if (!p) continue;
    let start = 0;
    for (const m of p.matchAll(/[.!?…。！？]+["'”’»)\]]*(?=\s+|$)/gu)) {
      const end = m.index + m[0].length;
      const lastWord = /([\p{L}]+)$/u.exec(p.slice(start, m.index))?.[1] ?? '';
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

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;
const countWordsRef = (text: string) => text.match(WORD)?.length ?? 0;
const wordKeyRef = (text: string) => (text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).join(' ');

// ---- Arbitrary text ---------------------------------------------------------------------------------------

/** Pieces the scanners treat specially, each a branch of theirs. */
const PIECES = [
  // Words, stopwords, plurals and long words (the -s stem, the 6-unit prefix), capitals.
  'a', 'Q', 'The', 'the', 'news', 'ss', 'us', 'negotiations', 'Russia', 'I', 'İ', 'Σ', 'é', 'Ж', 'ǅ', 'ß',
  // Digits and separators: a letter or mark after a number makes the regex give back a digit or a group.
  '1', '2', '0', '.', ',', '1,000', '6.1', '٣', '²', '½', 'Ⅻ', '१', '\u0301', '\u0903',
  // Astral letters and digits (two units each), emoji, lone surrogates (one code point each to the regexes).
  '𝟙', '𝐀', '𝐚', '😀', '𠀀', '\ud800', '\udc00', '\udbff',
  // Unspaced scripts (bigrams), and a Han character after Latin in one token.
  '中', '文', 'カ', 'ひ', 'ไ', 'ກ', 'ក', 'မ',
  // Apostrophes (inner ones continue a word), spaces of every kind, line breaks, punctuation.
  "'", '’', ' ', '  ', '\t', '\n', '\n\n', '\u00a0', '\u3000', '\u200b', '-', '—', '"', '“', '”', '»', ')', ']',
  // Sentence ends, abbreviations and initials.
  '!', '?', '…', '。', '！', '？', '...', 'U.S.', 'Mr.', 'Gen.', 'J.', 'dr.', 'Sept.', 'no.', 'Ａ', '１',
];

const piece = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(...PIECES) },
  // Any code point (lone surrogates come from the pieces), and any single UTF-16 unit.
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)) },
);
const text = fc.array(piece, { maxLength: 80, size: 'medium' }).map((ps) => ps.join(''));

const RUNS = { seed: 2104, numRuns: 3000 };

describe('tokenise (scanner) against the TOKEN regex', () => {
  it('gives the tokens of the regex version on arbitrary text', () => {
    const stops = [stopwordsFor('en'), stopwordsFor('de'), stopwordsFor(null)];
    let tokens = 0;
    fc.assert(
      fc.property(text, fc.nat(2), (s, k) => {
        const got = tokenise(s, stops[k]!);
        expect(got).toEqual(tokeniseRef(s, stops[k]!));
        tokens += got.length;
      }),
      RUNS,
    );
    expect(tokens).toBeGreaterThan(RUNS.numRuns * 5);
  });

  it('keeps the regex backtracking on numbers before letters and marks', () => {
    // Digit runs and groups, then what follows them: the cases where the regex gives back part of a match.
    const digit = fc.constantFrom('1', '2', '٣', '𝟙', '²');
    const numberish = fc.array(fc.oneof(digit, fc.constantFrom('.', ',')), { minLength: 1, maxLength: 8 }).map((x) => x.join(''));
    const after = fc.constantFrom('', 'a', 'kg', '\u0301', '𝐀', ' ', '.', 'x1');
    fc.assert(
      fc.property(fc.array(fc.tuple(numberish, after), { minLength: 1, maxLength: 6 }), (parts) => {
        const s = parts.map(([n, a]) => n + a).join(' ');
        expect(tokenise(s, stopwordsFor('en'))).toEqual(tokeniseRef(s, stopwordsFor('en')));
      }),
      RUNS,
    );
  });
});

describe('splitSentences (backward letter scan) against its regex version', () => {
  it('gives the same sentences on arbitrary text', () => {
    let sentences = 0;
    fc.assert(
      fc.property(text, (s) => {
        const got = splitSentences(s);
        expect(got).toEqual(splitSentencesRef(s));
        sentences += got.length;
      }),
      RUNS,
    );
    expect(sentences).toBeGreaterThan(RUNS.numRuns);
  });
});

describe('words.ts scanners against the word regexes', () => {
  it('countWords and countWordsUpTo count the matches of the word regex', () => {
    fc.assert(
      fc.property(text, fc.nat(40), (s, max) => {
        const all = countWordsRef(s);
        expect(countWords(s)).toBe(all);
        expect(countWordsUpTo(s, max)).toBe(Math.min(all, max));
      }),
      RUNS,
    );
  });

  it('wordKey is the NFKC lower-cased letter and digit runs joined by one space', () => {
    // Words with one kind of gap: the scanner returns the folded text itself when every gap is one plain space
    // (NFKC makes one of a no-break space and of some ligatures and letterlike symbols).
    const words = fc.array(fc.constantFrom('plain', 'Words', 'é', 'e\u0301', '1', '中文', 'ǅ', 'ﬁ', 'Ⅻ', '𝐀', 'İ', 'x²'), { minLength: 1, maxLength: 8 });
    const gap = fc.constantFrom(' ', ' ', '\t', '\u00a0', '  ', '\u3000', '’', '-', '');
    const spaced = fc.tuple(words, gap, fc.constantFrom('', ' ')).map(([ws, g, edge]) => edge + ws.join(g) + edge);
    fc.assert(fc.property(fc.oneof(text, spaced), (s) => {
      expect(wordKey(s)).toBe(wordKeyRef(s));
    }), RUNS);
    // The shortcut (the folded text itself when already tidy) and the join both taken.
    expect(wordKey('plain words here')).toBe('plain words here');
    expect(wordKey(' Plain,  words ')).toBe('plain words');
  });
});

describe('codePointClass (table filled on first use) against \\p{L}, \\p{M}, \\p{N}', () => {
  it('classes every code point as the regexes do', () => {
    const L = /^\p{L}$/u;
    const M = /^\p{M}$/u;
    const N = /^\p{N}$/u;
    let differing = 0;
    // Every code point, twice for the BMP (the second read comes from the table).
    for (let pass = 0; pass < 2; pass++) {
      for (let cp = 0; cp <= (pass ? 0xffff : 0x10ffff); cp++) {
        const c = String.fromCodePoint(cp);
        const want = (L.test(c) ? LETTER : 0) | (M.test(c) ? MARK : 0) | (N.test(c) ? NUMBER : 0);
        if (codePointClass(cp) !== want) differing++;
      }
    }
    expect(differing).toBe(0);
  });
});

describe('minhash (fmix32 inlined) against its definition', () => {
  const seeds = Array.from({ length: MINHASH_SIZE }, (_, i) => fmix32(0x5bd1e995 ^ Math.imul(i + 1, 0x9e3779b9)));
  /** Per permutation, the low 16 bits of the smallest fmix32(term ^ seed); 0xffff for no term. */
  const minhashRef = (terms: number[]) =>
    Uint16Array.from(seeds, (seed) => terms.reduce((min, t) => Math.min(min, fmix32(t ^ seed)), 0xffffffff) & 0xffff);

  it('gives the b-bit minima of the finaliser over the term hashes', () => {
    const hashes = fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 300 });
    fc.assert(fc.property(hashes, (terms) => {
      expect(minhash(terms)).toEqual(minhashRef(terms));
    }), { seed: 2104, numRuns: 300 });
  });
});
