// Fast copies in the similarity code, each held to what it copies on generated input:
// - BatchScorer.sim and PairScorer.storySim are PairScorer.story(a, b).sim (a hash table of a's terms instead of
//   sorted merges; b read from its hot record): both claim the very same float. Checked on random small batches
//   fingerprinted by the project's own code, so the corpus has real overlaps, names, titles and dates.
// - LocalAligner over SentenceDoc (local term indexes, stamps instead of clearing) is alignSentences.
// - Base64Scratch decodes as Buffer.from(s, 'base64') does (it writes with the same decoder, into a reused buffer).
import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fingerprintArticle } from '../functions/core/fingerprint.ts';
import { LocalAligner, SentenceDoc, alignSentences, sentencePostings } from '../functions/core/similarity/align.ts';
import { Base64Scratch, encodeVarints } from '../functions/core/similarity/codec.ts';
import { buildCorpus } from '../functions/core/similarity/index.ts';
import { BatchScorer, PairScorer } from '../functions/core/similarity/pairs.ts';

// A small vocabulary so articles share terms: plain words, names (written capitalised mid-sentence, so they become
// name-like terms), numbers (name-like too), stopwords, and other scripts (Han becomes character bigrams).
const WORDS = ['quake', 'struck', 'coast', 'houses', 'rescue', 'crews', 'river', 'bridge', 'council', 'budget', 'vote', 'storm',
  'flood', 'valley', 'minister', 'election', 'market', 'shares', 'prices', 'fell', 'rose', 'hospital', 'people', 'road', 'the', 'and', 'of'];
const NAMES = ['Marrant', 'Lisbon', 'Okafor', 'Brenna', 'Vitoria', 'Kessler', 'Ilse', 'Danube', 'Quito', 'Halden'];
const NUMBERS = ['6.1', '2,116', '2013', '160', '42', '7'];
const OTHER = ['地震发生', 'Ζεύς', 'Москва'];

const token = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...WORDS) },
  { weight: 3, arbitrary: fc.constantFrom(...NAMES) },
  { weight: 1, arbitrary: fc.constantFrom(...NUMBERS) },
  { weight: 1, arbitrary: fc.constantFrom(...OTHER) },
);
// Sentences of distinct names ("Zq" + up to 3 digits, within the 6-character term prefix): an article with many of
// them and a long vector outgrows the scorer's first table (256 slots).
const manyNames = fc.array(fc.integer({ min: 0, max: 999 }).map((i) => `Zq${i}`), { minLength: 1, maxLength: 14, size: 'max' });
const sentence = fc.oneof({ weight: 5, arbitrary: fc.array(token, { minLength: 1, maxLength: 14 }) }, { weight: 1, arbitrary: manyNames })
  .map((ws) => `The ${ws.join(' ')}.`);
const DAY = 86_400_000;
const article = fc.record({
  title: fc.array(token, { maxLength: 8 }).map((ws) => ws.join(' ')),
  sentences: fc.array(sentence, { maxLength: 40, size: '+1' }),
  language: fc.constantFrom('en', null),
  // Unknown, inside the window, or weeks apart (the date decay).
  date: fc.option(fc.integer({ min: 0, max: 90 }).map((d) => Date.UTC(2025, 0, 1) + d * DAY + (d % 5) * 3_600_000), { freq: 4 }),
});

const batch = fc.record({
  articles: fc.array(article, { minLength: 1, maxLength: 10 }),
  // The vector's size (storyTerms; 64 in ClusterOptions).
  maxTerms: fc.oneof(fc.constant(64), fc.integer({ min: 1, max: 200 })),
  // The window is a count of days (>= 0, as in ClusterOptions).
  window: fc.oneof(fc.constant(3), fc.integer({ min: 0, max: 30 })),
  weights: fc.oneof(
    fc.constant({ cosine: 0.5, entities: 0.35, title: 0.15 }),
    fc.record({ cosine: fc.double({ min: 0.01, max: 1, noNaN: true }), entities: fc.double({ min: 0, max: 1, noNaN: true }), title: fc.double({ min: 0, max: 1, noNaN: true }) }),
  ),
  // Pairs in an arbitrary order (each a new `a` reloads the scorer's table; a repeated `a` reuses it), self-pairs included.
  queries: fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 60 }),
});

describe('BatchScorer.sim and PairScorer.storySim', () => {
  it('give exactly the float of PairScorer.story(a, b).sim', () => {
    let scored = 0;
    let nonZero = 0;
    let decayed = 0;
    let bigTables = 0;
    fc.assert(
      fc.property(batch, ({ articles, maxTerms, window, weights, queries }) => {
        const fps = articles.map((a) => fingerprintArticle({ title: a.title, text: a.sentences.join(' '), language: a.language }));
        const corpus = buildCorpus(fps, maxTerms);
        const scorer = new PairScorer(corpus, articles.map((a) => a.date), window, weights);
        const fast = new BatchScorer(scorer, corpus);
        const n = articles.length;
        for (let d = 0; d < n; d++) {
          const size = corpus.vecStart[d + 1]! - corpus.vecStart[d]! + corpus.entStart[d + 1]! - corpus.entStart[d]! + corpus.titleStart[d + 1]! - corpus.titleStart[d]!;
          if (2 * size > 256) bigTables++;
        }
        // Every ordered pair once, then the random sequence.
        const pairs: Array<[number, number]> = [];
        for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) pairs.push([a, b]);
        for (const [x, y] of queries) pairs.push([x % n, y % n]);
        for (const [a, b] of pairs) {
          const story = scorer.story(a, b);
          const want = story.sim;
          if (story.days > window) decayed++;
          expect(fast.sim(a, b), `sim(${a}, ${b})`).toBe(want);
          expect(scorer.storySim(a, b), `storySim(${a}, ${b})`).toBe(want);
          scored++;
          if (want > 0) nonZero++;
        }
      }),
      { seed: 2101, numRuns: 300 },
    );
    // The batches overlap: most pairs score above zero, so the sums are really compared. Some pairs are past the
    // date window, and some articles outgrow the scorer's first table.
    expect(nonZero).toBeGreaterThan(scored / 2);
    expect(decayed).toBeGreaterThan(100);
    expect(bigTables).toBeGreaterThan(20);
  });
});

describe('LocalAligner', () => {
  /** An article's sentences as sorted unique global term ids, over a small vocabulary so that sentences overlap. */
  const sentences = (vocab: number) =>
    fc.array(fc.uniqueArray(fc.nat(vocab - 1), { maxLength: 9 }).map((s) => s.sort((x, y) => x - y)), { minLength: 1, maxLength: 12 });
  const pair = fc.integer({ min: 2, max: 36 }).chain((vocab) =>
    fc.record({
      a: sentences(vocab),
      b: sentences(vocab),
      weight: fc.option(fc.array(fc.double({ min: 0.05, max: 2, noNaN: true }), { minLength: vocab, maxLength: vocab }), { freq: 2 }),
      share: fc.constantFrom(0.5, 0.7, 0.3, 1),
    }));

  function load(sents: number[][], terms: Int32Array, weight: Float64Array): SentenceDoc {
    const stream: number[] = [];
    for (const s of sents) {
      stream.push(s.length);
      let prev = 0;
      for (const t of s) {
        const u = terms.indexOf(t);
        stream.push(u - prev);
        prev = u;
      }
    }
    const bytes = Buffer.from(encodeVarints(stream), 'base64');
    const doc = new SentenceDoc();
    doc.load(0, bytes, 0, bytes.length, terms, 0, terms.length, weight, 1);
    return doc;
  }

  it('gives what alignSentences gives, with and without term weights', () => {
    // One aligner for every pair: its stamps and windows carry over from pair to pair, as in clustering.
    const aligner = new LocalAligner();
    let aligned = 0;
    fc.assert(
      fc.property(pair, ({ a, b, weight, share }) => {
        const termsOf = (s: number[][]) => Int32Array.from([...new Set(s.flat())].sort((x, y) => x - y));
        const ta = termsOf(a);
        const tb = termsOf(b);
        const w = Float64Array.from(weight ?? Array.from({ length: 64 }, () => 1));
        const map = Int32Array.from(ta, (t) => tb.indexOf(t));
        const got = aligner.align(load(a, ta, w), map, load(b, tb, w), share);
        const want = alignSentences(a.map((s) => Int32Array.from(s)), sentencePostings(b.map((s) => Int32Array.from(s))), b.length, share, weight ? w : null);
        expect(got).toEqual(want);
        if (want.coverage > 0) aligned++;
      }),
      { seed: 2102, numRuns: 1500 },
    );
    expect(aligned).toBeGreaterThan(150);
  });
});

describe('Base64Scratch', () => {
  it('decodes any string as Buffer.from(s, "base64") does, in a reused buffer', () => {
    const scratch = new Base64Scratch();
    // Valid base64 of any bytes, some past the first 64 KiB buffer (filled from a seed: an arbitrary per byte is slow),
    // and strings with padding, URL-safe and stray characters.
    const big = fc.tuple(fc.integer({ min: 60_000, max: 140_000 }), fc.integer()).map(([n, seed]) => {
      let x = seed | 1;
      return Uint8Array.from({ length: n }, () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), x & 0xff));
    });
    const valid = fc.oneof(fc.uint8Array({ maxLength: 100 }), big).map((b) => Buffer.from(b).toString('base64'));
    const any = fc.string({ unit: fc.constantFrom(...'AZaz09+/-_=  \n*é'), maxLength: 200 });
    fc.assert(
      fc.property(fc.oneof(valid, any), (s) => {
        const want = Buffer.from(s, 'base64');
        const n = scratch.decode(s);
        expect(Buffer.compare(scratch.buf.subarray(0, n), want)).toBe(0);
        let differing = 0;
        for (let i = 0; 4 * i + 4 <= n; i++) if (scratch.u32At(i) !== want.readUInt32LE(4 * i)) differing++;
        for (let i = 0; 2 * i + 2 <= n; i++) if (scratch.u16At(i) !== want.readUInt16LE(2 * i)) differing++;
        expect(differing).toBe(0);
      }),
      { seed: 2103, numRuns: 100 },
    );
  });
});
