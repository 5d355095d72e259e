// Pair features between two fingerprinted articles of a batch (candidate pairs: candidates.ts).
import { type Corpus, HOT, cosine, intersectCount, intersectIdf } from './index.ts';
import { LocalAligner, SentenceDoc } from './align.ts';

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
  /** The two articles last loaded for sentence alignment (pairs come grouped by their first article). */
  private readonly slots = [new SentenceDoc(), new SentenceDoc()];
  private readonly aligner = new LocalAligner();
  private mapAB = new Int32Array(256);
  private mapBA = new Int32Array(256);
  private rarityWeight: Float64Array | null = null;

  /** Publication time per article (NaN: unknown). */
  private readonly dates: Float64Array;
  constructor(
    readonly corpus: Corpus,
    dates: Array<number | null>,
    private readonly dateWindowDays: number,
    private readonly weights: { cosine: number; entities: number; title: number } = { cosine: 0.5, entities: 0.35, title: 0.15 },
  ) {
    this.dates = Float64Array.from(dates, (t) => (t == null ? NaN : t));
    // Also in each hot record, read with the rest of b by BatchScorer (one cache miss less per pair).
    for (let d = 0; d < corpus.n; d++) corpus.hotF64[(corpus.hotStart[d]! + HOT.date) >>> 1] = this.dates[d]!;
  }

  /** Containment of the smaller term set estimated from the b-bit MinHash signatures. */
  containmentEstimate(a: number, b: number): number {
    const c = this.corpus;
    const H = c.hot;
    const ra = c.hotStart[a]!;
    const rb = c.hotStart[b]!;
    const na = H[ra + HOT.nTerms]!;
    const nb = H[rb + HOT.nTerms]!;
    if (na === 0 || nb === 0) return 0;
    const ka = H[ra + HOT.nMh]!;
    const kb = H[rb + HOT.nMh]!;
    const k = ka < kb ? ka : kb;
    let eq = 0;
    if ((k & 1) === 0) {
      // Two 16-bit values per word; a zero half of the XOR is a match.
      const pa = ra + HOT.data + H[ra + HOT.nVec]! + H[ra + HOT.nEnt]! + H[ra + HOT.nTitle]!;
      const pb = rb + HOT.data + H[rb + HOT.nVec]! + H[rb + HOT.nEnt]! + H[rb + HOT.nTitle]!;
      for (let i = 0, h = k >>> 1; i < h; i++) {
        const x = H[pa + i]! ^ H[pb + i]!;
        eq += (((x & 0xffff) - 1) >>> 31) + (((x >>> 16) - 1) >>> 31);
      }
    } else {
      const m = c.minhash;
      const pa = c.mhStart[a]!;
      const pb = c.mhStart[b]!;
      for (let i = 0; i < k; i++) if (m[pa + i] === m[pb + i]) eq++;
    }
    const j = k ? eq / k : 0;
    return Math.min(1, (j * (na + nb)) / ((1 + j) * Math.min(na, nb)));
  }

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

  /** Article d's sentences in a slot, keeping the slot that holds `keep` (the other article of the pair). */
  private sentenceDoc(d: number, keep: number): SentenceDoc {
    const [x, y] = this.slots as [SentenceDoc, SentenceDoc];
    if (x.doc === d) return x;
    if (y.doc === d) return y;
    const slot = x.doc === keep ? y : x;
    const c = this.corpus;
    const base = c.termStart[d]!;
    const tw = this.alignWeights();
    // An index past the term list (a damaged record) weighs as term id 0 did and matches nothing.
    slot.load(d, c.sentBytes, c.sentStart[d]!, c.sentStart[d + 1]!, c.terms, base, c.termStart[d + 1]! - base, tw, tw.length ? tw[0]! : 1);
    return slot;
  }

  /**
   * Copy features, or null when the term sets are too different to bother aligning. With `minCoverage`,
   * a coverage below it already rules the pair out, so reach is not aligned (reported as 0).
   */
  copy(a: number, b: number, gate: number, share: number, minCoverage = 0): CopyScores | null {
    const c = this.corpus;
    const a0 = c.termStart[a]!;
    const a1 = c.termStart[a + 1]!;
    const b0 = c.termStart[b]!;
    const b1 = c.termStart[b + 1]!;
    const na = a1 - a0;
    const nb = b1 - b0;
    if (na === 0 || nb === 0) return null;
    const inter = intersectCount(c.terms, a0, a1, b0, b1);
    const containment = inter / Math.min(na, nb);
    const jaccard = inter / (na + nb - inter);
    if (containment < gate) return { containment, jaccard, coverage: 0, reach: 0 };
    const [s, l] = na < nb || (na === nb && a < b) ? [a, b] : [b, a];
    const S = this.sentenceDoc(s, l);
    const L = this.sentenceDoc(l, s);
    // Local index maps both ways, from one merge of the two sorted term lists.
    const s0 = c.termStart[s]!;
    const s1 = c.termStart[s + 1]!;
    const l0 = c.termStart[l]!;
    const l1 = c.termStart[l + 1]!;
    if (this.mapAB.length < s1 - s0) this.mapAB = new Int32Array((s1 - s0) * 2);
    if (this.mapBA.length < l1 - l0) this.mapBA = new Int32Array((l1 - l0) * 2);
    const mapSL = this.mapAB;
    const mapLS = this.mapBA;
    mapSL.fill(-1, 0, s1 - s0);
    mapLS.fill(-1, 0, l1 - l0);
    const t = c.terms;
    for (let i = s0, j = l0; i < s1 && j < l1; ) {
      const x = t[i]!;
      const y = t[j]!;
      if (x === y) { mapSL[i - s0] = j - l0; mapLS[j - l0] = i - s0; i++; j++; }
      else if (x < y) i++;
      else j++;
    }
    const cov = this.aligner.align(S, mapSL, L, share);
    if (cov.coverage < minCoverage) return { containment, jaccard, coverage: cov.coverage, reach: 0 };
    const reach = this.aligner.align(L, mapLS, S, share);
    return { containment, jaccard, coverage: cov.coverage, reach: reach.coverage };
  }

  /** Weighted combination of the story features, times the date decay. */
  combine(a: number, b: number, cos: number, entities: number, title: number): number {
    return this.combineAt(this.dates[a]!, this.dates[b]!, cos, entities, title);
  }

  /** `combine` given the two publication times (NaN: unknown). */
  combineAt(da: number, db: number, cos: number, entities: number, title: number): number {
    const w = this.weights;
    let sim = (w.cosine * cos + w.entities * entities + w.title * title) / (w.cosine + w.entities + w.title);
    if (da === da && db === db) {
      const days = Math.abs(da - db) / 86_400_000;
      if (days > this.dateWindowDays) sim *= dateFactor(days, this.dateWindowDays);
    }
    return sim;
  }

  /** Combined story similarity only (no allocation): the same float as `story(a, b).sim`. */
  storySim(a: number, b: number): number {
    const c = this.corpus;
    const cos = cosine(c.vecIds, c.vecW, c.vecStart[a]!, c.vecStart[a + 1]!, c.vecStart[b]!, c.vecStart[b + 1]!);
    const ea = c.entMass[a]!;
    const eb = c.entMass[b]!;
    const entities = ea > 0 && eb > 0 ? intersectIdf(c.ents, c.entStart[a]!, c.entStart[a + 1]!, c.entStart[b]!, c.entStart[b + 1]!, c.idf) / Math.sqrt(ea * eb) : 0;
    const ta = c.titleMass[a]!;
    const tb = c.titleMass[b]!;
    const title = ta > 0 && tb > 0 ? intersectIdf(c.titles, c.titleStart[a]!, c.titleStart[a + 1]!, c.titleStart[b]!, c.titleStart[b + 1]!, c.idf) / Math.sqrt(ta * tb) : 0;
    return this.combine(a, b, cos, entities, title);
  }

  story(a: number, b: number): StoryScores {
    const c = this.corpus;
    const cos = cosine(c.vecIds, c.vecW, c.vecStart[a]!, c.vecStart[a + 1]!, c.vecStart[b]!, c.vecStart[b + 1]!);
    const ea = c.entMass[a]!;
    const eb = c.entMass[b]!;
    const entities = ea > 0 && eb > 0 ? intersectIdf(c.ents, c.entStart[a]!, c.entStart[a + 1]!, c.entStart[b]!, c.entStart[b + 1]!, c.idf) / Math.sqrt(ea * eb) : 0;
    let title = 0;
    if (c.titleMass[a]! > 0 && c.titleMass[b]! > 0) {
      title = intersectIdf(c.titles, c.titleStart[a]!, c.titleStart[a + 1]!, c.titleStart[b]!, c.titleStart[b + 1]!, c.idf) / Math.sqrt(c.titleMass[a]! * c.titleMass[b]!);
    }
    const da = this.dates[a]!;
    const db = this.dates[b]!;
    const days = da === da && db === db ? Math.abs(da - db) / 86_400_000 : -1;
    // Entities carry the "which event" signal (who, where); the full-text cosine the "what".
    const w = this.weights;
    let sim = (w.cosine * cos + w.entities * entities + w.title * title) / (w.cosine + w.entities + w.title);
    if (days > this.dateWindowDays) sim *= dateFactor(days, this.dateWindowDays);
    return { cosine: cos, entities, title, days, sim };
  }
}

/**
 * Story similarity of many pairs (a, b) sharing the same `a`, the hot path of verification: a's
 * TF-IDF terms, names and title terms go into a small open-addressing table once (a few KB, in L1),
 * then each b costs one probe per term of b. Sums run over b's terms in ascending id order, exactly
 * the matches and the order of a sorted merge, so the result is the same float as `story(a, b).sim`.
 * Most of b's terms are not a's: a 4,096-bit filter of a's terms (512 bytes) answers most of them
 * with one bit test before any probe.
 */
export class BatchScorer {
  private readonly filter = new Int32Array(FILTER_BITS >>> 5);
  private keys = new Int32Array(256).fill(-1);
  private vw = new Float32Array(256);
  /** 1: name of a, 2: title term of a. */
  private flags = new Uint8Array(256);
  /** idf of a's names and title terms (no lookup in the vocabulary-sized idf array per match). */
  private tidf = new Float64Array(256);
  private mask = 255;
  private used = new Int32Array(256);
  private nUsed = 0;
  private a = -1;
  /** Publication time of `a`. */
  private da = NaN;
  constructor(private readonly scorer: PairScorer, private readonly corpus: Corpus) {}

  private slot(t: number): number {
    const keys = this.keys;
    let h = (Math.imul(t, 0x9e3779b1) >>> 16) & this.mask;
    while (keys[h] !== -1 && keys[h] !== t) h = (h + 1) & this.mask;
    return h;
  }

  private put(t: number): number {
    const h = this.slot(t);
    if (this.keys[h] === -1) {
      this.keys[h] = t;
      this.used[this.nUsed++] = h;
      const f = Math.imul(t, FILTER_MUL) >>> FILTER_SHIFT;
      this.filter[f >>> 5]! |= 1 << (f & 31);
    }
    return h;
  }

  /** Term t of a as a name (bit 1) or title term (bit 2), with its idf. */
  private putFlagged(t: number, bit: number): void {
    const h = this.put(t);
    this.flags[h]! |= bit;
    this.tidf[h] = this.corpus.idf[t]!;
  }

  /** Slot of term t in the loaded article's table, or -1 when a does not have it (most often said by the filter). */
  private find(t: number): number {
    const f = Math.imul(t, FILTER_MUL) >>> FILTER_SHIFT;
    if ((this.filter[f >>> 5]! & (1 << (f & 31))) === 0) return -1;
    const h = this.slot(t);
    return this.keys[h] === t ? h : -1;
  }

  private load(a: number): void {
    const c = this.corpus;
    for (let i = 0; i < this.nUsed; i++) {
      const h = this.used[i]!;
      this.keys[h] = -1;
      this.vw[h] = 0;
      this.flags[h] = 0;
    }
    this.nUsed = 0;
    this.filter.fill(0);
    const v0 = c.vecStart[a]!;
    const v1 = c.vecStart[a + 1]!;
    const e0 = c.entStart[a]!;
    const e1 = c.entStart[a + 1]!;
    const t0 = c.titleStart[a]!;
    const t1 = c.titleStart[a + 1]!;
    const need = 2 * (v1 - v0 + e1 - e0 + t1 - t0);
    if (need > this.keys.length) {
      let size = this.keys.length;
      while (size < need) size *= 2;
      this.keys = new Int32Array(size).fill(-1);
      this.vw = new Float32Array(size);
      this.flags = new Uint8Array(size);
      this.tidf = new Float64Array(size);
      this.used = new Int32Array(size);
      this.mask = size - 1;
    }
    for (let i = v0; i < v1; i++) this.vw[this.put(c.vecIds[i]!)] = c.vecW[i]!;
    for (let i = e0; i < e1; i++) this.putFlagged(c.ents[i]!, 1);
    for (let i = t0; i < t1; i++) this.putFlagged(c.titles[i]!, 2);
    this.a = a;
    this.da = c.hotF64[(c.hotStart[a]! + HOT.date) >>> 1]!;
  }

  /** Story similarity of (a, b); b is read from its hot record only. */
  sim(a: number, b: number): number {
    if (this.a !== a) this.load(a);
    const c = this.corpus;
    const H = c.hot;
    const F = c.hotF32;
    const rb = c.hotStart[b]!;
    let p = rb + HOT.data;
    const nVec = H[rb + HOT.nVec]!;
    // b's weight for the id at p is at p + dw.
    const dw = H[rb + HOT.weights]! - HOT.data;
    let cos = 0;
    for (let end = p + nVec; p < end; p++) {
      const h = this.find(H[p]!);
      if (h < 0) continue;
      const x = this.vw[h]!;
      if (x !== 0) cos += x * F[p + dw]!;
    }
    let ent = 0;
    const ea = c.entMass[a]!;
    const eb = c.hotF64[(rb + HOT.entMass) >>> 1]!;
    const nEnt = H[rb + HOT.nEnt]!;
    if (ea > 0 && eb > 0) ent = this.flaggedIdf(H, p, p + nEnt, 1) / Math.sqrt(ea * eb);
    p += nEnt;
    let title = 0;
    const ta = c.titleMass[a]!;
    const tb = c.hotF64[(rb + HOT.titleMass) >>> 1]!;
    if (ta > 0 && tb > 0) title = this.flaggedIdf(H, p, p + H[rb + HOT.nTitle]!, 2) / Math.sqrt(ta * tb);
    return this.scorer.combineAt(this.da, c.hotF64[(rb + HOT.date) >>> 1]!, cos, ent, title);
  }

  /** Sum of idf over the terms H[from..to) the loaded article has with flag `bit` (1: names, 2: title terms). */
  private flaggedIdf(H: Int32Array, from: number, to: number, bit: number): number {
    let x = 0;
    for (let i = from; i < to; i++) {
      const h = this.find(H[i]!);
      if (h >= 0 && this.flags[h]! & bit) x += this.tidf[h]!;
    }
    return x;
  }
}

/** BatchScorer's term filter: 2^12 bits indexed by the top 12 bits of a multiplicative hash (another multiplier than the table's). */
const FILTER_BITS = 4096;
const FILTER_SHIFT = 20;
const FILTER_MUL = 0x85ebca6b | 0;

/** 1 inside the window, then decaying: x0.78 at a week past it, x0.34 at a month, ~x0.04 at a year. */
export function dateFactor(days: number, window: number): number {
  return days <= window ? 1 : 1 / (1 + (days - window) / 14);
}
