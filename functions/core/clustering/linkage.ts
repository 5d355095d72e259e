// Stories: average-linkage agglomeration of copy groups over the sparse similarity graph (absent pairs
// count as 0), stopped at `storyThreshold`. Average linkage keeps a topic (two different earthquakes)
// from chaining into one story through a single similar pair. Then a unit still alone joins the story
// it is closest to on average if that reaches `attachThreshold`.
import type { ClusterOptions } from '../cluster.ts';
import { AdjLists } from './adj-lists.ts';
import { LinkHeap } from './link-heap.ts';
import { PairSums } from './pair-sums.ts';
import { type UnitGraph } from './unit-graph.ts';

type LinkageOptions = Pick<ClusterOptions, 'storyFloor' | 'storyThreshold' | 'attachThreshold'>;

/** The stories, as sets of units. */
export interface Linkage {
  /** 1 for a unit that stands for a story (the others were merged into one). */
  alive: Uint8Array;
  /** Units of each story (empty for a unit merged away). */
  members: number[][];
  /** Per unit, the average similarity at which it first merged or attached (0: never). */
  linkage: Float64Array;
}

export function averageLinkage(g: UnitGraph, o: LinkageOptions): Linkage {
  const a = new Agglomeration(g, o);
  a.mergeAll();
  if (o.attachThreshold < o.storyThreshold) a.attachLeftovers();
  return { alive: a.alive, members: a.members, linkage: a.linkage };
}

class Agglomeration {
  readonly alive: Uint8Array;
  readonly members: number[][];
  readonly linkage: Float64Array;
  private readonly size: Int32Array;
  private readonly version: Int32Array;
  /** A story whose members all have their linkage (once it merged at a non-zero average). */
  private readonly settled: Uint8Array;
  /** Summed similarity between current units (one table for all pairs). */
  private readonly sums: PairSums;
  /** Each unit's neighbours (lists may hold units merged away since: skipped as not alive). */
  private readonly adj: AdjLists;
  private readonly heap = new LinkHeap();

  constructor(g: UnitGraph, private readonly o: LinkageOptions) {
    const U = g.units;
    this.size = new Int32Array(U).fill(1);
    this.version = new Int32Array(U);
    this.alive = new Uint8Array(U).fill(1);
    const degree = new Int32Array(U);
    let nLinks = 0;
    for (let x = 0; x < U; x++) {
      for (let p = g.start[x]!; p < g.start[x + 1]!; p++) {
        if (g.sim[p]! < o.storyFloor) continue;
        degree[x]!++;
        degree[g.other[p]!]!++;
        nLinks++;
      }
    }
    this.sums = new PairSums(nLinks);
    this.adj = new AdjLists(degree);
    for (let x = 0; x < U; x++) {
      for (let p = g.start[x]!; p < g.start[x + 1]!; p++) {
        const s = g.sim[p]!;
        if (s < o.storyFloor) continue;
        const y = g.other[p]!;
        this.sums.insert(x, y, s);
        this.adj.push(x, y);
        this.adj.push(y, x);
        if (s >= o.storyThreshold) this.heap.append(s, x, y, 0, 0);
      }
    }
    this.members = Array.from({ length: U }, (_, i) => [i]);
    this.linkage = new Float64Array(U);
    this.settled = new Uint8Array(U);
    this.heap.heapify();
  }

  private sumOf(x: number, z: number): number {
    return this.sums.sum(x < z ? this.sums.find(x, z) : this.sums.find(z, x));
  }

  mergeAll(): void {
    const { heap, alive, version } = this;
    while (heap.pop()) {
      const { p: avg, x, y, vx, vy } = heap.top;
      if (!alive[x] || !alive[y] || version[x] !== vx || version[y] !== vy) continue;
      if (avg < this.o.storyThreshold) break;
      this.merge(x, y, avg);
      this.requeue(x);
    }
  }

  /** Merges y into x (x < y). */
  private merge(x: number, y: number, avg: number): void {
    const { sums, adj, alive, members, linkage } = this;
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
    this.size[x]! += this.size[y]!;
    // A unit's linkage is the average at its first merge. Once a merge at a non-zero average has
    // happened, every member of x has one, so only y's members need a look.
    if (!this.settled[x]) {
      for (const m of members[x]!) linkage[m] = linkage[m] || avg;
      if (avg !== 0) this.settled[x] = 1;
    }
    for (const m of members[y]!) {
      members[x]!.push(m);
      linkage[m] = linkage[m] || avg;
    }
    members[y] = [];
    this.version[x]!++;
  }

  /**
   * Queues x's links at their new averages, dropping merged-away units from x's list. Push order does
   * not matter: the heap orders by (average, x, y), and entries equal in those are interchangeable (at
   * most one of them has current versions).
   */
  private requeue(x: number): void {
    const { adj, alive, size, version, heap } = this;
    const pool = adj.pool;
    const x0 = adj.start[x]!;
    let w = x0;
    for (let i = x0, end = x0 + adj.len[x]!; i < end; i++) {
      const z = pool[i]!;
      if (!alive[z]) continue;
      pool[w++] = z;
      const a = this.sumOf(x, z) / (size[x]! * size[z]!);
      if (a >= this.o.storyThreshold) {
        if (x < z) heap.push(a, x, z, version[x]!, version[z]!);
        else heap.push(a, z, x, version[z]!, version[x]!);
      }
    }
    adj.len[x] = w - x0;
  }

  /**
   * A lone unit (one article or one copy group) that linkage left on its own joins the story it is
   * most similar to on average, when that is at least `attachThreshold`. Decided against the stories
   * as they stand (attachments do not attract further attachments).
   */
  attachLeftovers(): void {
    const { adj, alive, size, members, linkage } = this;
    const moves: Array<[number, number, number]> = [];
    for (let x = 0; x < alive.length; x++) {
      if (!alive[x] || size[x] !== 1) continue;
      let best = -1;
      let bestA = 0;
      for (let i = adj.start[x]!, end = i + adj.len[x]!; i < end; i++) {
        const z = adj.pool[i]!;
        if (!alive[z] || size[z]! < 2) continue;
        const a = this.sumOf(x, z) / size[z]!;
        if (a > bestA || (a === bestA && z < best)) { bestA = a; best = z; }
      }
      if (best >= 0 && bestA >= this.o.attachThreshold) moves.push([x, best, bestA]);
    }
    for (const [x, z, a] of moves) {
      alive[x] = 0;
      for (const m of members[x]!) { members[z]!.push(m); linkage[m] = a; }
      members[x] = [];
    }
  }
}
