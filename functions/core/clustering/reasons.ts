// Why each article is where it is: the copy edge that put it in its copy group, or the link that put
// its group in the story, with the scores rounded for reading.
import type { ClusterItem, CopyGroup, Story } from '../cluster.ts';
import { type CopyScores, type PairScorer, type StoryScores } from '../similarity/pairs.ts';
import { type CopyCheck } from './copy-check.ts';
import { type CopyUnits } from './copies.ts';
import { type Linkage } from './linkage.ts';
import { cmpStr } from './rank.ts';
import { type UnitGraph } from './unit-graph.ts';

const round = (x: number): number => Math.round(x * 1e4) / 1e4;

function copyRecord(c: CopyScores): Record<string, number> {
  return { coverage: round(c.coverage), reach: round(c.reach), containment: round(c.containment), jaccard: round(c.jaccard) };
}

function storyRecord(s: StoryScores, linkage: number, merged: number): Record<string, number> {
  return { sim: round(s.sim), cosine: round(s.cosine), entities: round(s.entities), title: round(s.title), days: round(s.days), linkage, merged };
}

/** Unit u's copy group (u has two members or more), each member but the canonical with its reason. */
export function copyGroup(u: number, docs: ClusterItem[], copies: CopyUnits, check: CopyCheck): CopyGroup {
  const g = copies.units[u]!;
  const gc = copies.unitCanon[u]!;
  const reasons: CopyGroup['reasons'] = [];
  for (const m of g) {
    if (m === gc) continue;
    // Explain with the verified copy edge to the canonical, else the strongest one inside the group.
    let of = gc;
    let sc = check.known(m, gc);
    if (!sc || !check.isCopy(sc)) {
      let best: CopyScores | undefined;
      for (const x of g) {
        if (x === m) continue;
        const s = check.known(m, x);
        if (s && check.isCopy(s) && (!best || s.coverage + s.reach > best.coverage + best.reach)) { best = s; of = x; }
      }
      sc = best ?? check.between(m, gc) ?? { coverage: 0, reach: 0, containment: 0, jaccard: 0 };
      if (!best) of = gc;
    }
    reasons.push({ id: docs[m]!.id, of: docs[of]!.id, scores: copyRecord(sc) });
  }
  reasons.sort((p, q) => cmpStr(p.id, q.id));
  return { canonical: docs[gc]!.id, members: g.map((m) => docs[m]!.id).sort(cmpStr), reasons };
}

export interface StoryContext {
  docs: ClusterItem[];
  copies: CopyUnits;
  graph: UnitGraph;
  linked: Linkage;
  scorer: PairScorer;
}

/**
 * The reason of each article of a story (units `us`, copy groups `groups`) but its canonical: a copy
 * repeats its copy reason; a unit's canonical gives its strongest link to another unit of the story,
 * plus its average similarity to the rest.
 */
export function storyReasons(us: number[], canonical: number, groups: CopyGroup[], ctx: StoryContext): Story['reasons'] {
  const { docs, copies, graph, linked, scorer } = ctx;
  const copyReason = new Map(groups.flatMap((g) => g.reasons.map((r) => [r.id, r] as const)));
  const reasons: Story['reasons'] = [];
  const canonUnit = copies.unitOf[canonical]!;
  for (const u of us) {
    const uc = copies.unitCanon[u]!;
    for (const m of copies.units[u]!) {
      if (m === canonical) continue;
      if (m !== uc) {
        const r = copyReason.get(docs[m]!.id)!;
        const sc = r.scores;
        reasons.push({ id: r.id, joined: r.of, scores: { copy: 1, coverage: sc.coverage!, reach: sc.reach!, containment: sc.containment!, jaccard: sc.jaccard! } });
        continue;
      }
      let best = -1;
      let bestSim = -1;
      let sum = 0;
      for (const v of us) {
        if (v === u) continue;
        const s = graph.simOf(u, v);
        if (s === undefined) continue;
        sum += s;
        if (s > bestSim) { bestSim = s; best = v; }
      }
      const joined = copies.unitCanon[best >= 0 ? best : canonUnit]!;
      reasons.push({
        id: docs[m]!.id,
        joined: docs[joined]!.id,
        scores: storyRecord(scorer.story(m, joined), round(sum / Math.max(1, us.length - 1)), round(linked.linkage[u]!)),
      });
    }
  }
  reasons.sort((p, q) => cmpStr(p.id, q.id));
  return reasons;
}
