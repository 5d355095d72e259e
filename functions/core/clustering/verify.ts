// Verification of the candidate pairs: which are copies, and which are similar enough to be kept in
// the story graph.
import type { ClusterOptions } from '../cluster.ts';
import { pairFirst, pairSecond } from '../similarity/pair-key.ts';
import { type BatchScorer, type CopyScores } from '../similarity/pairs.ts';
import { type CopyCheck } from './copy-check.ts';

export interface CopyEdge {
  a: number;
  b: number;
  s: CopyScores;
}

/** Story similarity of the kept pairs (a < b), in candidate order, in parallel arrays of which the first n are used. */
export interface StoryEdges {
  a: Int32Array;
  b: Int32Array;
  sim: Float64Array;
  n: number;
}

export interface Verified {
  copyEdges: CopyEdge[];
  storyEdges: StoryEdges;
}

export function verifyCandidates(cands: Float64Array, batch: BatchScorer, copies: CopyCheck, o: Pick<ClusterOptions, 'storyFloor'>): Verified {
  const copyEdges: CopyEdge[] = [];
  const edges: StoryEdges = { a: new Int32Array(1024), b: new Int32Array(1024), sim: new Float64Array(1024), n: 0 };
  for (let k = 0; k < cands.length; k++) {
    const p = cands[k]!;
    const a = pairFirst(p);
    const b = pairSecond(p);
    const sim = batch.sim(a, b);
    const c = copies.verify(a, b);
    if (c) copyEdges.push({ a, b, s: c });
    if (sim >= o.storyFloor) addEdge(edges, a, b, sim);
  }
  return { copyEdges, storyEdges: edges };
}

function addEdge(e: StoryEdges, a: number, b: number, sim: number): void {
  const n = e.n;
  if (n === e.a.length) {
    const grow = <T extends Int32Array | Float64Array>(x: T, y: T): T => (y.set(x), y);
    e.a = grow(e.a, new Int32Array(n * 2));
    e.b = grow(e.b, new Int32Array(n * 2));
    e.sim = grow(e.sim, new Float64Array(n * 2));
  }
  e.a[n] = a;
  e.b[n] = b;
  e.sim[n] = sim;
  e.n = n + 1;
}
