// Pair features between two fingerprinted articles of a batch, and candidate generation.
import { decodeSentences } from '../fingerprint.ts';
import { decodeU32 } from './codec.ts';
import { fmix32 } from './hash.ts';
import { type Corpus, cosine, intersectCount, intersectIdf } from './index.ts';
import { alignSentences } from './align.ts';

export interface CopyScores {
  /** Term containment: shared terms / terms of the shorter article. */
  containment: number;
  /** Term Jaccard. */
  jaccard: number;
  /** In-order sentence coverage of the shorter article by the longer. */
  coverage: number;
  /** In-order sentence coverage of the longer article by the shorter (how much of it was reproduced). */
  reach: number;
}

export interface StoryScores {
  /** TF-IDF cosine (body + title, IDF over the batch). */
  cosine: number;
  /** IDF-weighted overlap of name-like terms (cosine of binary idf-weighted sets). */
  entities: number;
  /** IDF-weighted overlap of title terms. */
  title: number;
  /** Days between publication dates (-1: unknown). */
  days: number;
  /** Combined story similarity. */
  sim: number;
}

export class PairScorer {
  private sentCache = new Map<number, Int32Array[]>();
  constructor(
    readonly corpus: Corpus,
    private readonly dates: Array<number | null>,
    private readonly dateWindowDays: number,
    private readonly weights: { cosine: number; entities: number; title: number } = { cosine: 0.5, entities: 0.35, title: 0.15 },
  ) {}

  sentences(d: number): Int32Array[] {
    let s = this.sentCache.get(d);
    if (s) return s;
    const fp = this.corpus.fps[d]!;
    const hashes = decodeU32(fp.terms);
    const table = this.corpus.table;
    s = decodeSentences(fp).map((sent) => {
      const out = new Int32Array(sent.length);
      for (let i = 0; i < sent.length; i++) out[i] = table.get(hashes[sent[i]!] ?? 0);
      return out;
    });
    this.sentCache.set(d, s);
    return s;
  }

  /** Copy features, or null when the term sets are too different to bother aligning. */
  copy(a: number, b: number, gate: number, share: number): CopyScores | null {
    const A = this.corpus.docs[a]!.ids;
    const B = this.corpus.docs[b]!.ids;
    if (A.length === 0 || B.length === 0) return null;
    const inter = intersectCount(A, B);
    const containment = inter / Math.min(A.length, B.length);
    const jaccard = inter / (A.length + B.length - inter);
    if (containment < gate) return { containment, jaccard, coverage: 0, reach: 0 };
    const [s, l] = A.length < B.length || (A.length === B.length && a < b) ? [a, b] : [b, a];
    const cov = alignSentences(this.sentences(s), this.sentences(l), share);
    const reach = alignSentences(this.sentences(l), this.sentences(s), share);
    return { containment, jaccard, coverage: cov.coverage, reach: reach.coverage };
  }

  /** Combined story similarity only (hot path: no allocation). */
  storySim(a: number, b: number): number {
    const c = this.corpus;
    const cos = cosine(c.vecIds[a]!, c.vecW[a]!, c.vecIds[b]!, c.vecW[b]!);
    const w = this.weights;
    let num = w.cosine * cos;
    const ea = c.entMass[a]!;
    const eb = c.entMass[b]!;
    if (ea > 0 && eb > 0) num += (w.entities * intersectIdf(c.docs[a]!.ents, c.docs[b]!.ents, c.idf)) / Math.sqrt(ea * eb);
    const ta = c.titleMass[a]!;
    const tb = c.titleMass[b]!;
    if (ta > 0 && tb > 0) num += (w.title * intersectIdf(c.docs[a]!.title, c.docs[b]!.title, c.idf)) / Math.sqrt(ta * tb);
    let sim = num / (w.cosine + w.entities + w.title);
    const da = this.dates[a];
    const db = this.dates[b];
    if (da != null && db != null) {
      const days = Math.abs(da - db) / 86_400_000;
      if (days > this.dateWindowDays) sim *= dateFactor(days, this.dateWindowDays);
    }
    return sim;
  }

  story(a: number, b: number): StoryScores {
    const c = this.corpus;
    const cos = cosine(c.vecIds[a]!, c.vecW[a]!, c.vecIds[b]!, c.vecW[b]!);
    const ea = c.entMass[a]!;
    const eb = c.entMass[b]!;
    const entities = ea > 0 && eb > 0 ? intersectIdf(c.docs[a]!.ents, c.docs[b]!.ents, c.idf) / Math.sqrt(ea * eb) : 0;
    const ta = c.docs[a]!.title;
    const tb = c.docs[b]!.title;
    let title = 0;
    if (c.titleMass[a]! > 0 && c.titleMass[b]! > 0) title = intersectIdf(ta, tb, c.idf) / Math.sqrt(c.titleMass[a]! * c.titleMass[b]!);
    const da = this.dates[a];
    const db = this.dates[b];
    const days = da != null && db != null ? Math.abs(da - db) / 86_400_000 : -1;
    // Entities carry the "which event" signal (who, where); the full-text cosine the "what".
    const w = this.weights;
    let sim = (w.cosine * cos + w.entities * entities + w.title * title) / (w.cosine + w.entities + w.title);
    if (days > this.dateWindowDays) sim *= dateFactor(days, this.dateWindowDays);
    return { cosine: cos, entities, title, days, sim };
  }
}

/** 1 inside the window, then decaying: x0.78 at a week past it, x0.34 at a month, ~x0.04 at a year. */
export function dateFactor(days: number, window: number): number {
  return days <= window ? 1 : 1 / (1 + (days - window) / 14);
}

export interface CandidateOptions {
  lshBands: number;
  lshRows: number;
  rareTerms: number;
  rareShared: number;
  postingBudget: number;
}

/**
 * Candidate pairs (a < b), sorted: MinHash LSH banding (near-copies) plus an inverted index over each
 * article's rarest terms (paraphrased copies and same-story articles share names and rare words).
 */
export function candidatePairs(corpus: Corpus, o: CandidateOptions): Float64Array {
  const n = corpus.n;
  const pairs = new PairSet();
  // 1. LSH over b-bit MinHash bands.
  const rows = Math.max(1, o.lshRows);
  for (let band = 0; band < o.lshBands; band++) {
    const keys = new Uint32Array(n);
    const order: number[] = [];
    for (let d = 0; d < n; d++) {
      const mh = corpus.docs[d]!.minhash;
      if (corpus.docs[d]!.ids.length === 0 || mh.length < (band + 1) * rows) continue;
      let h = fmix32(band + 0x1234567);
      for (let r = 0; r < rows; r++) h = fmix32(h ^ mh[band * rows + r]!);
      keys[d] = h;
      order.push(d);
    }
    order.sort((x, y) => keys[x]! - keys[y]! || x - y);
    for (let s = 0; s < order.length; ) {
      let e = s + 1;
      while (e < order.length && keys[order[e]!] === keys[order[s]!]) e++;
      // Huge buckets are boilerplate collisions; cap the pairs taken from one bucket.
      const end = Math.min(e, s + 200);
      for (let x = s; x < end; x++) for (let y = x + 1; y < end; y++) pairs.add(order[x]!, order[y]!);
      s = e;
    }
  }
  // 2. Inverted index over each article's `rareTerms` heaviest TF-IDF terms (df >= 2), scanned rarest first.
  const df = corpus.table.df;
  const top: Int32Array[] = [];
  for (let d = 0; d < n; d++) {
    const ids = corpus.vecIds[d]!;
    const w = corpus.vecW[d]!;
    const cand: number[] = [];
    for (let i = 0; i < ids.length; i++) if (df[ids[i]!]! >= 2) cand.push(i);
    cand.sort((x, y) => w[y]! - w[x]! || ids[x]! - ids[y]!);
    const chosen = cand.slice(0, o.rareTerms).map((i) => ids[i]!);
    chosen.sort((x, y) => df[x]! - df[y]! || x - y);
    top.push(Int32Array.from(chosen));
  }
  const postings = new Map<number, number[]>();
  for (let d = 0; d < n; d++) {
    for (const t of top[d]!) {
      let l = postings.get(t);
      if (!l) postings.set(t, (l = []));
      l.push(d);
    }
  }
  const count = new Int32Array(n);
  const touched: number[] = [];
  for (let d = 0; d < n; d++) {
    let budget = o.postingBudget;
    for (const t of top[d]!) {
      const l = postings.get(t)!;
      if (l.length > budget) break; // terms are in increasing df order: the rest are longer
      budget -= l.length;
      for (const e of l) {
        if (e <= d) continue;
        if (count[e] === 0) touched.push(e);
        count[e]!++;
      }
    }
    for (const e of touched) {
      if (count[e]! >= o.rareShared) pairs.add(d, e);
      count[e] = 0;
    }
    touched.length = 0;
  }
  return pairs.sorted();
}

/** Set of unordered index pairs, packed as a * 2^26 + b in doubles. */
class PairSet {
  private set = new Set<number>();
  add(a: number, b: number): void {
    if (a === b) return;
    const [x, y] = a < b ? [a, b] : [b, a];
    this.set.add(x * 67108864 + y);
  }
  sorted(): Float64Array {
    const out = Float64Array.from(this.set);
    out.sort();
    return out;
  }
}

export function unpackPair(p: number): [number, number] {
  const a = Math.floor(p / 67108864);
  return [a, p - a * 67108864];
}
