// Batch-level view of fingerprints: dense term ids, document frequencies, TF-IDF vectors,
// sentences as dense ids. Everything is typed arrays so 100k articles fit in memory and time.
import { type Fingerprint } from '../fingerprint.ts';
import { Base64Scratch, VarintReader, base64Bound } from './codec.ts';

/**
 * Open-addressing map from 32-bit term hash to a dense id. Key and id sit side by side in one
 * Int32Array (one cache line per probe instead of two).
 */
export class TermTable {
  private slots: Int32Array;
  private mask: number;
  size = 0;
  df: Int32Array;

  constructor(capacity = 1 << 16) {
    let cap = 1 << 4;
    while (cap < capacity * 2) cap <<= 1;
    this.slots = TermTable.empty(cap);
    this.mask = cap - 1;
    this.df = new Int32Array(Math.max(16, capacity));
  }

  private static empty(cap: number): Int32Array {
    const s = new Int32Array(cap * 2);
    for (let i = 1; i < s.length; i += 2) s[i] = -1;
    return s;
  }

  private slot(h: number): number {
    const k = h | 0;
    const s = this.slots;
    let i = (Math.imul(h, 0x9e3779b1) >>> 0) & this.mask;
    while (s[2 * i + 1] !== -1 && s[2 * i] !== k) i = (i + 1) & this.mask;
    return i;
  }

  /** Dense id of a hash, inserting it when new. */
  intern(h: number): number {
    let i = this.slot(h);
    if (this.slots[2 * i + 1] === -1) {
      if ((this.size + 1) * 2 > this.mask + 1) {
        this.grow();
        i = this.slot(h);
      }
      this.slots[2 * i] = h | 0;
      this.slots[2 * i + 1] = this.size;
      if (this.size >= this.df.length) {
        const df = new Int32Array(this.df.length * 2);
        df.set(this.df);
        this.df = df;
      }
      this.size++;
    }
    return this.slots[2 * i + 1]!;
  }

  get(h: number): number {
    return this.slots[2 * this.slot(h) + 1]!;
  }

  /** Renumber ids by ascending key; returns old id -> new id (the table is updated too). */
  rankByKey(): Int32Array {
    const remap = new Int32Array(this.size);
    const SHIFT = 2097152; // 2^21: key * SHIFT + id stays below 2^53
    const s = this.slots;
    const cap = this.mask + 1;
    if (this.size <= SHIFT) {
      const pairs = new Float64Array(this.size);
      let k = 0;
      for (let i = 0; i < cap; i++) if (s[2 * i + 1] !== -1) pairs[k++] = (s[2 * i]! >>> 0) * SHIFT + s[2 * i + 1]!;
      pairs.sort();
      for (let r = 0; r < k; r++) remap[pairs[r]! % SHIFT] = r;
    } else {
      const used: number[] = [];
      for (let i = 0; i < cap; i++) if (s[2 * i + 1] !== -1) used.push(i);
      used.sort((x, y) => (s[2 * x]! >>> 0) - (s[2 * y]! >>> 0));
      used.forEach((slot, r) => { remap[s[2 * slot + 1]!] = r; });
    }
    for (let i = 0; i < cap; i++) if (s[2 * i + 1] !== -1) s[2 * i + 1] = remap[s[2 * i + 1]!]!;
    return remap;
  }

  private grow(): void {
    const old = this.slots;
    const cap = (this.mask + 1) * 2;
    this.slots = TermTable.empty(cap);
    this.mask = cap - 1;
    for (let i = 0; i < old.length; i += 2) {
      if (old[i + 1] === -1) continue;
      const j = this.slot(old[i]! >>> 0);
      this.slots[2 * j] = old[i]!;
      this.slots[2 * j + 1] = old[i + 1]!;
    }
  }
}

/**
 * The batch in flat typed arrays (one array per field for all articles, CSR style: article d owns
 * `xxx[xxxStart[d]..xxxStart[d+1])`). No object per article: at 100k articles per-article typed
 * arrays cost hundreds of MB of headers and a cache miss per field per pair.
 */
export interface Corpus {
  n: number;
  table: TermTable;
  fps: Fingerprint[];
  /** Decoded sentence streams (the fingerprint's `sents` bytes): article d's is sentBytes[sentStart[d]..sentStart[d+1]). */
  sentStart: Int32Array;
  sentBytes: Uint8Array;
  /** Body term dense ids, sorted ascending per article. */
  termStart: Int32Array;
  terms: Int32Array;
  /** Title term dense ids, sorted unique per article. */
  titleStart: Int32Array;
  titles: Int32Array;
  /** Entity dense ids, sorted unique per article. */
  entStart: Int32Array;
  ents: Int32Array;
  /** b-bit MinHash values. */
  mhStart: Int32Array;
  mhCount: Int32Array;
  minhash: Uint16Array;
  /** `minhash` read two values at a time (every article's slot starts at an even offset). */
  minhash32: Uint32Array;
  /** idf per dense term id. */
  idf: Float64Array;
  /** TF-IDF vector (the `storyTerms` heaviest of body ∪ title), ids ascending, unit norm. */
  vecStart: Int32Array;
  vecIds: Int32Array;
  vecW: Float32Array;
  /** Sum of idf over entity terms. */
  entMass: Float64Array;
  /** Sum of idf over title terms. */
  titleMass: Float64Array;
  /**
   * What scoring a candidate pair reads of an article, in one contiguous record (a few cache lines
   * in a row instead of a miss in each of ten arrays): see HOT.
   */
  hotStart: Int32Array;
  hot: Int32Array;
  hotF32: Float32Array;
  hotF64: Float64Array;
}

/**
 * Layout of an article's hot record, in 32-bit words from hotStart[d] (always even): entity mass and
 * title mass (float64 each), then the counts, where the weights start, the publication time (float64;
 * NaN until a PairScorer writes its dates), then the TF-IDF vector's ids, the entity ids, the title ids,
 * the MinHash values two per word and last the vector's float32 weights. Story scoring and the MinHash
 * estimate read one run from the start; a weight is read only when a term matches.
 */
export const HOT = { entMass: 0, titleMass: 2, nVec: 4, nEnt: 5, nTitle: 6, nMh: 7, nTerms: 8, weights: 9, date: 10, data: 12 } as const;

/**
 * One ArrayBuffer for the corpus's large arrays, handed out as 8-byte-aligned views. V8 counts
 * array-buffer memory as external and starts a full GC each time it has grown by ~64 MB; each of those
 * pauses marks the caller's whole heap (100k fingerprint objects: ~0.1-0.2 s each). One allocation
 * instead of ten saves most of them.
 */
class Arena {
  readonly buf: ArrayBuffer;
  private off = 0;
  constructor(bytes: number) {
    this.buf = new ArrayBuffer(bytes);
  }

  /** Byte offset of a new 8-byte-aligned block of `bytes`. */
  take(bytes: number): number {
    const at = this.off;
    this.off += Math.ceil(bytes / 8) * 8;
    if (this.off > this.buf.byteLength) throw new RangeError('corpus arena too small');
    return at;
  }

  i32(n: number): Int32Array {
    return new Int32Array(this.buf, this.take(n * 4), n);
  }

  f32(n: number): Float32Array {
    return new Float32Array(this.buf, this.take(n * 4), n);
  }

  u8(n: number): Uint8Array {
    return new Uint8Array(this.buf, this.take(n), n);
  }
}

/** Upper bound of the hot records' size in 32-bit words (see buildHot), from the decoded-size bounds. */
function hotBound(n: number, maxTerms: number, entCap: number, titleCap: number, mhCap: number): number {
  return n * (HOT.data + 2 * maxTerms + 1) + entCap + titleCap + ((mhCap + 1) >>> 1) + 2;
}

function buildHot(c: Omit<Corpus, 'hotStart' | 'hot' | 'hotF32' | 'hotF64'>, arena: Arena): Pick<Corpus, 'hotStart' | 'hot' | 'hotF32' | 'hotF64'> {
  const n = c.n;
  const hotStart = new Int32Array(n + 1);
  for (let d = 0; d < n; d++) {
    const size = HOT.data + 2 * (c.vecStart[d + 1]! - c.vecStart[d]!) + (c.entStart[d + 1]! - c.entStart[d]!) + (c.titleStart[d + 1]! - c.titleStart[d]!) + ((c.mhCount[d]! + 1) >>> 1);
    hotStart[d + 1] = hotStart[d]! + size + (size & 1);
  }
  const words = hotStart[n]!;
  const at = arena.take(words * 4);
  const buf = arena.buf;
  const hot = new Int32Array(buf, at, words);
  const hotF32 = new Float32Array(buf, at, words);
  const hotF64 = new Float64Array(buf, at, words >>> 1);
  const mh16 = new Uint16Array(buf, at, words * 2);
  for (let d = 0; d < n; d++) {
    const r = hotStart[d]!;
    hotF64[(r + HOT.entMass) >>> 1] = c.entMass[d]!;
    hotF64[(r + HOT.titleMass) >>> 1] = c.titleMass[d]!;
    hotF64[(r + HOT.date) >>> 1] = NaN;
    let p = r + HOT.data;
    const nVec = c.vecStart[d + 1]! - c.vecStart[d]!;
    hot[r + HOT.nVec] = nVec;
    for (let i = c.vecStart[d]!; i < c.vecStart[d + 1]!; i++) hot[p++] = c.vecIds[i]!;
    hot[r + HOT.nEnt] = c.entStart[d + 1]! - c.entStart[d]!;
    for (let i = c.entStart[d]!; i < c.entStart[d + 1]!; i++) hot[p++] = c.ents[i]!;
    hot[r + HOT.nTitle] = c.titleStart[d + 1]! - c.titleStart[d]!;
    for (let i = c.titleStart[d]!; i < c.titleStart[d + 1]!; i++) hot[p++] = c.titles[i]!;
    hot[r + HOT.nMh] = c.mhCount[d]!;
    hot[r + HOT.nTerms] = c.termStart[d + 1]! - c.termStart[d]!;
    for (let i = 0; i < c.mhCount[d]!; i++) mh16[2 * p + i] = c.minhash[c.mhStart[d]! + i]!;
    p += (c.mhCount[d]! + 1) >>> 1;
    hot[r + HOT.weights] = p - r;
    for (let i = c.vecStart[d]!; i < c.vecStart[d + 1]!; i++) hotF32[p++] = c.vecW[i]!;
  }
  return { hotStart, hot, hotF32, hotF64 };
}

/** Sorts xs[from..to) ascending and drops repeats in place; returns the new end. */
function sortUniqueRange(xs: Int32Array, from: number, to: number): number {
  let sorted = true;
  for (let i = from + 1; i < to; i++) if (xs[i]! <= xs[i - 1]!) { sorted = false; break; }
  if (sorted) return to;
  xs.subarray(from, to).sort();
  let k = from;
  for (let i = from; i < to; i++) if (i === from || xs[i] !== xs[i - 1]) xs[k++] = xs[i]!;
  return k;
}

/** The value that would sit at index `k` of xs[0..len) sorted ascending (Hoare quickselect, in place). */
function selectKth(xs: Float32Array, len: number, k: number): number {
  let lo = 0;
  let hi = len - 1;
  while (lo < hi) {
    const pivot = xs[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (xs[i]! < pivot) i++;
      while (xs[j]! > pivot) j--;
      if (i <= j) {
        const t = xs[i]!;
        xs[i] = xs[j]!;
        xs[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return xs[k]!;
  }
  return xs[k]!;
}

/** Entries of buildCorpus's intern cache (32 KB). */
const INTERN_MEMO = 4096;

export function buildCorpus(fps: Fingerprint[], maxTerms = 64): Corpus {
  const n = fps.length;
  const sc = new Base64Scratch();
  const varints = new VarintReader();
  // Upper bounds of the decoded sizes follow from the base64 lengths, so every field is one allocation;
  // the starts are the decoded lengths.
  let termCap = 0;
  let titleCap = 0;
  let mhCap = 0;
  let sentCap = 0;
  let entCap = 0;
  for (let d = 0; d < n; d++) {
    const fp = fps[d]!;
    termCap += base64Bound(fp.terms) >>> 2;
    titleCap += base64Bound(fp.title) >>> 2;
    mhCap += (base64Bound(fp.mh) >>> 1) + 1;
    sentCap += base64Bound(fp.sents);
    entCap += base64Bound(fp.ents); // a varint takes at least one byte
  }
  const arena = new Arena(
    8 * 8 + 4 * (termCap + titleCap + ((mhCap + 1) >>> 1) + entCap + 2 * n * maxTerms + hotBound(n, maxTerms, entCap, titleCap, mhCap)) + sentCap,
  );
  const termStart = new Int32Array(n + 1);
  const titleStart0 = new Int32Array(n + 1);
  const mhStart = new Int32Array(n + 1);
  const mhCount = new Int32Array(n);
  const terms0 = arena.i32(termCap);
  const titles0 = arena.i32(titleCap);
  const mhWords = (mhCap + 1) >>> 1;
  const mhAt = arena.take(mhWords * 4);
  const minhash32 = new Uint32Array(arena.buf, mhAt, mhWords);
  const minhash = new Uint16Array(arena.buf, mhAt, mhWords * 2);
  // Vocabulary grows sublinearly; start small (cache-friendly) and let the table grow.
  const table = new TermTable(Math.min(1 << 18, Math.max(1 << 12, n * 2)));
  // Pass 1: intern every hash (provisional ids in first-seen order); MinHash copied as is, each
  // article's slot at an even offset so that two values can be compared as one uint32.
  let pt = 0;
  let pl = 0;
  let pm = 0;
  // Common terms recur in most articles: a small direct-mapped cache (hash, id) in front of the table
  // answers them from L1/L2 instead of a probe into the megabytes of the table.
  const memo = new Int32Array(2 * INTERN_MEMO).fill(-1);
  const intern = (h: number): number => {
    const m = 2 * (h & (INTERN_MEMO - 1));
    if (memo[m + 1] !== -1 && memo[m] === (h | 0)) return memo[m + 1]!;
    const id = table.intern(h);
    memo[m] = h | 0;
    memo[m + 1] = id;
    return id;
  };
  for (let d = 0; d < n; d++) {
    const fp = fps[d]!;
    let len = sc.decode(fp.terms) >>> 2;
    for (let i = 0; i < len; i++) terms0[pt++] = intern(sc.u32At(i));
    termStart[d + 1] = pt;
    len = sc.decode(fp.title) >>> 2;
    for (let i = 0; i < len; i++) titles0[pl++] = intern(sc.u32At(i));
    titleStart0[d + 1] = pl;
    len = sc.decode(fp.mh) >>> 1;
    for (let i = 0; i < len; i++) minhash[pm++] = sc.u16At(i);
    mhCount[d] = len;
    pm += pm & 1;
    mhStart[d + 1] = pm;
  }
  const terms = terms0.length === pt ? terms0 : terms0.subarray(0, pt);
  // Final id = rank of the hash among all hashes. Fingerprint term lists are sorted by hash, so every
  // document's ids come out sorted without a per-document sort, and ids do not depend on input order.
  const remap = table.rankByKey();
  for (let i = 0; i < terms.length; i++) terms[i] = remap[terms[i]!]!;
  for (let i = 0; i < pl; i++) titles0[i] = remap[titles0[i]!]!;
  // Titles sorted unique per article, compacted.
  const titleStart = new Int32Array(n + 1);
  let nt = 0;
  for (let d = 0; d < n; d++) {
    const from = titleStart0[d]!;
    const end = sortUniqueRange(titles0, from, titleStart0[d + 1]!);
    titles0.copyWithin(nt, from, end);
    nt += end - from;
    titleStart[d + 1] = nt;
  }
  const titles = titles0.subarray(0, nt);
  const V = table.size;
  const df = new Int32Array(V);
  const last = new Int32Array(V).fill(-1);
  for (let d = 0; d < n; d++) {
    for (let i = termStart[d]!; i < termStart[d + 1]!; i++) { const t = terms[i]!; df[t]!++; last[t] = d; }
    for (let i = titleStart[d]!; i < titleStart[d + 1]!; i++) { const t = titles[i]!; if (last[t] !== d) { df[t]!++; last[t] = d; } }
  }
  table.df = df;
  // Smoothed IDF: stays positive when every document shares a term (small batches of one story).
  const idf = new Float64Array(V);
  for (let t = 0; t < V; t++) idf[t] = Math.log(1 + n / df[t]!);
  // 1 + ln(tf) for small tf, looked up (the same doubles Math.log returns).
  const logTf = new Float64Array(256);
  for (let t = 1; t < 256; t++) logTf[t] = 1 + Math.log(t);
  // Per article: sentence frequency of its body terms (a scratch of its size), entities (local indexes into the
  // term list) as dense ids, then its TF-IDF vector (one pass: the article stays in cache).
  let sf = new Uint16Array(1024);
  const sentStart = new Int32Array(n + 1);
  const sentBytes = arena.u8(sentCap);
  let nSent = 0;
  const entStart = new Int32Array(n + 1);
  const entsAll = arena.i32(entCap);
  let ne = 0;
  const vecStart = new Int32Array(n + 1);
  const vecIds = arena.i32(n * maxTerms);
  const vecW = arena.f32(n * maxTerms);
  const entMass = new Float64Array(n);
  const titleMass = new Float64Array(n);
  let scratch = new Float32Array(1024);
  let ids = new Int32Array(1024);
  let w = new Float32Array(1024);
  let nv = 0;
  for (let d = 0; d < n; d++) {
    const fp = fps[d]!;
    const base = termStart[d]!;
    const nTerms = termStart[d + 1]! - base;
    if (sf.length < nTerms) sf = new Uint16Array(nTerms * 2);
    sf.fill(0, 0, nTerms);
    // Sentence stream: per sentence a count, then that many deltas of sorted local term indexes.
    let len = sc.decode(fp.sents);
    let b = sc.buf;
    sentBytes.set(b.subarray(0, len), nSent);
    nSent += len;
    sentStart[d + 1] = nSent;
    const r = varints.reset(b, 0, len);
    while (r.p < len) {
      const v = r.next();
      let prev = 0;
      for (let i = 0; i < v && r.p < len; i++) {
        prev += r.next();
        if (prev < nTerms && sf[prev]! < 65535) sf[prev]!++;
      }
    }
    // Entities: delta-coded local indexes (an index past the list counts as term id 0, as before).
    len = sc.decode(fp.ents);
    b = sc.buf;
    let p = 0;
    let prev = 0;
    const from = ne;
    while (p < len) {
      let v = 0;
      let mul = 1;
      let done = false;
      while (p < len) {
        const x = b[p++]!;
        v += (x & 0x7f) * mul;
        if (!(x & 0x80)) { done = true; break; }
        mul *= 128;
      }
      if (!done) break; // a truncated last varint is not a value
      prev += v;
      entsAll[ne++] = prev < nTerms ? terms[base + prev]! : 0;
    }
    ne = sortUniqueRange(entsAll, from, ne);
    entStart[d + 1] = ne;
    const b0 = termStart[d]!;
    const b1 = termStart[d + 1]!;
    const t0 = titleStart[d]!;
    const t1 = titleStart[d + 1]!;
    // Merge body and title; a title term counts as one more sentence occurrence.
    const cap = b1 - b0 + t1 - t0;
    if (ids.length < cap) {
      ids = new Int32Array(cap * 2);
      w = new Float32Array(cap * 2);
    }
    let k = 0;
    let i = b0;
    let j = t0;
    while (i < b1 || j < t1) {
      const a = i < b1 ? terms[i]! : 2147483647;
      const b = j < t1 ? titles[j]! : 2147483647;
      let t: number;
      let tf: number;
      if (a === b) { t = a; tf = sf[i - b0]! + 1; i++; j++; }
      else if (a < b) { t = a; tf = sf[i - b0]!; i++; }
      else { t = b; tf = 1; j++; }
      const x = (tf < 256 ? (tf > 1 ? logTf[tf]! : 1) : 1 + Math.log(tf)) * idf[t]!;
      ids[k] = t;
      w[k++] = x;
    }
    // Keep the `maxTerms` heaviest terms (ties: smaller id first), in id order: the cut weight is the
    // (k - maxTerms)-th smallest weight; keep what is above it and the first ties.
    const out = nv;
    if (k > maxTerms) {
      if (scratch.length < k) scratch = new Float32Array(k * 2);
      scratch.set(w.subarray(0, k));
      const cut = selectKth(scratch, k, k - maxTerms);
      let above = 0;
      for (let x = 0; x < k; x++) if (w[x]! > cut) above++;
      let ties = maxTerms - above;
      for (let x = 0; x < k; x++) {
        const v = w[x]!;
        if (v > cut || (v === cut && ties-- > 0)) { vecIds[nv] = ids[x]!; vecW[nv++] = v; }
      }
    } else {
      for (let x = 0; x < k; x++) { vecIds[nv] = ids[x]!; vecW[nv++] = w[x]!; }
    }
    let norm = 0;
    for (let x = out; x < nv; x++) norm += vecW[x]! * vecW[x]!;
    norm = Math.sqrt(norm) || 1;
    for (let x = out; x < nv; x++) vecW[x] = vecW[x]! / norm;
    vecStart[d + 1] = nv;
    let m = 0;
    for (let x = entStart[d]!; x < entStart[d + 1]!; x++) m += idf[entsAll[x]!]!;
    entMass[d] = m;
    m = 0;
    for (let x = t0; x < t1; x++) m += idf[titles[x]!]!;
    titleMass[d] = m;
  }
  const ents = entsAll.subarray(0, ne);
  const c = { n, table, fps, sentStart, sentBytes, termStart, terms, titleStart, titles, entStart, ents, mhStart, mhCount, minhash, minhash32, idf, vecStart, vecIds, vecW, entMass, titleMass };
  return { ...c, ...buildHot(c, arena) };
}

/** Count of common elements of the sorted ranges xs[a0..a1) and xs[b0..b1). */
export function intersectCount(xs: Int32Array, a0: number, a1: number, b0: number, b1: number): number {
  let i = a0;
  let j = b0;
  let c = 0;
  while (i < a1 && j < b1) {
    const x = xs[i]!;
    const y = xs[j]!;
    if (x === y) { c++; i++; j++; }
    else if (x < y) i++;
    else j++;
  }
  return c;
}

/** Sum of idf over common elements of the sorted ranges xs[a0..a1) and xs[b0..b1), in ascending order. */
export function intersectIdf(xs: Int32Array, a0: number, a1: number, b0: number, b1: number, idf: Float64Array): number {
  let i = a0;
  let j = b0;
  let s = 0;
  while (i < a1 && j < b1) {
    const x = xs[i]!;
    const y = xs[j]!;
    if (x === y) { s += idf[x]!; i++; j++; }
    else if (x < y) i++;
    else j++;
  }
  return s;
}

/** Dot product of two sparse vectors stored as sorted ranges of (ids, w), summed in ascending id order. */
export function cosine(ids: Int32Array, w: Float32Array, a0: number, a1: number, b0: number, b1: number): number {
  let i = a0;
  let j = b0;
  let s = 0;
  while (i < a1 && j < b1) {
    const x = ids[i]!;
    const y = ids[j]!;
    if (x === y) { s += w[i]! * w[j]!; i++; j++; }
    else if (x < y) i++;
    else j++;
  }
  return s;
}
