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
import { hex64 } from './similarity/hash.ts';
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
  lshBands: 32,
  lshRows: 4,
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

function storyRecord(s: StoryScores): Record<string, number> {
  return { sim: round(s.sim), cosine: round(s.cosine), entities: round(s.entities), title: round(s.title), days: round(s.days) };
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
  // Canonical order: by id; a repeated id is the same article (content-addressed), keep one.
  const sorted = [...items].sort((a, b) => cmpStr(a.id, b.id) || rankCompare(a, b));
  const docs: ClusterItem[] = [];
  for (const it of sorted) if (docs.length === 0 || docs[docs.length - 1]!.id !== it.id) docs.push(it);
  const n = docs.length;
  if (n === 0) return { stories: [], stats: { articles: 0, candidates: 0, copyEdges: 0, storyEdges: 0 } };

  phase('sort');
  const corpus = buildCorpus(docs.map((d) => d.fingerprint), o.storyTerms);
  const scorer = new PairScorer(corpus, docs.map((d) => time(d.publishedAt)), o.dateWindowDays, { cosine: o.weightCosine, entities: o.weightEntities, title: o.weightTitle });
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
      const c = scorer.copy(a, b, o.copyGate, o.sentenceShare);
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
  const rankIdx = (x: number, y: number): number => rankCompare(docs[x]!, docs[y]!);
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
  // their smaller unit in typed arrays (CSR), each pair scored once, at its first edge in edge order.
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
      simVal[nSim++] = (ca === a && cb === b) || (ca === b && cb === a) ? edgeS[k]! : scorer.storySim(ca, cb);
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
  const nbr: Array<Map<number, number>> = Array.from({ length: U }, () => new Map());
  for (let x = 0; x < U; x++) {
    for (let p = simStart[x]!; p < simStart[x + 1]!; p++) {
      const s = simVal[p]!;
      if (s < o.storyFloor) continue;
      const y = simOther[p]!;
      nbr[x]!.set(y, s);
      nbr[y]!.set(x, s);
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
    const nx = nbr[x]!;
    const ny = nbr[y]!;
    nx.delete(y);
    ny.delete(x);
    for (const [z, s] of ny) {
      nx.set(z, (nx.get(z) ?? 0) + s);
      const nz = nbr[z]!;
      nz.delete(y);
      nz.set(x, nx.get(z)!);
    }
    ny.clear();
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
    for (const [z, sum] of nx) {
      const a = sum / (size[x]! * size[z]!);
      if (a >= o.storyThreshold) {
        if (x < z) heap.push(a, x, z, version[x]!, version[z]!);
        else heap.push(a, z, x, version[z]!, version[x]!);
      }
    }
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
      for (const [z, sum] of nbr[x]!) {
        if (!alive[z] || size[z]! < 2) continue;
        const a = sum / size[z]!;
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
        greasons.push({ id: docs[m]!.id, of: docs[of]!.id, scores: copyRecord(sc) });
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
          const g = copyGroups.find((x) => x.canonical === docs[uc]!.id)!;
          const r = g.reasons.find((x) => x.id === docs[m]!.id)!;
          reasons.push({ id: docs[m]!.id, joined: r.of, scores: { copy: 1, ...r.scores } });
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
          scores: { ...storyRecord(scorer.story(m, joined)), linkage: round(sum / Math.max(1, us.length - 1)), merged: round(linkage[u]!) },
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
