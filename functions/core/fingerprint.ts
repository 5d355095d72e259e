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

const MH_SEEDS = Uint32Array.from({ length: MINHASH_SIZE }, (_, i) => fmix32(0x5bd1e995 ^ Math.imul(i + 1, 0x9e3779b9)));

export function minhash(termHashes: ArrayLike<number>): Uint16Array {
  const mins = new Float64Array(MINHASH_SIZE).fill(4294967296);
  for (let t = 0; t < termHashes.length; t++) {
    const x = termHashes[t]! | 0;
    for (let i = 0; i < MINHASH_SIZE; i++) {
      // fmix32(x ^ seed_i), inlined: this loop is most of the fingerprint's cost.
      let h = x ^ MH_SEEDS[i]!;
      h ^= h >>> 16;
      h = Math.imul(h, 0x85ebca6b);
      h ^= h >>> 13;
      h = Math.imul(h, 0xc2b2ae35);
      h ^= h >>> 16;
      const u = h >>> 0;
      if (u < mins[i]!) mins[i] = u;
    }
  }
  const out = new Uint16Array(MINHASH_SIZE);
  for (let i = 0; i < MINHASH_SIZE; i++) out[i] = termHashes.length ? mins[i]! % 65536 : 0xffff;
  return out;
}

export function termHash(term: string): number {
  return hashString(term);
}

function sortedUnique(xs: number[]): number[] {
  const s = [...new Set(xs)];
  s.sort((a, b) => a - b);
  return s;
}

export function fingerprintArticle(a: { title: string; text: string; language: string | null }): Fingerprint {
  const lang = a.language ? a.language.toLowerCase() : null;
  const stop = stopwordsFor(lang);
  // A body without sentences (a one-line item) is fingerprinted from its title.
  let sentences = splitSentences(a.text.normalize('NFKC')).slice(0, MAX_SENTENCES);
  if (sentences.length === 0) sentences = splitSentences(a.title.normalize('NFKC'));
  const sentTerms: number[][] = [];
  const capital = new Map<number, number>();
  const lower = new Set<number>();
  let tokens = 0;
  for (const s of sentences) {
    const toks = tokenise(s, stop);
    if (toks.length === 0) continue;
    tokens += toks.length;
    const hs: number[] = [];
    for (const t of toks) {
      const h = termHash(t.term);
      hs.push(h);
      if (t.capital || t.number) capital.set(h, (capital.get(h) ?? 0) + 1);
      if (t.lower) lower.add(h);
    }
    sentTerms.push(sortedUnique(hs));
  }
  const terms = sortedUnique(sentTerms.flat());
  const index = new Map(terms.map((h, i) => [h, i]));
  const sents: number[] = [];
  for (const hs of sentTerms) {
    sents.push(hs.length);
    let prev = 0;
    for (const h of hs) {
      const i = index.get(h)!;
      sents.push(i - prev);
      prev = i;
    }
  }
  const entIdx = [...capital.keys()].filter((h) => !lower.has(h)).map((h) => index.get(h)!).sort((x, y) => x - y);
  const ents = entIdx.map((v, i) => v - (i ? entIdx[i - 1]! : 0));
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
