// Copy groups from the verified copy edges. Strongest edges first; an edge joins two groups only when
// it links their canonicals or the shorter canonical also aligns mostly within the other (no chaining
// through a short snippet that two different articles share).
import { type CopyCheck } from './copy-check.ts';
import { type IndexRank } from './rank.ts';
import { UnionFind } from './union-find.ts';
import { type CopyEdge } from './verify.ts';

/** Copy groups ("units": an article alone is a unit of one), numbered in order of their smallest member. */
export interface CopyUnits {
  /** Unit of each article. */
  unitOf: Int32Array;
  /** Members of each unit, ascending. */
  units: number[][];
  /** Canonical (best-ranked original) of each unit. */
  unitCanon: number[];
}

/** Sorts `edges` strongest first (in place) and groups the n articles by them. */
export function groupCopies(n: number, edges: CopyEdge[], copies: CopyCheck, rank: IndexRank): CopyUnits {
  const uf = new UnionFind(n);
  const canon = Int32Array.from({ length: n }, (_, i) => i);
  edges.sort((x, y) => y.s.coverage + y.s.reach - (x.s.coverage + x.s.reach) || x.a - y.a || x.b - y.b);
  for (const e of edges) {
    const ra = uf.find(e.a);
    const rb = uf.find(e.b);
    if (ra === rb) continue;
    const ca = canon[ra]!;
    const cb = canon[rb]!;
    const linksCanonicals = (ca === e.a && cb === e.b) || (ca === e.b && cb === e.a);
    if (!linksCanonicals && !copies.canonicalsAlign(copies.between(ca, cb))) continue;
    const [root, child] = ra < rb ? [ra, rb] : [rb, ra];
    uf.parent[child] = root;
    canon[root] = rank(ca, cb) <= 0 ? ca : cb;
  }
  return numberUnits(n, uf, canon);
}

function numberUnits(n: number, uf: UnionFind, canon: Int32Array): CopyUnits {
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
  return { unitOf, units, unitCanon };
}
