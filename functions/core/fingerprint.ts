// Article fingerprint: computed once at ingest, stored in the article record, and the only view of
// the text that clustering ever sees. Compact (base64 binary fields, ~3 KB for 1,000 words) but
// sufficient for candidate generation (MinHash/LSH), exact set verification (hashed term set),
// in-order sentence alignment (each sentence as indices into the term set), entity and title overlap.
import * as z from 'zod';
import { decodeU16, decodeU32, decodeVarints, encodeU16, encodeU32, encodeVarints } from './similarity/codec.ts';
import { fmix32, hashString } from './similarity/hash.ts';
import { splitSentences, stopwordsFor, tokenise } from './similarity/text.ts';

/** 2: numbers (years, counts, magnitudes, with their separators) are terms and name-like features. */
export const FINGERPRINT_VERSION = 2;
/** MinHash permutations (b-bit MinHash with b = 16). */
export const MINHASH_SIZE = 128;
/** Sentences beyond this many are not fingerprinted (bounds the record for very long texts). */
export const MAX_SENTENCES = 160;

const b64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);

export const FingerprintSchema = z.object({
  v: z.literal(FINGERPRINT_VERSION),
  /** Language used for stopwords (null: union of all lists). */
  lang: z.string().nullable(),
  /** Content tokens in the fingerprinted body. */
  tokens: z.number().int().nonnegative(),
  /** Sorted unique 32-bit hashes of the body's content terms (uint32 LE, base64). */
  terms: b64,
  /** Per sentence, in order: count then delta-coded sorted indices into `terms` (LEB128 varints, base64). */
  sents: b64,
  /** Delta-coded indices into `terms` of name-like terms (capitalised mid-sentence, never lowercase). */
  ents: b64,
  /** Sorted unique 32-bit hashes of the title's content terms (uint32 LE, base64). */
  title: b64,
  /** 128 x 16-bit MinHash of the body term set (uint16 LE, base64). */
  mh: b64,
});
export type Fingerprint = z.infer<typeof FingerprintSchema>;

/** The permutations' seeds, as signed 32-bit ints (the hash loop works in int32). */
const MH_SEEDS = Int32Array.from({ length: MINHASH_SIZE }, (_, i) => fmix32(0x5bd1e995 ^ Math.imul(i + 1, 0x9e3779b9)));

export function minhash(termHashes: ArrayLike<number>): Uint16Array {
  const n = termHashes.length;
  const out = new Uint16Array(MINHASH_SIZE);
  if (n === 0) return out.fill(0xffff);
  const xs = new Int32Array(n);
  for (let t = 0; t < n; t++) xs[t] = termHashes[t]! | 0;
  // One permutation at a time, its minimum in a local (term by term with 128 running minima in a typed array took
  // 1.6x as long). Unsigned order is signed order with the top bit flipped.
  for (let i = 0; i < MINHASH_SIZE; i++) {
    const seed = MH_SEEDS[i]!;
    let min = 0x7fffffff;
    for (let t = 0; t < n; t++) {
      // fmix32(x ^ seed_i), inlined: this loop is most of the fingerprint's cost.
      let h = xs[t]! ^ seed;
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= (h >>> 16) ^ 0x80000000;
      if (h < min) min = h;
    }
    out[i] = min & 0xffff;
  }
  return out;
}

export function termHash(term: string): number {
  return hashString(term);
}

/** The distinct values, ascending (hashes are uint32, so a typed array's numeric sort). */
function sortedUnique(xs: ArrayLike<number>): Uint32Array {
  const s = Uint32Array.from(xs).sort();
  let n = 0;
  for (let i = 0; i < s.length; i++) if (i === 0 || s[i] !== s[n - 1]) s[n++] = s[i]!;
  return s.subarray(0, n);
}

/** Index of `x` in the ascending `xs`, which holds it. */
function indexIn(xs: Uint32Array, x: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Token flags kept per token until the term set is known. */
const NAME_LIKE = 1;
const LOWER = 2;

export function fingerprintArticle(a: { title: string; text: string; language: string | null }): Fingerprint {
  const lang = a.language ? a.language.toLowerCase() : null;
  const stop = stopwordsFor(lang);
  // A body without sentences (a one-line item) is fingerprinted from its title.
  let sentences = splitSentences(a.text.normalize('NFKC')).slice(0, MAX_SENTENCES);
  if (sentences.length === 0) sentences = splitSentences(a.title.normalize('NFKC'));
  // Every token's term hash and flags, sentence after sentence; sentenceEnds[k] ends sentence k's tokens
  // (sentences without a token are left out).
  const hashes: number[] = [];
  const flags: number[] = [];
  const sentenceEnds: number[] = [];
  for (const s of sentences) {
    const toks = tokenise(s, stop);
    if (toks.length === 0) continue;
    for (const t of toks) {
      hashes.push(termHash(t.term));
      flags.push((t.capital || t.number ? NAME_LIKE : 0) | (t.lower ? LOWER : 0));
    }
    sentenceEnds.push(hashes.length);
  }
  const tokens = hashes.length;
  const terms = sortedUnique(hashes);
  // Terms are then named by their index in `terms` (the order of hashes is the order of indexes).
  const termIndex = new Uint32Array(tokens);
  const nameLike = new Uint8Array(terms.length);
  const lower = new Uint8Array(terms.length);
  for (let k = 0; k < tokens; k++) {
    const i = (termIndex[k] = indexIn(terms, hashes[k]!));
    if (flags[k]! & NAME_LIKE) nameLike[i] = 1;
    if (flags[k]! & LOWER) lower[i] = 1;
  }
  // Per sentence: how many distinct terms, then their indexes ascending, delta-coded.
  const sents: number[] = [];
  let start = 0;
  for (const end of sentenceEnds) {
    const ids = termIndex.subarray(start, end).sort();
    const countAt = sents.push(0) - 1;
    let prev = 0;
    for (let k = 0; k < ids.length; k++) {
      if (k > 0 && ids[k] === ids[k - 1]) continue;
      sents.push(ids[k]! - prev);
      prev = ids[k]!;
    }
    sents[countAt] = sents.length - countAt - 1;
    start = end;
  }
  // Name-like terms: written capitalised mid-sentence (or numbers) and never in lowercase.
  const ents: number[] = [];
  let prevEnt = 0;
  for (let i = 0; i < terms.length; i++) {
    if (!nameLike[i] || lower[i]) continue;
    ents.push(i - prevEnt);
    prevEnt = i;
  }
  const titleTerms = sortedUnique(tokenise(a.title.normalize('NFKC'), stop).map((t) => termHash(t.term)));
  return {
    v: FINGERPRINT_VERSION,
    lang,
    tokens,
    terms: encodeU32(terms),
    sents: encodeVarints(sents),
    ents: encodeVarints(ents),
    title: encodeU32(titleTerms),
    mh: encodeU16(minhash(terms)),
  };
}

/** The fingerprint's binary fields, decoded. */
export interface DecodedFingerprint {
  tokens: number;
  /** Sorted unique term hashes. */
  terms: Uint32Array;
  /** Sentences as sorted indices into `terms`. */
  sentences: Uint32Array[];
  /** Sorted indices into `terms`. */
  entities: Uint32Array;
  title: Uint32Array;
  minhash: Uint16Array;
}

export function decodeSentences(fp: Fingerprint): Uint32Array[] {
  const v = decodeVarints(fp.sents);
  const out: Uint32Array[] = [];
  let p = 0;
  while (p < v.length) {
    const n = v[p++]!;
    const s = new Uint32Array(n);
    let prev = 0;
    for (let i = 0; i < n; i++) {
      prev += v[p++] ?? 0;
      s[i] = prev;
    }
    out.push(s);
  }
  return out;
}

export function decodeEntities(fp: Fingerprint): Uint32Array {
  const d = decodeVarints(fp.ents);
  const out = new Uint32Array(d.length);
  let prev = 0;
  for (let i = 0; i < d.length; i++) out[i] = prev += d[i]!;
  return out;
}

export function decodeFingerprint(fp: Fingerprint): DecodedFingerprint {
  return {
    tokens: fp.tokens,
    terms: decodeU32(fp.terms),
    sentences: decodeSentences(fp),
    entities: decodeEntities(fp),
    title: decodeU32(fp.title),
    minhash: decodeU16(fp.mh),
  };
}
