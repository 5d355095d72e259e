// Batch-level view of fingerprints: dense term ids, document frequencies, TF-IDF vectors,
// sentences as dense ids. Everything is typed arrays so 100k articles fit in memory and time.
import { type Fingerprint, decodeEntities } from '../fingerprint.ts';
import { decodeU16, decodeU32, fromBase64, walkSentenceTerms } from './codec.ts';

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

export interface DocView {
  /** Body term dense ids, sorted ascending. */
  ids: Int32Array;
  /** Sentence frequency of each body term (aligned with ids). */
  sf: Uint16Array;
  /** Title term dense ids, sorted. */
  title: Int32Array;
  /** Entity dense ids, sorted. */
  ents: Int32Array;
  minhash: Uint16Array;
}

export interface Corpus {
  n: number;
  table: TermTable;
  docs: DocView[];
  fps: Fingerprint[];
  /** idf per dense term id. */
  idf: Float64Array;
  /** TF-IDF weights aligned with a doc's merged (body ∪ title) vector. */
  vecIds: Int32Array[];
  vecW: Float32Array[];
  /** Sum of idf over entity terms. */
  entMass: Float64Array;
  /** Sum of idf over title terms. */
  titleMass: Float64Array;
}

function sortedUniqueInt(xs: Int32Array): Int32Array {
  xs.sort();
  let k = 0;
  for (let i = 0; i < xs.length; i++) if (i === 0 || xs[i] !== xs[i - 1]) xs[k++] = xs[i]!;
  return xs.slice(0, k);
}

/** Sentence frequency per local term index, straight from the varint-coded `sents` field. */
function sentenceFrequencies(sents: string, nTerms: number): Uint16Array {
  const sf = new Uint16Array(nTerms);
  walkSentenceTerms(fromBase64(sents), (t) => {
    if (t < nTerms && sf[t]! < 65535) sf[t]!++;
  });
  return sf;
}

export function buildCorpus(fps: Fingerprint[], maxTerms = 64): Corpus {
  const n = fps.length;
  // Vocabulary grows sublinearly; start small (cache-friendly) and let the table grow.
  const table = new TermTable(Math.min(1 << 18, Math.max(1 << 12, n * 2)));
  // Pass 1: intern every hash (provisional ids in first-seen order).
  const bodyIds: Int32Array[] = [];
  const titleIds: Int32Array[] = [];
  for (const fp of fps) {
    const hashes = decodeU32(fp.terms);
    const local = new Int32Array(hashes.length);
    for (let i = 0; i < hashes.length; i++) local[i] = table.intern(hashes[i]!);
    bodyIds.push(local);
    const th = decodeU32(fp.title);
    const title = new Int32Array(th.length);
    for (let i = 0; i < th.length; i++) title[i] = table.intern(th[i]!);
    titleIds.push(title);
  }
  // Final id = rank of the hash among all hashes. Fingerprint term lists are sorted by hash, so every
  // document's ids come out sorted without a per-document sort, and ids do not depend on input order.
  const remap = table.rankByKey();
  const docs: DocView[] = [];
  for (let d = 0; d < n; d++) {
    const fp = fps[d]!;
    const ids = bodyIds[d]!;
    for (let i = 0; i < ids.length; i++) ids[i] = remap[ids[i]!]!;
    const sf = sentenceFrequencies(fp.sents, ids.length);
    const entLocal = decodeEntities(fp);
    const ents = new Int32Array(entLocal.length);
    for (let i = 0; i < entLocal.length; i++) ents[i] = ids[entLocal[i]!] ?? 0;
    const title = titleIds[d]!;
    for (let i = 0; i < title.length; i++) title[i] = remap[title[i]!]!;
    docs.push({ ids, sf, title: sortedUniqueInt(title), ents: sortedUniqueInt(ents), minhash: decodeU16(fp.mh) });
  }
  const df = new Int32Array(table.size);
  const last = new Int32Array(table.size).fill(-1);
  for (let d = 0; d < n; d++) {
    const doc = docs[d]!;
    for (const t of doc.ids) { df[t]!++; last[t] = d; }
    for (const t of doc.title) if (last[t] !== d) { df[t]!++; last[t] = d; }
  }
  table.df = df;
  // Smoothed IDF: stays positive when every document shares a term (small batches of one story).
  const idf = new Float64Array(table.size);
  for (let t = 0; t < table.size; t++) idf[t] = Math.log(1 + n / df[t]!);
  const vecIds: Int32Array[] = [];
  const vecW: Float32Array[] = [];
  const entMass = new Float64Array(n);
  const titleMass = new Float64Array(n);
  let scratch = new Float32Array(1024);
  let ids = new Int32Array(1024);
  let w = new Float32Array(1024);
  for (let d = 0; d < n; d++) {
    const doc = docs[d]!;
    // Merge body and title; a title term counts as one more sentence occurrence.
    const cap = doc.ids.length + doc.title.length;
    if (ids.length < cap) {
      ids = new Int32Array(cap * 2);
      w = new Float32Array(cap * 2);
    }
    let k = 0;
    let i = 0;
    let j = 0;
    let norm = 0;
    while (i < doc.ids.length || j < doc.title.length) {
      const a = i < doc.ids.length ? doc.ids[i]! : 2147483647;
      const b = j < doc.title.length ? doc.title[j]! : 2147483647;
      let t: number;
      let tf: number;
      if (a === b) { t = a; tf = doc.sf[i]! + 1; i++; j++; }
      else if (a < b) { t = a; tf = doc.sf[i]!; i++; }
      else { t = b; tf = 1; j++; }
      const x = (1 + Math.log(tf > 1 ? tf : 1)) * idf[t]!;
      ids[k] = t;
      w[k++] = x;
      norm += x * x;
    }
    // Keep the `maxTerms` heaviest terms: they carry the cosine, and the merge stays short.
    let vi = ids.subarray(0, k);
    let vw = w.subarray(0, k);
    if (k > maxTerms) {
      // Heaviest `maxTerms` (ties: smaller id first), kept in id order: find the cut weight with one
      // native sort of the weights, then keep what is above it and the first ties.
      if (scratch.length < k) scratch = new Float32Array(k * 2);
      const ws = scratch.subarray(0, k);
      ws.set(vw);
      ws.sort();
      const cut = ws[k - maxTerms]!;
      let above = 0;
      for (let x = 0; x < k; x++) if (vw[x]! > cut) above++;
      let ties = maxTerms - above;
      const ki = new Int32Array(maxTerms);
      const kw = new Float32Array(maxTerms);
      let y = 0;
      for (let x = 0; x < k; x++) {
        const v = vw[x]!;
        if (v > cut || (v === cut && ties-- > 0)) { ki[y] = vi[x]!; kw[y++] = v; }
      }
      vi = ki;
      vw = kw;
    } else {
      vi = vi.slice();
      vw = vw.slice();
    }
    norm = 0;
    for (let x = 0; x < vw.length; x++) norm += vw[x]! * vw[x]!;
    norm = Math.sqrt(norm) || 1;
    for (let x = 0; x < vw.length; x++) vw[x] = vw[x]! / norm;
    vecIds.push(vi);
    vecW.push(vw);
    let m = 0;
    for (const t of doc.ents) m += idf[t]!;
    entMass[d] = m;
    m = 0;
    for (const t of doc.title) m += idf[t]!;
    titleMass[d] = m;
  }
  return { n, table, docs, fps, idf, vecIds, vecW, entMass, titleMass };
}

/** Count of common elements of two sorted int arrays. */
export function intersectCount(a: Int32Array, b: Int32Array): number {
  let i = 0;
  let j = 0;
  let c = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) { c++; i++; j++; }
    else if (x < y) i++;
    else j++;
  }
  return c;
}

/** Sum of idf over common elements of two sorted int arrays. */
export function intersectIdf(a: Int32Array, b: Int32Array, idf: Float64Array): number {
  let i = 0;
  let j = 0;
  let s = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) { s += idf[x]!; i++; j++; }
    else if (x < y) i++;
    else j++;
  }
  return s;
}

export function cosine(ai: Int32Array, aw: Float32Array, bi: Int32Array, bw: Float32Array): number {
  let i = 0;
  let j = 0;
  let s = 0;
  while (i < ai.length && j < bi.length) {
    const x = ai[i]!;
    const y = bi[j]!;
    if (x === y) { s += aw[i]! * bw[j]!; i++; j++; }
    else if (x < y) i++;
    else j++;
  }
  return s;
}
