// The story graph between copy groups: the similarity of their canonical articles, for the unit pairs
// that some kept story edge links.
import { PAIR_SCALE, packPair, pairFirst, pairSecond } from '../similarity/pair-key.ts';
import { type BatchScorer } from '../similarity/pairs.ts';
import { type CopyUnits } from './copies.ts';
import { type StoryEdges } from './verify.ts';

/** Unit u's partners v > u, ascending, are other[start[u]..start[u+1]), with their similarity in sim. */
export class UnitGraph {
  constructor(
    readonly start: Int32Array,
    readonly other: Int32Array,
    readonly sim: Float64Array,
  ) {}

  get units(): number {
    return this.start.length - 1;
  }

  /** Similarity of two units' canonicals, when they share an edge (binary search in the smaller's row). */
  simOf(x: number, y: number): number | undefined {
    const [u, v] = x < y ? [x, y] : [y, x];
    let lo = this.start[u]!;
    let hi = this.start[u + 1]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const w = this.other[mid]!;
      if (w === v) return this.sim[mid]!;
      if (w < v) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }
}

/** Story edges between different units, grouped by their smaller unit (CSR), in edge order. */
interface UnitPairs {
  start: Int32Array;
  /** The larger unit. */
  other: Int32Array;
  /** The story edge it came from. */
  edge: Int32Array;
}

function unitPairs(edges: StoryEdges, unitOf: Int32Array, U: number): UnitPairs {
  const start = new Int32Array(U + 1);
  for (let k = 0; k < edges.n; k++) {
    const ua = unitOf[edges.a[k]!]!;
    const ub = unitOf[edges.b[k]!]!;
    if (ua !== ub) start[(ua < ub ? ua : ub) + 1]!++;
  }
  for (let u = 0; u < U; u++) start[u + 1]! += start[u]!;
  const fill = start.slice(0, U);
  const other = new Int32Array(start[U]!);
  const edge = new Int32Array(start[U]!);
  for (let k = 0; k < edges.n; k++) {
    const ua = unitOf[edges.a[k]!]!;
    const ub = unitOf[edges.b[k]!]!;
    if (ua === ub) continue;
    const [lo, hi] = ua < ub ? [ua, ub] : [ub, ua];
    const p = fill[lo]!++;
    other[p] = hi;
    edge[p] = k;
  }
  return { start, other, edge };
}

/**
 * Each unit pair scored once, at its first edge in edge order: the edge's own similarity when it links
 * the two canonicals, else the canonicals' (a row shares its canonical: the batch scorer loads it
 * once, the same float as PairScorer.storySim).
 */
export function unitGraph(edges: StoryEdges, copies: CopyUnits, batch: BatchScorer): UnitGraph {
  const { unitOf, unitCanon } = copies;
  const U = copies.units.length;
  // Positions are packed as the second of a pair.
  if (edges.n >= PAIR_SCALE) throw new RangeError(`too many story edges for one batch (${edges.n})`);
  const pairs = unitPairs(edges, unitOf, U);
  const seen = new Int32Array(U).fill(-1);
  const start = new Int32Array(U + 1);
  const other = new Int32Array(pairs.start[U]!);
  const sim = new Float64Array(pairs.start[U]!);
  let nSim = 0;
  let order = new Float64Array(64);
  for (let u = 0; u < U; u++) {
    start[u] = nSim;
    // Dedupe (first edge wins), then sort the partners ascending.
    let m = 0;
    for (let p = pairs.start[u]!; p < pairs.start[u + 1]!; p++) {
      const v = pairs.other[p]!;
      if (seen[v] === u) continue;
      seen[v] = u;
      if (m === order.length) { const next = new Float64Array(m * 2); next.set(order); order = next; }
      order[m++] = packPair(v, p); // partner, then position: a native sort orders partners
    }
    const sorted = order.subarray(0, m).sort();
    const ca = unitCanon[u]!;
    for (let i = 0; i < m; i++) {
      const v = pairFirst(sorted[i]!);
      const k = pairs.edge[pairSecond(sorted[i]!)]!;
      const a = edges.a[k]!;
      const b = edges.b[k]!;
      const cb = unitCanon[v]!;
      other[nSim] = v;
      sim[nSim++] = (ca === a && cb === b) || (ca === b && cb === a) ? edges.sim[k]! : batch.sim(ca, cb);
    }
  }
  start[U] = nSim;
  return new UnitGraph(start, other, sim);
}
