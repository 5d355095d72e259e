// Syndicated-copy detection and story grouping over stored fingerprints (never full text).
//
// 1. Candidates: MinHash LSH bands + an inverted index over each article's rarest terms (sub-quadratic).
// 2. Verification of candidates only: term containment/Jaccard, in-order sentence alignment coverage
//    (copies), TF-IDF cosine with IDF over this batch, entity and title overlap, date gap (stories).
// 3. Copies: an article is a copy of another when most of the shorter one (`copyCoverage`) aligns in
//    order with the longer and it reproduces a real part of the longer (`copyReach`). Groups merge only
//    when the shorter canonical also aligns mostly within the other canonical (no chaining through a
//    short snippet that two different articles share).
// 4. Stories: average-linkage agglomeration of copy groups over the sparse similarity graph (absent
//    pairs count as 0), stopped at `storyThreshold`. Average linkage keeps a topic (two different
//    earthquakes) from chaining into one story through a single similar pair. Then an article or copy
//    group still alone joins the story it is closest to on average if that reaches `attachThreshold`.
// Everything is ordered by article id first, so the output does not depend on the input order.
import { type Fingerprint } from './fingerprint.ts';
import { fmix32, hex64 } from './similarity/hash.ts';
import { buildCorpus } from './similarity/index.ts';
import { BatchScorer, type CopyScores, PairScorer, type StoryScores, candidatePairs } from './similarity/pairs.ts';

export interface ClusterItem {
  id: string;
  title: string;
  words: number;
  publisher: string | null;
  publishedAt: string | null;
  receivedAt: string;
  fingerprint: Fingerprint;
}

export interface ClusterOptions {
  /** Min in-order sentence coverage of the shorter article by the longer for a copy. */
  copyCoverage: number;
  /** Min in-order coverage of the longer article by the shorter for a copy (a snippet is not a copy). */
  copyReach: number;
  /** Share of a sentence's content-term weight (1/idf per term) that must reappear for it to align. */
  sentenceShare: number;
  /** Term containment below which sentence alignment is not even tried. */
  copyGate: number;
  /** Average-linkage story similarity needed to merge two groups into one story. */
  storyThreshold: number;
  /** Weights of the story similarity features (normalised to sum 1). */
  weightCosine: number;
  weightEntities: number;
  weightTitle: number;
  /** Average similarity to a story at which an article left alone joins it anyway. */
  attachThreshold: number;
  /** Pairs below this similarity are not kept in the story graph. */
  storyFloor: number;
  /** Publication dates further apart than this reduce story similarity. */
  dateWindowDays: number;
  /**
   * MinHash LSH: bands of `lshRows` values. LSH is there for near-verbatim copies (16 x 8 fires at term
   * Jaccard ~0.7 with p 0.6, ~0.8 with p 0.95); the rare-term index finds the rest, paraphrases included.
   * Looser bands (32 x 4, p 0.23 at Jaccard 0.3) added 434k of 1.24M candidates at 100k articles for 2
   * copies and 121 story links above the threshold: articles that share wire sentences, not copies.
   */
  lshBands: number;
  lshRows: number;
  /** Heaviest TF-IDF terms per article kept for the story cosine. */
  storyTerms: number;
  /** Rarest terms per article put in the inverted index. */
  rareTerms: number;
  /** Rare terms two articles must share to become a candidate pair. */
  rareShared: number;
  /** Max postings scanned per article (bounds work on very common "rare" terms). */
  postingBudget: number;
}

export const defaultClusterOptions: ClusterOptions = {
  copyCoverage: 0.7,
  copyReach: 0.3,
  sentenceShare: 0.7,
  copyGate: 0.4,
  storyThreshold: 0.18,
  storyFloor: 0.05,
  attachThreshold: 0.1,
  weightCosine: 0.5,
  weightEntities: 0.35,
  weightTitle: 0.15,
  dateWindowDays: 3,
  storyTerms: 64,
  lshBands: 16,
  lshRows: 8,
  rareTerms: 30,
  rareShared: 3,
  postingBudget: 2500,
};

export interface CopyGroup {
  canonical: string;
  members: string[];
  reasons: Array<{ id: string; of: string; scores: Record<string, number> }>;
}

export interface Story {
  id: string;
  canonical: string;
  headline: string;
  articles: string[];
  copies: string[][];
  copyGroups: CopyGroup[];
  reasons: Array<{ id: string; joined: string; scores: Record<string, number> }>;
}

const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function time(s: string | null): number | null {
  if (!s) return null;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : null;
}

/** Most complete original first: most words, earliest published, earliest received, smallest id. */
function rankCompare(a: ClusterItem, b: ClusterItem): number {
  if (a.words !== b.words) return b.words - a.words;
  const pa = time(a.publishedAt);
  const pb = time(b.publishedAt);
  if (pa !== pb) return pa === null ? 1 : pb === null ? -1 : pa - pb;
  const ra = time(a.receivedAt) ?? Infinity;
  const rb = time(b.receivedAt) ?? Infinity;
  if (ra !== rb) return ra < rb ? -1 : 1;
  return cmpStr(a.id, b.id);
}

const round = (x: number): number => Math.round(x * 1e4) / 1e4;

function copyRecord(c: CopyScores): Record<string, number> {
  return { coverage: round(c.coverage), reach: round(c.reach), containment: round(c.containment), jaccard: round(c.jaccard) };
}

function storyRecord(s: StoryScores, linkage: number, merged: number): Record<string, number> {
  return { sim: round(s.sim), cosine: round(s.cosine), entities: round(s.entities), title: round(s.title), days: round(s.days), linkage, merged };
}

class UnionFind {
  parent: Int32Array;
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
  }
  find(x: number): number {
    while (this.parent[x] !== x) {
      this.parent[x] = this.parent[this.parent[x]!]!;
      x = this.parent[x]!;
    }
    return x;
  }
}

/**
 * Max-heap of (priority, x, y, versionX, versionY) in parallel typed arrays (no tuple per entry);
 * ties broken by smaller x then y.
 */
class LinkHeap {
  private p = new Float64Array(1024);
  private x = new Int32Array(1024);
  private y = new Int32Array(1024);
  private vx = new Int32Array(1024);
  private vy = new Int32Array(1024);
  size = 0;
  /** The entry last popped. */
  top = { p: 0, x: 0, y: 0, vx: 0, vy: 0 };

  private less(i: number, j: number): boolean {
    const pi = this.p[i]!;
    const pj = this.p[j]!;
    if (pi !== pj) return pi > pj;
    if (this.x[i] !== this.x[j]) return this.x[i]! < this.x[j]!;
    return this.y[i]! < this.y[j]!;
  }

  private grow(): void {
    const g = <T extends Float64Array | Int32Array>(a: T, b: T): T => (b.set(a), b);
    const cap = this.p.length * 2;
    this.p = g(this.p, new Float64Array(cap));
    this.x = g(this.x, new Int32Array(cap));
    this.y = g(this.y, new Int32Array(cap));
    this.vx = g(this.vx, new Int32Array(cap));
    this.vy = g(this.vy, new Int32Array(cap));
  }

  /** Entry (p, x, y) sorts before slot j. */
  private before(p: number, x: number, y: number, j: number): boolean {
    const pj = this.p[j]!;
    if (p !== pj) return p > pj;
    if (x !== this.x[j]) return x < this.x[j]!;
    return y < this.y[j]!;
  }

  private set(i: number, p: number, x: number, y: number, vx: number, vy: number): void {
    this.p[i] = p;
    this.x[i] = x;
    this.y[i] = y;
    this.vx[i] = vx;
    this.vy[i] = vy;
  }

  /** Places (p, x, y, vx, vy) from hole i downwards (children that sort before it move up). */
  private siftDown(i: number, p: number, x: number, y: number, vx: number, vy: number): void {
    const n = this.size;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(r, l) ? r : l;
      if (!this.childFirst(c, p, x, y)) break;
      this.set(i, this.p[c]!, this.x[c]!, this.y[c]!, this.vx[c]!, this.vy[c]!);
      i = c;
    }
    this.set(i, p, x, y, vx, vy);
  }

  /** Slot c sorts before entry (p, x, y). */
  private childFirst(c: number, p: number, x: number, y: number): boolean {
    const pc = this.p[c]!;
    if (pc !== p) return pc > p;
    if (this.x[c] !== x) return this.x[c]! < x;
    return this.y[c]! < y;
  }

  /** Adds an entry without keeping heap order; `heapify` restores it (for the initial bulk load). */
  append(p: number, x: number, y: number, vx: number, vy: number): void {
    if (this.size === this.p.length) this.grow();
    this.set(this.size++, p, x, y, vx, vy);
  }

  heapify(): void {
    for (let i = (this.size >> 1) - 1; i >= 0; i--) this.siftDown(i, this.p[i]!, this.x[i]!, this.y[i]!, this.vx[i]!, this.vy[i]!);
  }

  push(p: number, x: number, y: number, vx: number, vy: number): void {
    if (this.size === this.p.length) this.grow();
    let i = this.size++;
    while (i > 0) {
      const q = (i - 1) >> 1;
      if (!this.before(p, x, y, q)) break;
      this.set(i, this.p[q]!, this.x[q]!, this.y[q]!, this.vx[q]!, this.vy[q]!);
      i = q;
    }
    this.set(i, p, x, y, vx, vy);
  }

  /** Pops the top entry into `top`; false when empty. */
  pop(): boolean {
    if (this.size === 0) return false;
    const t = this.top;
    t.p = this.p[0]!;
    t.x = this.x[0]!;
    t.y = this.y[0]!;
    t.vx = this.vx[0]!;
    t.vy = this.vy[0]!;
    const n = --this.size;
    if (n > 0) this.siftDown(0, this.p[n]!, this.x[n]!, this.y[n]!, this.vx[n]!, this.vy[n]!);
    return true;
  }
}

/**
 * Summed similarity per unordered unit pair (lo < hi), open addressing in 16-byte slots
 * [lo, hi, sum as float64]: one cache line per probe, no object per pair. A removed pair leaves a
 * tombstone (lo = -2) that probes walk past and inserts reuse.
 */
class PairSums {
  private i32: Int32Array = new Int32Array(0);
  private f64: Float64Array = new Float64Array(0);
  private mask = 0;
  /** Slots ever filled (live or tombstone). */
  private filled = 0;
  constructor(expected: number) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.alloc(cap);
  }

  private alloc(cap: number): void {
    const buf = new ArrayBuffer(cap * 16);
    this.i32 = new Int32Array(buf);
    this.f64 = new Float64Array(buf);
    this.mask = cap - 1;
    this.filled = 0;
    for (let i = 0; i < cap; i++) this.i32[4 * i] = -1;
  }

  private static hash(lo: number, hi: number): number {
    return fmix32(Math.imul(lo, 0x9e3779b1) ^ hi);
  }

  /** Slot of the pair, or -1. */
  find(lo: number, hi: number): number {
    const s = this.i32;
    const mask = this.mask;
    let i = PairSums.hash(lo, hi) & mask;
    for (;;) {
      const k = s[4 * i]!;
      if (k === -1) return -1;
      if (k === lo && s[4 * i + 1] === hi) return i;
      i = (i + 1) & mask;
    }
  }

  sum(slot: number): number {
    return this.f64[2 * slot + 1]!;
  }

  add(slot: number, v: number): void {
    this.f64[2 * slot + 1]! += v;
  }

  remove(slot: number): void {
    this.i32[4 * slot] = -2;
  }

  /** Inserts a pair known to be absent. */
  insert(lo: number, hi: number, v: number): void {
    if ((this.filled + 1) * 2 > this.mask + 1) this.rehash();
    const s = this.i32;
    const mask = this.mask;
    let i = PairSums.hash(lo, hi) & mask;
    while (s[4 * i]! >= 0) i = (i + 1) & mask;
    if (s[4 * i] === -1) this.filled++;
    s[4 * i] = lo;
    s[4 * i + 1] = hi;
    this.f64[2 * i + 1] = v;
  }

  private rehash(): void {
    const oi = this.i32;
    const of = this.f64;
    let live = 0;
    for (let i = 0; i < oi.length; i += 4) if (oi[i]! >= 0) live++;
    let cap = this.mask + 1;
    while (cap < live * 4) cap *= 2;
    this.alloc(cap);
    for (let i = 0; i < oi.length; i += 4) if (oi[i]! >= 0) this.insert(oi[i]!, oi[i + 1]!, of[(i >>> 1) + 1]!);
  }
}

/** Growable per-unit lists of neighbour ids in one pool (a list moves to the end when it outgrows its room). */
class AdjLists {
  pool: Int32Array;
  start: Int32Array;
  len: Int32Array;
  private cap: Int32Array;
  private top = 0;
  constructor(degree: Int32Array) {
    const U = degree.length;
    this.start = new Int32Array(U);
    this.len = new Int32Array(U);
    this.cap = new Int32Array(U);
    let total = 0;
    for (let u = 0; u < U; u++) total += degree[u]!;
    this.pool = new Int32Array(Math.max(16, Math.ceil(total * 1.5)));
    for (let u = 0; u < U; u++) {
      this.start[u] = this.top;
      this.cap[u] = degree[u]!;
      this.top += degree[u]!;
    }
  }

  push(x: number, z: number): void {
    if (this.len[x] === this.cap[x]) {
      const cap = Math.max(4, this.cap[x]! * 2);
      if (this.top + cap > this.pool.length) {
        const next = new Int32Array(Math.max(this.pool.length * 2, this.top + cap));
        next.set(this.pool.subarray(0, this.top));
        this.pool = next;
      }
      this.pool.copyWithin(this.top, this.start[x]!, this.start[x]! + this.len[x]!);
      this.start[x] = this.top;
      this.cap[x] = cap;
      this.top += cap;
    }
    this.pool[this.start[x]! + this.len[x]!++] = z;
  }
}

export interface ClusterStats {
  articles: number;
  candidates: number;
  copyEdges: number;
  storyEdges: number;
}

/** Wall time of each phase of the last clusterArticles call, in ms (for the benchmarks; not part of the result). */
export const clusterPhases: Record<string, number> = {};

export function clusterArticles(items: ClusterItem[], options?: Partial<ClusterOptions>): { stories: Story[]; stats: ClusterStats } {
  const o: ClusterOptions = { ...defaultClusterOptions, ...options };
  for (const k of Object.keys(clusterPhases)) delete clusterPhases[k];
  let phaseStart = performance.now();
  const phase = (name: string): void => {
    const now = performance.now();
    clusterPhases[name] = now - phaseStart;
    phaseStart = now;
  };
  // Canonical order: by id; a repeated id is the same article (content-addressed), keep its best-ranked
  // copy. The ids sort natively (code-unit order, as cmpStr), without a JS comparator call per step.
  const byId = new Map<string, ClusterItem>();
  for (const it of items) {
    const seen = byId.get(it.id);
    if (!seen || rankCompare(it, seen) < 0) byId.set(it.id, it);
  }
  const docs: ClusterItem[] = [...byId.keys()].sort().map((id) => byId.get(id)!);
  const n = docs.length;
  if (n === 0) return { stories: [], stats: { articles: 0, candidates: 0, copyEdges: 0, storyEdges: 0 } };

  phase('sort');
  const corpus = buildCorpus(docs.map((d) => d.fingerprint), o.storyTerms);
  const pubT = Float64Array.from(docs, (d) => time(d.publishedAt) ?? NaN);
  const scorer = new PairScorer(corpus, Array.from(pubT, (t) => (t === t ? t : null)), o.dateWindowDays, { cosine: o.weightCosine, entities: o.weightEntities, title: o.weightTitle });
  phase('corpus');
  const cands = candidatePairs(corpus, o);
  phase('candidates');

  // Verify candidates.
  const copyEdges: Array<{ a: number; b: number; s: CopyScores }> = [];
  const copyScores = new Map<number, CopyScores>();
  const key = (a: number, b: number): number => (a < b ? a * 67108864 + b : b * 67108864 + a);
  const isCopy = (c: CopyScores | null): boolean => !!c && c.coverage >= o.copyCoverage && c.reach >= o.copyReach;
  let edgeA = new Int32Array(1024);
  let edgeB = new Int32Array(1024);
  let edgeS = new Float64Array(1024);
  let nEdges = 0;
  const batch = new BatchScorer(scorer, corpus);
  for (let k = 0; k < cands.length; k++) {
    const p = cands[k]!;
    const a = Math.floor(p / 67108864);
    const b = p - a * 67108864;
    const sim = batch.sim(a, b);
    // Cheap MinHash estimate of containment first; the exact term overlap only when it may pass.
    if (scorer.containmentEstimate(a, b) >= o.copyGate - 0.1) {
      const c = scorer.copy(a, b, o.copyGate, o.sentenceShare, o.copyCoverage);
      if (c && isCopy(c)) {
        copyEdges.push({ a, b, s: c });
        copyScores.set(key(a, b), c);
      }
    }
    if (sim >= o.storyFloor) {
      if (nEdges === edgeA.length) {
        const grow = <T extends Int32Array | Float64Array>(x: T, y: T): T => (y.set(x), y);
        edgeA = grow(edgeA, new Int32Array(nEdges * 2));
        edgeB = grow(edgeB, new Int32Array(nEdges * 2));
        edgeS = grow(edgeS, new Float64Array(nEdges * 2));
      }
      edgeA[nEdges] = a;
      edgeB[nEdges] = b;
      edgeS[nEdges++] = sim;
    }
  }
  phase('verify');
  const copyBetween = (a: number, b: number): CopyScores | null => {
    const k = key(a, b);
    let c = copyScores.get(k);
    if (c === undefined) {
      const computed = scorer.copy(a, b, o.copyGate, o.sentenceShare);
      if (!computed) return null;
      c = computed;
      if (isCopy(c)) copyScores.set(k, c);
    }
    return c;
  };

  // Copy groups: strongest edges first. The edge is a full copy (coverage and reach); the two groups merge only
  // if the shorter canonical also aligns mostly within the other. Reach is not asked of the canonicals: a short
  // copy of a shortened version reproduces little of the full article, yet it is the same article.
  const canonicalsAlign = (c: CopyScores | null): boolean => !!c && c.coverage >= o.copyCoverage;
  // rankCompare on indexes, with the dates parsed once (unknown publication: NaN; receipt times, only
  // needed on ties, parsed when first asked: unknown is Infinity, NaN is not parsed yet).
  const words = Float64Array.from(docs, (d) => d.words);
  const recT = new Float64Array(n).fill(NaN);
  const received = (x: number): number => {
    let t = recT[x]!;
    if (t !== t) t = recT[x] = time(docs[x]!.receivedAt) ?? Infinity;
    return t;
  };
  const rankIdx = (x: number, y: number): number => {
    if (words[x] !== words[y]) return words[y]! - words[x]!;
    const pa = pubT[x]!;
    const pb = pubT[y]!;
    const na = pa !== pa;
    const nb = pb !== pb;
    if (na !== nb) return na ? 1 : -1;
    if (!na && pa !== pb) return pa - pb;
    const ra = received(x);
    const rb = received(y);
    if (ra !== rb) return ra < rb ? -1 : 1;
    return cmpStr(docs[x]!.id, docs[y]!.id);
  };
  const uf = new UnionFind(n);
  const canon = Int32Array.from({ length: n }, (_, i) => i);
  copyEdges.sort((x, y) => y.s.coverage + y.s.reach - (x.s.coverage + x.s.reach) || x.a - y.a || x.b - y.b);
  for (const e of copyEdges) {
    const ra = uf.find(e.a);
    const rb = uf.find(e.b);
    if (ra === rb) continue;
    const ca = canon[ra]!;
    const cb = canon[rb]!;
    if (!((ca === e.a && cb === e.b) || (ca === e.b && cb === e.a)) && !canonicalsAlign(copyBetween(ca, cb))) continue;
    const [root, child] = ra < rb ? [ra, rb] : [rb, ra];
    uf.parent[child] = root;
    canon[root] = rankIdx(ca, cb) <= 0 ? ca : cb;
  }
  phase('copies');
  // Units = copy groups, numbered in order of their smallest member index.
  const unitOf = new Int32Array(n).fill(-1);
  const units: number[][] = [];
  for (let d = 0; d < n; d++) {
    const r = uf.find(d);
    if (unitOf[r] === -1) {
      unitOf[r] = units.length;
      units.push([]);
    }
    unitOf[d] = unitOf[r]!;
    units[unitOf[d]!]!.push(d);
  }
  const unitCanon = units.map((u) => canon[uf.find(u[0]!)]!);

  // Story graph between units: similarity of their canonical articles. Unit pairs are grouped by
  // their smaller unit in typed arrays (CSR), each pair scored once, at its first edge in edge order
  // (a row shares its canonical: the batch scorer loads it once, same float as scorer.storySim).
  const U = units.length;
  const uStart = new Int32Array(U + 1);
  for (let k = 0; k < nEdges; k++) {
    const ua = unitOf[edgeA[k]!]!;
    const ub = unitOf[edgeB[k]!]!;
    if (ua !== ub) uStart[(ua < ub ? ua : ub) + 1]!++;
  }
  for (let u = 0; u < U; u++) uStart[u + 1]! += uStart[u]!;
  const uFill = uStart.slice(0, U);
  const pairOther = new Int32Array(uStart[U]!);
  const pairEdge = new Int32Array(uStart[U]!);
  for (let k = 0; k < nEdges; k++) {
    const ua = unitOf[edgeA[k]!]!;
    const ub = unitOf[edgeB[k]!]!;
    if (ua === ub) continue;
    const [lo, hi] = ua < ub ? [ua, ub] : [ub, ua];
    const p = uFill[lo]!++;
    pairOther[p] = hi;
    pairEdge[p] = k;
  }
  // Dedupe per unit (first edge wins), then sort each unit's partners ascending.
  const seen = new Int32Array(U).fill(-1);
  const simStart = new Int32Array(U + 1);
  const simOther = new Int32Array(uStart[U]!);
  const simVal = new Float64Array(uStart[U]!);
  let nSim = 0;
  let order = new Float64Array(64);
  for (let u = 0; u < U; u++) {
    simStart[u] = nSim;
    let m = 0;
    for (let p = uStart[u]!; p < uStart[u + 1]!; p++) {
      const v = pairOther[p]!;
      if (seen[v] === u) continue;
      seen[v] = u;
      if (m === order.length) { const next = new Float64Array(m * 2); next.set(order); order = next; }
      order[m++] = v * 67108864 + p; // partner, then position: a native sort orders partners
    }
    const sortedP = order.subarray(0, m).sort();
    const ca = unitCanon[u]!;
    for (let i = 0; i < m; i++) {
      const v = Math.floor(sortedP[i]! / 67108864);
      const k = pairEdge[sortedP[i]! - v * 67108864]!;
      const a = edgeA[k]!;
      const b = edgeB[k]!;
      const cb = unitCanon[v]!;
      simOther[nSim] = v;
      simVal[nSim++] = (ca === a && cb === b) || (ca === b && cb === a) ? edgeS[k]! : batch.sim(ca, cb);
    }
  }
  simStart[U] = nSim;
  /** Similarity of two units' canonicals, when they share an edge (binary search in the smaller's row). */
  const unitSimOf = (x: number, y: number): number | undefined => {
    const [u, v] = x < y ? [x, y] : [y, x];
    let lo = simStart[u]!;
    let hi = simStart[u + 1]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const w = simOther[mid]!;
      if (w === v) return simVal[mid]!;
      if (w < v) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  };

  phase('unit graph');
  // Average linkage over the sparse graph.
  const size = new Int32Array(U).fill(1);
  const version = new Int32Array(U);
  const alive = new Uint8Array(U).fill(1);
  // Summed similarity between current units (one table for all pairs) and each unit's neighbours
  // (lists may hold units merged away since: skipped as not alive).
  const degree = new Int32Array(U);
  let nLinks = 0;
  for (let x = 0; x < U; x++) {
    for (let p = simStart[x]!; p < simStart[x + 1]!; p++) {
      if (simVal[p]! < o.storyFloor) continue;
      degree[x]!++;
      degree[simOther[p]!]!++;
      nLinks++;
    }
  }
  const sums = new PairSums(nLinks);
  const adj = new AdjLists(degree);
  for (let x = 0; x < U; x++) {
    for (let p = simStart[x]!; p < simStart[x + 1]!; p++) {
      const s = simVal[p]!;
      if (s < o.storyFloor) continue;
      const y = simOther[p]!;
      sums.insert(x, y, s);
      adj.push(x, y);
      adj.push(y, x);
    }
  }
  const heap = new LinkHeap();
  for (let x = 0; x < U; x++) {
    for (let p = simStart[x]!; p < simStart[x + 1]!; p++) {
      const s = simVal[p]!;
      if (s >= o.storyFloor && s >= o.storyThreshold) heap.append(s, x, simOther[p]!, 0, 0);
    }
  }
  const members: number[][] = Array.from({ length: U }, (_, i) => [i]);
  const linkage = new Float64Array(U);
  const settled = new Uint8Array(U);
  heap.heapify();
  while (heap.pop()) {
    const { p: avg, x, y, vx, vy } = heap.top;
    if (!alive[x] || !alive[y] || version[x] !== vx || version[y] !== vy) continue;
    if (avg < o.storyThreshold) break;
    // Merge y into x (x < y).
    const kxy = sums.find(x, y);
    if (kxy >= 0) sums.remove(kxy);
    for (let i = adj.start[y]!, end = i + adj.len[y]!; i < end; i++) {
      const z = adj.pool[i]!;
      if (!alive[z] || z === x) continue;
      const kyz = z < y ? sums.find(z, y) : sums.find(y, z);
      const s = sums.sum(kyz);
      sums.remove(kyz);
      const kxz = x < z ? sums.find(x, z) : sums.find(z, x);
      if (kxz >= 0) sums.add(kxz, s);
      else {
        if (x < z) sums.insert(x, z, s);
        else sums.insert(z, x, s);
        adj.push(x, z);
        adj.push(z, x);
      }
    }
    adj.len[y] = 0;
    alive[y] = 0;
    size[x]! += size[y]!;
    // A unit's linkage is the average at its first merge. Once a merge at a non-zero average has
    // happened, every member of x has one, so only y's members need a look.
    if (!settled[x]) {
      for (const m of members[x]!) linkage[m] = linkage[m] || avg;
      if (avg !== 0) settled[x] = 1;
    }
    for (const m of members[y]!) {
      members[x]!.push(m);
      linkage[m] = linkage[m] || avg;
    }
    members[y] = [];
    version[x]!++;
    // Push order does not matter: the heap orders by (average, x, y), and entries equal in those are
    // interchangeable (at most one of them has current versions).
    // The walk also drops merged-away units from x's list.
    const pool = adj.pool;
    const x0 = adj.start[x]!;
    let w = x0;
    for (let i = x0, end = x0 + adj.len[x]!; i < end; i++) {
      const z = pool[i]!;
      if (!alive[z]) continue;
      pool[w++] = z;
      const sum = sums.sum(x < z ? sums.find(x, z) : sums.find(z, x));
      const a = sum / (size[x]! * size[z]!);
      if (a >= o.storyThreshold) {
        if (x < z) heap.push(a, x, z, version[x]!, version[z]!);
        else heap.push(a, z, x, version[z]!, version[x]!);
      }
    }
    adj.len[x] = w - x0;
  }

  // Leftovers: a lone unit (one article or one copy group) that average linkage left on its own joins
  // the story it is most similar to on average, when that is at least `attachThreshold`. Decided
  // against the stories as they stand (attachments do not attract further attachments).
  if (o.attachThreshold < o.storyThreshold) {
    const moves: Array<[number, number, number]> = [];
    for (let x = 0; x < U; x++) {
      if (!alive[x] || size[x] !== 1) continue;
      let best = -1;
      let bestA = 0;
      for (let i = adj.start[x]!, end = i + adj.len[x]!; i < end; i++) {
        const z = adj.pool[i]!;
        if (!alive[z] || size[z]! < 2) continue;
        const a = sums.sum(x < z ? sums.find(x, z) : sums.find(z, x)) / size[z]!;
        if (a > bestA || (a === bestA && z < best)) { bestA = a; best = z; }
      }
      if (best >= 0 && bestA >= o.attachThreshold) moves.push([x, best, bestA]);
    }
    for (const [x, z, a] of moves) {
      alive[x] = 0;
      for (const m of members[x]!) { members[z]!.push(m); linkage[m] = a; }
      members[x] = [];
    }
  }

  phase('linkage');
  // Assemble stories.
  const stories: Story[] = [];
  /** The reason of each copy that is not its group's canonical. */
  const copyReason: Array<CopyGroup['reasons'][number] | undefined> = new Array(n);
  for (let c = 0; c < U; c++) {
    if (!alive[c]) continue;
    const us = members[c]!;
    const all = us.flatMap((u) => units[u]!);
    all.sort(rankIdx);
    const canonical = all[0]!;
    const copyGroups: CopyGroup[] = [];
    const reasons: Story['reasons'] = [];
    for (const u of us) {
      const g = units[u]!;
      if (g.length < 2) continue;
      const gc = unitCanon[u]!;
      const greasons: CopyGroup['reasons'] = [];
      for (const m of g) {
        if (m === gc) continue;
        // Explain with the verified copy edge to the canonical, else the strongest one inside the group.
        let of = gc;
        let sc = copyScores.get(key(m, gc));
        if (!sc || !isCopy(sc)) {
          let best: CopyScores | undefined;
          for (const x of g) {
            if (x === m) continue;
            const s = copyScores.get(key(m, x));
            if (s && isCopy(s) && (!best || s.coverage + s.reach > best.coverage + best.reach)) { best = s; of = x; }
          }
          sc = best ?? copyBetween(m, gc) ?? { coverage: 0, reach: 0, containment: 0, jaccard: 0 };
          if (!best) of = gc;
        }
        const r = { id: docs[m]!.id, of: docs[of]!.id, scores: copyRecord(sc) };
        greasons.push(r);
        copyReason[m] = r;
      }
      greasons.sort((p, q) => cmpStr(p.id, q.id));
      copyGroups.push({ canonical: docs[gc]!.id, members: g.map((m) => docs[m]!.id).sort(cmpStr), reasons: greasons });
    }
    copyGroups.sort((p, q) => cmpStr(p.members[0]!, q.members[0]!));
    const canonUnit = unitOf[canonical]!;
    for (const u of us) {
      const uc = unitCanon[u]!;
      for (const m of units[u]!) {
        if (m === canonical) continue;
        if (m !== uc) {
          const r = copyReason[m]!;
          const sc = r.scores;
          reasons.push({ id: r.id, joined: r.of, scores: { copy: 1, coverage: sc.coverage!, reach: sc.reach!, containment: sc.containment!, jaccard: sc.jaccard! } });
          continue;
        }
        // Strongest link to another unit of the story, plus the unit's average similarity to the rest.
        let best = -1;
        let bestSim = -1;
        let sum = 0;
        for (const v of us) {
          if (v === u) continue;
          const s = unitSimOf(u, v);
          if (s === undefined) continue;
          sum += s;
          if (s > bestSim) { bestSim = s; best = v; }
        }
        const joinedUnit = best >= 0 ? best : canonUnit;
        const joined = unitCanon[joinedUnit]!;
        reasons.push({
          id: docs[m]!.id,
          joined: docs[joined]!.id,
          scores: storyRecord(scorer.story(m, joined), round(sum / Math.max(1, us.length - 1)), round(linkage[u]!)),
        });
      }
    }
    reasons.sort((p, q) => cmpStr(p.id, q.id));
    const articles = all.map((d) => docs[d]!.id).sort(cmpStr);
    stories.push({
      id: `s_${hex64(docs[canonical]!.id)}`,
      canonical: docs[canonical]!.id,
      headline: docs[canonical]!.title,
      articles,
      copies: copyGroups.map((g) => g.members),
      copyGroups,
      reasons,
    });
  }
  stories.sort((a, b) => b.articles.length - a.articles.length || cmpStr(a.canonical, b.canonical));
  phase('stories');
  return { stories, stats: { articles: n, candidates: cands.length, copyEdges: copyEdges.length, storyEdges: nEdges } };
}
