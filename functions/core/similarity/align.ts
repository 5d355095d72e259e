// In-order sentence alignment: how much of article A (weighted by content terms per sentence) can be
// matched, in the same order, to sentences of article B. A sentence matches when at least `minShare`
// of its term weight occurs in one sentence of B or in two consecutive ones (a sentence split in two by
// an editor), with at least two shared terms. With no weights every term counts 1; the pair scorer
// weighs terms by inverse rarity (1/idf over the batch), so a sentence of a separate report that only
// repeats the event's names and rare facts does not match, while a copy or a close paraphrase, which
// keeps the ordinary wording around them, still does. Order is enforced by a weighted longest non-decreasing
// subsequence over the matched positions, so shuffled boilerplate or a shared quote or two do not add up.

import { VarintReader } from './codec.ts';

export interface Alignment {
  /** Share of A's sentence terms aligned in order. */
  coverage: number;
  /** Share of A's sentence terms matched anywhere (order ignored). */
  matched: number;
  /** Sentences of A aligned in order. */
  sentences: number;
}

/** Postings of document B: term -> ascending sentence positions. */
export function sentencePostings(b: Int32Array[]): Map<number, Int32Array> {
  const tmp = new Map<number, number[]>();
  for (let j = 0; j < b.length; j++) {
    for (const t of b[j]!) {
      let l = tmp.get(t);
      if (!l) tmp.set(t, (l = []));
      if (l[l.length - 1] !== j) l.push(j);
    }
  }
  const out = new Map<number, Int32Array>();
  for (const [t, l] of tmp) out.set(t, Int32Array.from(l));
  return out;
}

export function alignSentences(a: Int32Array[], post: Map<number, Int32Array>, bCount: number, minShare: number, weight: Float64Array | null = null): Alignment {
  let total = 0;
  for (const s of a) total += s.length;
  if (total === 0 || bCount === 0) return { coverage: 0, matched: 0, sentences: 0 };
  const win = new Int32Array(bCount);
  const winW = new Float64Array(bCount);
  const touched: number[] = [];
  const pos: number[] = [];
  const wts: number[] = [];
  let matchedW = 0;
  for (let i = 0; i < a.length; i++) {
    const s = a[i]!;
    if (s.length === 0) continue;
    let sentW = 0;
    for (const t of s) {
      const wt = weight ? weight[t]! : 1;
      sentW += wt;
      const l = post.get(t);
      if (!l) continue;
      let last = -1;
      for (const p of l) {
        // window j covers sentences j and j+1
        if (p > 0 && p - 1 > last) {
          if (win[p - 1] === 0) touched.push(p - 1);
          win[p - 1]!++;
          winW[p - 1]! += wt;
        }
        if (p > last) {
          if (win[p] === 0) touched.push(p);
          win[p]!++;
          winW[p]! += wt;
          last = p;
        }
      }
    }
    let best = -1;
    let bestC = 0;
    let bestW = 0;
    for (const w of touched) {
      const cw = winW[w]!;
      if (cw > bestW || (cw === bestW && w < best)) { bestC = win[w]!; bestW = cw; best = w; }
    }
    for (const w of touched) { win[w] = 0; winW[w] = 0; }
    touched.length = 0;
    if (best >= 0 && bestC >= Math.min(2, s.length) && bestW >= minShare * sentW) {
      pos.push(best);
      wts.push(s.length);
      matchedW += s.length;
    }
  }
  return inOrderCoverage(pos, wts, matchedW, total);
}

/**
 * The heaviest run of matched sentences whose positions in the other article never go backwards
 * (weighted longest non-decreasing subsequence), as shares of the aligned article's total weight.
 */
function inOrderCoverage(pos: ArrayLike<number>, wts: ArrayLike<number>, matchedW: number, total: number) {
  const dp = new Float64Array(pos.length);
  const cnt = new Int32Array(pos.length);
  let bestW = 0;
  let bestN = 0;
  for (let x = 0; x < pos.length; x++) {
    dp[x] = wts[x]!;
    cnt[x] = 1;
    for (let y = 0; y < x; y++) {
      if (pos[y]! <= pos[x]! && dp[y]! + wts[x]! > dp[x]!) {
        dp[x] = dp[y]! + wts[x]!;
        cnt[x] = cnt[y]! + 1;
      }
    }
    if (dp[x]! > bestW) { bestW = dp[x]!; bestN = cnt[x]!; }
  }
  return { coverage: bestW / total, matched: matchedW / total, sentences: bestN };
}

/**
 * One article's sentences as indexes into its own term list (as stored in the fingerprint), with
 * term -> sentence postings by the same local index. Aligning two articles then touches only arrays
 * of their own size: the other article's terms are reached through a local-to-local map built from
 * one merge of the two sorted term lists, never through vocabulary-sized arrays (a cache miss per term
 * at 100k articles). Buffers are reused: `load` replaces the article in O(its size).
 */
export class SentenceDoc {
  /** Article loaded (-1: none). */
  doc = -1;
  /** Terms in the article's term list. */
  nTerms = 0;
  /** Term occurrences, sentence after sentence: local term index (-1: an index past the list). */
  occ = new Int32Array(256);
  nOcc = 0;
  /** Sentence j is occ[starts[j]..starts[j+1]). */
  starts = new Int32Array(64);
  count = 0;
  /** Weight of each local term (alignSentences' `weight` of its term); `outside` for an index past the list. */
  weight = new Float64Array(256);
  outside = 1;
  /** Sentence positions of local term u: pos[postStart[u]..postStart[u+1]). */
  postStart = new Int32Array(257);
  pos = new Int32Array(256);
  private readonly reader = new VarintReader();

  /**
   * Loads article `doc` from its varint sentence stream (`bytes[start..end)`): per sentence a count, then
   * that many deltas of sorted local term indexes. Local term u is dense term `terms[base + u]`, whose
   * weight is `termWeight[id]`; an index past the list weighs `outside`.
   */
  load(doc: number, bytes: Uint8Array, start: number, end: number, terms: Int32Array, base: number, nTerms: number, termWeight: Float64Array, outside: number): void {
    this.doc = doc;
    this.nTerms = nTerms;
    this.outside = outside;
    const len = end - start;
    if (this.occ.length < len) this.occ = new Int32Array(len * 2); // a term takes at least one byte
    if (this.weight.length < nTerms) this.weight = new Float64Array(nTerms * 2);
    if (this.postStart.length < nTerms + 2) this.postStart = new Int32Array(nTerms * 2 + 2);
    const occ = this.occ;
    let k = 0;
    let count = 0;
    let starts = this.starts;
    starts[0] = 0;
    // Per sentence: a count, then that many deltas of sorted local term indexes.
    const r = this.reader.reset(bytes, start, end);
    while (r.p < end) {
      const v = r.next();
      let prev = 0;
      for (let i = 0; i < v && r.p < end; i++) {
        prev += r.next();
        occ[k++] = prev < nTerms ? prev : -1;
      }
      if (count + 2 > starts.length) {
        const next = new Int32Array(starts.length * 2);
        next.set(starts);
        this.starts = starts = next;
      }
      starts[++count] = k;
    }
    this.nOcc = k;
    this.count = count;
    const weight = this.weight;
    for (let u = 0; u < nTerms; u++) weight[u] = termWeight[terms[base + u]!]!;
    // Postings by local term (counting sort over the occurrences).
    const ps = this.postStart;
    ps.fill(0, 0, nTerms + 2);
    for (let i = 0; i < k; i++) if (occ[i]! >= 0) ps[occ[i]! + 2]!++;
    for (let u = 0; u < nTerms; u++) ps[u + 2]! += ps[u + 1]!;
    if (this.pos.length < k) this.pos = new Int32Array(k * 2);
    const pos = this.pos;
    for (let j = 0; j < count; j++) {
      for (let i = starts[j]!; i < starts[j + 1]!; i++) {
        const u = occ[i]!;
        if (u >= 0) pos[ps[u + 1]!++] = j;
      }
    }
    // ps[u + 1] now ends term u, ps[u] starts it.
  }
}

/**
 * In-order alignment of article `a`'s sentences against article `b` (alignSentences with b's postings
 * and a's term weights), where `map[u]` is b's local index of a's local term u, or -1 when b lacks it.
 */
export class LocalAligner {
  private win = new Int32Array(64);
  private winW = new Float64Array(64);
  private stamp = new Int32Array(64);
  private tick = 0;
  private touched = new Int32Array(64);

  align(a: SentenceDoc, map: Int32Array, b: SentenceDoc, minShare: number): Alignment {
    const total = a.nOcc;
    if (total === 0 || b.count === 0) return { coverage: 0, matched: 0, sentences: 0 };
    if (this.tick > 1 << 30) {
      this.stamp.fill(0);
      this.tick = 0;
    }
    if (this.win.length < b.count + 1) {
      const size = b.count * 2 + 2;
      this.win = new Int32Array(size);
      this.winW = new Float64Array(size);
      this.stamp = new Int32Array(size);
      this.touched = new Int32Array(size);
      this.tick = 0;
    }
    const win = this.win;
    const winW = this.winW;
    const stamp = this.stamp;
    const touched = this.touched;
    const occ = a.occ;
    const weight = a.weight;
    const ps = b.postStart;
    const pos = b.pos;
    const posList: number[] = [];
    const wts: number[] = [];
    let matchedW = 0;
    for (let si = 0; si < a.count; si++) {
      const from = a.starts[si]!;
      const to = a.starts[si + 1]!;
      const len = to - from;
      if (len === 0) continue;
      let sentW = 0;
      let nt = 0;
      for (let ti = from; ti < to; ti++) {
        const u = occ[ti]!;
        const wt = u >= 0 ? weight[u]! : a.outside;
        sentW += wt;
        // one count per window and term, whatever the term's repetitions
        const tk = ++this.tick;
        const v = u >= 0 ? map[u]! : -1;
        if (v < 0) continue;
        for (let q = ps[v]!, qe = ps[v + 1]!; q < qe; q++) {
          const p = pos[q]!;
          for (let w = p > 0 ? p - 1 : p; w <= p; w++) {
            if (stamp[w] === tk) continue;
            stamp[w] = tk;
            if (win[w] === 0) touched[nt++] = w;
            win[w]!++;
            winW[w]! += wt;
          }
        }
      }
      let best = -1;
      let bestC = 0;
      let bestW = 0;
      for (let x = 0; x < nt; x++) {
        const w = touched[x]!;
        const cw = winW[w]!;
        if (cw > bestW || (cw === bestW && w < best)) { bestC = win[w]!; bestW = cw; best = w; }
        win[w] = 0;
        winW[w] = 0;
      }
      if (best >= 0 && bestC >= Math.min(2, len) && bestW >= minShare * sentW) {
        posList.push(best);
        wts.push(len);
        matchedW += len;
      }
    }
    return inOrderCoverage(posList, wts, matchedW, total);
  }
}
