// Pair features between two fingerprinted articles of a batch, and candidate generation.
import { fromBase64, walkSentenceTerms } from './codec.ts';
import { fmix32 } from './hash.ts';
import { type Corpus, cosine, intersectCount, intersectIdf } from './index.ts';
import { DenseSentenceIndex, type FlatSentences } from './align.ts';

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
  /** Sentences (dense term ids, flat) of the articles that reached sentence alignment. */
  private sentCache: Array<FlatSentences | undefined> = [];
  constructor(
    readonly corpus: Corpus,
    private readonly dates: Array<number | null>,
    private readonly dateWindowDays: number,
    private readonly weights: { cosine: number; entities: number; title: number } = { cosine: 0.5, entities: 0.35, title: 0.15 },
  ) {}

  /** Sentences of article d as dense term ids, decoded straight from the varint field. */
  sentences(d: number): FlatSentences {
    const cached = this.sentCache[d];
    if (cached) return cached;
    const b = fromBase64(this.corpus.fps[d]!.sents);
    const ids = this.corpus.docs[d]!.ids;
    // Every term takes at least one byte of the stream, so its byte length bounds the term count.
    const terms = new Int32Array(b.length);
    const startsTmp: number[] = [0];
    let k = 0;
    walkSentenceTerms(
      b,
      (t) => {
        terms[k++] = ids[t] ?? 0;
      },
      () => startsTmp.push(k),
    );
    const s: FlatSentences = { terms: terms.slice(0, k), starts: Int32Array.from(startsTmp) };
    this.sentCache[d] = s;
    return s;
  }

  /** Containment of the smaller term set estimated from the b-bit MinHash signatures. */
  containmentEstimate(a: number, b: number): number {
    const A = this.corpus.docs[a]!;
    const B = this.corpus.docs[b]!;
    const na = A.ids.length;
    const nb = B.ids.length;
    if (na === 0 || nb === 0) return 0;
    const ma = A.minhash;
    const mb = B.minhash;
    const k = Math.min(ma.length, mb.length);
    let eq = 0;
    for (let i = 0; i < k; i++) if (ma[i] === mb[i]) eq++;
    const j = k ? eq / k : 0;
    return Math.min(1, (j * (na + nb)) / ((1 + j) * Math.min(na, nb)));
  }

  private ixS: DenseSentenceIndex | null = null;
  private ixL: DenseSentenceIndex | null = null;
  private loadedS = -1;
  private loadedL = -1;
  private rarityWeight: Float64Array | null = null;
  /** Sentence-match weight per term: 1/idf, so shared names and rare facts alone do not make a sentence match. */
  private alignWeights(): Float64Array {
    if (!this.rarityWeight) {
      const idf = this.corpus.idf;
      const w = new Float64Array(idf.length);
      for (let t = 0; t < idf.length; t++) w[t] = idf[t]! > 0 ? 1 / idf[t]! : 1;
      this.rarityWeight = w;
    }
    return this.rarityWeight;
  }
  private indexes(s: number, l: number): [DenseSentenceIndex, DenseSentenceIndex] {
    const v = this.corpus.table.size;
    this.ixS ??= new DenseSentenceIndex(v);
    this.ixL ??= new DenseSentenceIndex(v);
    this.ixS.termWeight = this.ixL.termWeight = this.alignWeights();
    if (this.loadedS !== s) { this.ixS.load(this.sentences(s)); this.loadedS = s; }
    if (this.loadedL !== l) { this.ixL.load(this.sentences(l)); this.loadedL = l; }
    return [this.ixS, this.ixL];
  }

  /** Copy features, or null when the term sets are too different to bother aligning. */
  copy(a: number, b: number, gate: number, share: number, knownShared?: number): CopyScores | null {
    const A = this.corpus.docs[a]!.ids;
    const B = this.corpus.docs[b]!.ids;
    if (A.length === 0 || B.length === 0) return null;
    const inter = knownShared ?? intersectCount(A, B);
    const containment = inter / Math.min(A.length, B.length);
    const jaccard = inter / (A.length + B.length - inter);
    if (containment < gate) return { containment, jaccard, coverage: 0, reach: 0 };
    const [s, l] = A.length < B.length || (A.length === B.length && a < b) ? [a, b] : [b, a];
    const [ixS, ixL] = this.indexes(s, l);
    const cov = ixL.align(this.sentences(s), share);
    const reach = ixS.align(this.sentences(l), share);
    return { containment, jaccard, coverage: cov.coverage, reach: reach.coverage };
  }

  /** Weighted combination of the story features, times the date decay. */
  combine(a: number, b: number, cos: number, entities: number, title: number): number {
    const w = this.weights;
    let sim = (w.cosine * cos + w.entities * entities + w.title * title) / (w.cosine + w.entities + w.title);
    const da = this.dates[a];
    const db = this.dates[b];
    if (da != null && db != null) {
      const days = Math.abs(da - db) / 86_400_000;
      if (days > this.dateWindowDays) sim *= dateFactor(days, this.dateWindowDays);
    }
    return sim;
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

/**
 * Scores many pairs (a, b) sharing the same `a` fast: a's vectors are scattered into dense arrays once,
 * then each b costs one read per term of b (no merge, no branches on order).
 */
export class BatchScorer {
  private vec: Float32Array;
  private ent: Uint8Array;
  private title: Uint8Array;
  private a = -1;
  constructor(private readonly scorer: PairScorer, private readonly corpus: Corpus) {
    const v = corpus.table.size;
    this.vec = new Float32Array(v);
    this.ent = new Uint8Array(v);
    this.title = new Uint8Array(v);
  }
  private load(a: number): void {
    if (this.a === a) return;
    const c = this.corpus;
    if (this.a >= 0) {
      const p = this.a;
      for (const t of c.vecIds[p]!) this.vec[t] = 0;
      for (const t of c.docs[p]!.ents) this.ent[t] = 0;
      for (const t of c.docs[p]!.title) this.title[t] = 0;
    }
    const ids = c.vecIds[a]!;
    const w = c.vecW[a]!;
    for (let i = 0; i < ids.length; i++) this.vec[ids[i]!] = w[i]!;
    for (const t of c.docs[a]!.ents) this.ent[t] = 1;
    for (const t of c.docs[a]!.title) this.title[t] = 1;
    this.a = a;
  }
  /** Story similarity of (a, b); also leaves the shared body-term count in `shared`. */
  sim(a: number, b: number): number {
    this.load(a);
    const c = this.corpus;
    const idf = c.idf;
    const bi = c.vecIds[b]!;
    const bw = c.vecW[b]!;
    let cos = 0;
    for (let i = 0; i < bi.length; i++) cos += this.vec[bi[i]!]! * bw[i]!;
    let ent = 0;
    const ea = c.entMass[a]!;
    const eb = c.entMass[b]!;
    if (ea > 0 && eb > 0) {
      let x = 0;
      for (const t of c.docs[b]!.ents) if (this.ent[t]) x += idf[t]!;
      ent = x / Math.sqrt(ea * eb);
    }
    let title = 0;
    const ta = c.titleMass[a]!;
    const tb = c.titleMass[b]!;
    if (ta > 0 && tb > 0) {
      let x = 0;
      for (const t of c.docs[b]!.title) if (this.title[t]) x += idf[t]!;
      title = x / Math.sqrt(ta * tb);
    }
    return this.scorer.combine(a, b, cos, ent, title);
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
  if (n > 2097152) throw new RangeError(`clusterArticles handles at most 2^21 articles per batch (got ${n})`);
  const packed = new Float64Array(n);
  for (let band = 0; band < o.lshBands; band++) {
    // (bucket key, doc) packed in one double: a native numeric sort groups buckets, docs ascending.
    let m = 0;
    for (let d = 0; d < n; d++) {
      const mh = corpus.docs[d]!.minhash;
      if (corpus.docs[d]!.ids.length === 0 || mh.length < (band + 1) * rows) continue;
      let h = fmix32(band + 0x1234567);
      for (let r = 0; r < rows; r++) h = fmix32(h ^ mh[band * rows + r]!);
      packed[m++] = h * 2097152 + d;
    }
    const order = packed.subarray(0, m).sort();
    for (let s = 0; s < m; ) {
      const k = Math.floor(order[s]! / 2097152);
      let e = s + 1;
      while (e < m && Math.floor(order[e]! / 2097152) === k) e++;
      // Huge buckets are boilerplate collisions; cap the pairs taken from one bucket.
      const end = Math.min(e, s + 200);
      for (let x = s; x < end; x++) for (let y = x + 1; y < end; y++) pairs.add(order[x]! % 2097152, order[y]! % 2097152);
      s = e;
    }
  }
  // 2. Inverted index over each article's `rareTerms` heaviest TF-IDF terms (df >= 2), scanned rarest first.
  const df = corpus.table.df;
  const V = corpus.table.size;
  // Chosen terms of all articles in one flat array (CSR: article d owns topTerms[topStart[d]..topStart[d+1])).
  const topStart = new Int32Array(n + 1);
  let topTerms = new Int32Array(Math.max(16, n * Math.min(o.rareTerms, 64)));
  let nTop = 0;
  let keys = new Float64Array(256);
  for (let d = 0; d < n; d++) {
    const ids = corpus.vecIds[d]!;
    const w = corpus.vecW[d]!;
    // Heaviest first (weight quantised to 2^-20, ties by term id), via one native numeric sort.
    if (ids.length > keys.length) keys = new Float64Array(ids.length * 2);
    let m = 0;
    for (let i = 0; i < ids.length; i++) if (df[ids[i]!]! >= 2) keys[m++] = Math.round((1 - w[i]!) * 1048576) * 16777216 + ids[i]!;
    const sortedCand = keys.subarray(0, m).sort();
    const k = Math.min(m, o.rareTerms);
    if (nTop + k > topTerms.length) {
      const next = new Int32Array(Math.max(topTerms.length * 2, nTop + k));
      next.set(topTerms.subarray(0, nTop));
      topTerms = next;
    }
    // Then rarest first: (df, id) packed in one double, sorted natively.
    for (let i = 0; i < k; i++) {
      const t = sortedCand[i]! % 16777216;
      keys[i] = df[t]! * 16777216 + t;
    }
    const byDf = keys.subarray(0, k).sort();
    for (let i = 0; i < k; i++) topTerms[nTop++] = byDf[i]! % 16777216;
    topStart[d + 1] = nTop;
  }
  // Postings (term -> ascending articles), built in one pass into typed arrays.
  const postStart = new Int32Array(V + 1);
  for (let i = 0; i < nTop; i++) postStart[topTerms[i]! + 1]!++;
  for (let t = 0; t < V; t++) postStart[t + 1]! += postStart[t]!;
  const postDocs = new Int32Array(nTop);
  const fill = postStart.slice(0, V);
  for (let d = 0; d < n; d++) for (let i = topStart[d]!; i < topStart[d + 1]!; i++) postDocs[fill[topTerms[i]!]!++] = d;
  // cursor[t]: where article d sits in t's postings when d is scanned (articles come in ascending order),
  // so only the later articles e > d are read.
  const cursor = postStart.slice(0, V);
  const count = new Int32Array(n);
  const touched = new Int32Array(n);
  for (let d = 0; d < n; d++) {
    let budget = o.postingBudget;
    let nt = 0;
    let i = topStart[d]!;
    const end = topStart[d + 1]!;
    for (; i < end; i++) {
      const t = topTerms[i]!;
      const len = postStart[t + 1]! - postStart[t]!;
      if (len > budget) break; // terms are in increasing df order: the rest are longer
      budget -= len;
      const stop = postStart[t + 1]!;
      for (let p = ++cursor[t]!; p < stop; p++) {
        const e = postDocs[p]!;
        if (count[e] === 0) touched[nt++] = e;
        count[e]!++;
      }
    }
    // Terms not scanned still move their cursor past d.
    for (; i < end; i++) cursor[topTerms[i]!]!++;
    for (let x = 0; x < nt; x++) {
      const e = touched[x]!;
      if (count[e]! >= o.rareShared) pairs.add(d, e);
      count[e] = 0;
    }
  }
  return pairs.sorted();
}

/** Unordered index pairs, packed as a * 2^26 + b in a growable Float64Array; sorted and deduped at the end. */
class PairSet {
  private buf = new Float64Array(1 << 16);
  private len = 0;
  add(a: number, b: number): void {
    if (a === b) return;
    if (this.len === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.len++] = a < b ? a * 67108864 + b : b * 67108864 + a;
  }
  sorted(): Float64Array {
    const v = this.buf.subarray(0, this.len).sort();
    let k = 0;
    for (let i = 0; i < v.length; i++) if (i === 0 || v[i] !== v[i - 1]) v[k++] = v[i]!;
    return v.slice(0, k);
  }
}

export function unpackPair(p: number): [number, number] {
  const a = Math.floor(p / 67108864);
  return [a, p - a * 67108864];
}
