// Candidate pairs for verification: MinHash LSH banding (near-copies) plus an inverted index over each
// article's rarest terms (paraphrased copies and same-story articles share names and rare words).
import { fmix32 } from './hash.ts';
import { type Corpus } from './index.ts';
import { packUnordered } from './pair-key.ts';

export interface CandidateOptions {
  lshBands: number;
  lshRows: number;
  rareTerms: number;
  rareShared: number;
  postingBudget: number;
}

/** Candidate pairs (a < b), packed (pair-key.ts), sorted, without repeats. */
export function candidatePairs(corpus: Corpus, o: CandidateOptions): Float64Array {
  const n = corpus.n;
  // ~17 raw pairs per article (LSH repeats included) on the scale corpus: room for 20 without regrowing.
  const pairs = new PairSet(Math.max(1 << 16, 20 * n));
  if (n > 2097152) throw new RangeError(`clusterArticles handles at most 2^21 articles per batch (got ${n})`);
  addLshPairs(corpus, o, pairs);
  addRareTermPairs(corpus, o, pairs);
  return pairs.sorted();
}

/** Pairs sharing a bucket in any LSH band over the b-bit MinHash values. */
function addLshPairs(corpus: Corpus, o: CandidateOptions, pairs: PairSet): void {
  const n = corpus.n;
  const rows = Math.max(1, o.lshRows);
  const mh = corpus.minhash;
  const keys = new Uint32Array(n);
  const docs = new Int32Array(n);
  const sorter = new BucketSorter(n);
  for (let band = 0; band < o.lshBands; band++) {
    // (bucket key, doc), docs appended in ascending order.
    let m = 0;
    const bandSeed = fmix32(band + 0x1234567);
    for (let d = 0; d < n; d++) {
      if (corpus.termStart[d + 1] === corpus.termStart[d] || corpus.mhCount[d]! < (band + 1) * rows) continue;
      const at = corpus.mhStart[d]! + band * rows;
      let h = bandSeed;
      for (let r = 0; r < rows; r++) h = fmix32(h ^ mh[at + r]!);
      keys[m] = h;
      docs[m++] = d;
    }
    sorter.sort(keys, docs, m);
    for (let s = 0; s < m; ) {
      const k = keys[s]!;
      let e = s + 1;
      while (e < m && keys[e] === k) e++;
      // Huge buckets are boilerplate collisions; cap the pairs taken from one bucket.
      const end = Math.min(e, s + 200);
      for (let x = s; x < end; x++) for (let y = x + 1; y < end; y++) pairs.add(docs[x]!, docs[y]!);
      s = e;
    }
  }
}

/**
 * Stable LSD radix sort of (key, doc) entries on the 32-bit key, two 16-bit passes through scratch
 * arrays: buckets come out grouped, docs in their input order inside each.
 */
class BucketSorter {
  private readonly keyB: Uint32Array;
  private readonly docB: Int32Array;
  private readonly radix = new Int32Array(65537);
  constructor(capacity: number) {
    this.keyB = new Uint32Array(capacity);
    this.docB = new Int32Array(capacity);
  }

  sort(keys: Uint32Array, docs: Int32Array, m: number): void {
    const { keyB, docB, radix } = this;
    radix.fill(0);
    for (let i = 0; i < m; i++) radix[(keys[i]! & 0xffff) + 1]!++;
    for (let b = 0; b < 65536; b++) radix[b + 1]! += radix[b]!;
    for (let i = 0; i < m; i++) {
      const at = radix[keys[i]! & 0xffff]!++;
      keyB[at] = keys[i]!;
      docB[at] = docs[i]!;
    }
    radix.fill(0);
    for (let i = 0; i < m; i++) radix[(keyB[i]! >>> 16) + 1]!++;
    for (let b = 0; b < 65536; b++) radix[b + 1]! += radix[b]!;
    for (let i = 0; i < m; i++) {
      const at = radix[keyB[i]! >>> 16]!++;
      keys[at] = keyB[i]!;
      docs[at] = docB[i]!;
    }
  }
}

/** Each article's chosen terms, rarest first, in one flat array: article d owns terms[start[d]..start[d+1]). */
interface RareTerms {
  start: Int32Array;
  terms: Int32Array;
}

/** Each article's `rareTerms` heaviest TF-IDF terms (df >= 2), ordered rarest first. */
function rareTermLists(corpus: Corpus, rareTerms: number): RareTerms {
  const n = corpus.n;
  const df = corpus.table.df;
  const start = new Int32Array(n + 1);
  let terms = new Int32Array(Math.max(16, n * Math.min(rareTerms, 64)));
  let nTop = 0;
  let keys = new Float64Array(256);
  const vecIds = corpus.vecIds;
  const vecW = corpus.vecW;
  for (let d = 0; d < n; d++) {
    const v0 = corpus.vecStart[d]!;
    const v1 = corpus.vecStart[d + 1]!;
    // The `rareTerms` heaviest (weight quantised to 2^-20, ties by term id: distinct keys).
    if (v1 - v0 > keys.length) keys = new Float64Array((v1 - v0) * 2);
    let m = 0;
    for (let i = v0; i < v1; i++) if (df[vecIds[i]!]! >= 2) keys[m++] = Math.round((1 - vecW[i]!) * 1048576) * 16777216 + vecIds[i]!;
    const k = Math.min(m, rareTerms);
    if (k < m) partitionSmallest(keys, m, k);
    if (nTop + k > terms.length) {
      const next = new Int32Array(Math.max(terms.length * 2, nTop + k));
      next.set(terms.subarray(0, nTop));
      terms = next;
    }
    // Then rarest first: (df, id) packed in one double.
    for (let i = 0; i < k; i++) {
      const t = keys[i]! % 16777216;
      keys[i] = df[t]! * 16777216 + t;
    }
    sortSmall(keys, k);
    for (let i = 0; i < k; i++) terms[nTop++] = keys[i]! % 16777216;
    start[d + 1] = nTop;
  }
  return { start, terms };
}

/** Term -> ascending articles holding it among their rare terms (CSR: docs[start[t]..start[t+1])). */
function postings(top: RareTerms, n: number, vocabulary: number): { start: Int32Array; docs: Int32Array } {
  const nTop = top.start[n]!;
  const start = new Int32Array(vocabulary + 1);
  for (let i = 0; i < nTop; i++) start[top.terms[i]! + 1]!++;
  for (let t = 0; t < vocabulary; t++) start[t + 1]! += start[t]!;
  const docs = new Int32Array(nTop);
  const fill = start.slice(0, vocabulary);
  for (let d = 0; d < n; d++) for (let i = top.start[d]!; i < top.start[d + 1]!; i++) docs[fill[top.terms[i]!]!++] = d;
  return { start, docs };
}

/** Pairs sharing at least `rareShared` of their rare terms, each article's lists scanned rarest first within `postingBudget`. */
function addRareTermPairs(corpus: Corpus, o: CandidateOptions, pairs: PairSet): void {
  const n = corpus.n;
  const top = rareTermLists(corpus, o.rareTerms);
  const post = postings(top, n, corpus.table.size);
  const { start: postStart, docs: postDocs } = post;
  // cursor[t]: where article d sits in t's postings when d is scanned (articles come in ascending order),
  // so only the later articles e > d are read.
  const cursor = postStart.slice(0, corpus.table.size);
  // Per later article e, how many of d's scanned lists hold it, as one int: d * R + (count - 1), so a
  // value below d * R is a stale count of an earlier article (no reset pass, no list of touched articles).
  // The pair is added when the count reaches R; counts past R are not kept.
  const R = Math.max(1, o.rareShared);
  if (n * R > 2147483647) throw new RangeError(`rareShared ${R} is too large for ${n} articles`);
  const seen = new Int32Array(n).fill(-1);
  for (let d = 0; d < n; d++) {
    let budget = o.postingBudget;
    let i = top.start[d]!;
    const end = top.start[d + 1]!;
    const first = d * R;
    const last = first + R - 1;
    for (; i < end; i++) {
      const t = top.terms[i]!;
      const len = postStart[t + 1]! - postStart[t]!;
      if (len > budget) break; // terms are in increasing df order: the rest are longer
      budget -= len;
      const stop = postStart[t + 1]!;
      for (let p = ++cursor[t]!; p < stop; p++) {
        const e = postDocs[p]!;
        const v = seen[e]!;
        if (v >= last) continue;
        const next = v < first ? first : v + 1;
        seen[e] = next;
        if (next === last) pairs.add(d, e);
      }
    }
    // Terms not scanned still move their cursor past d.
    for (; i < end; i++) cursor[top.terms[i]!]!++;
  }
}

/** Moves the k smallest of xs[0..m) (distinct values) into xs[0..k), in no particular order. */
export function partitionSmallest(xs: Float64Array, m: number, k: number): void {
  let lo = 0;
  let hi = m - 1;
  while (lo < hi) {
    // Lomuto partition around the middle element.
    const mid = (lo + hi) >>> 1;
    const pivot = xs[mid]!;
    xs[mid] = xs[hi]!;
    xs[hi] = pivot;
    let store = lo;
    for (let i = lo; i < hi; i++) {
      const v = xs[i]!;
      if (v < pivot) {
        xs[i] = xs[store]!;
        xs[store++] = v;
      }
    }
    xs[hi] = xs[store]!;
    xs[store] = pivot;
    // xs[lo..store) < pivot = xs[store] < xs(store..hi]
    if (store === k || store === k - 1) return;
    if (store < k) lo = store + 1;
    else hi = store - 1;
  }
}

/** Sorts xs[0..k) ascending: insertion sort for the short runs of one article, native beyond. */
export function sortSmall(xs: Float64Array, k: number): void {
  if (k > 48) {
    xs.subarray(0, k).sort();
    return;
  }
  for (let i = 1; i < k; i++) {
    const v = xs[i]!;
    let j = i - 1;
    while (j >= 0 && xs[j]! > v) {
      xs[j + 1] = xs[j]!;
      j--;
    }
    xs[j + 1] = v;
  }
}

/** Unordered index pairs, packed in a growable Float64Array; sorted and deduped at the end. */
class PairSet {
  private buf: Float64Array;
  private len = 0;
  constructor(capacity: number) {
    this.buf = new Float64Array(capacity);
  }

  add(a: number, b: number): void {
    if (a === b) return;
    if (this.len === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.len++] = packUnordered(a, b);
  }

  sorted(): Float64Array {
    const v = this.buf.subarray(0, this.len).sort();
    let k = 0;
    for (let i = 0; i < v.length; i++) if (i === 0 || v[i] !== v[i - 1]) v[k++] = v[i]!;
    return v.subarray(0, k);
  }
}
