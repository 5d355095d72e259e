// Story records: per story of units, its articles, canonical, copy groups and reasons, by article id.
import type { Story } from '../cluster.ts';
import { hex64 } from '../similarity/hash.ts';
import { type CopyCheck } from './copy-check.ts';
import { type IndexRank, cmpStr } from './rank.ts';
import { type StoryContext, copyGroup, storyReasons } from './reasons.ts';

export interface StoryInputs extends StoryContext {
  check: CopyCheck;
  rank: IndexRank;
}

/** The stories, largest first, then by canonical id. */
export function storyRecords(s: StoryInputs): Story[] {
  const { docs, copies, linked } = s;
  const stories: Story[] = [];
  for (let c = 0; c < linked.alive.length; c++) {
    if (!linked.alive[c]) continue;
    const us = linked.members[c]!;
    const all = us.flatMap((u) => copies.units[u]!);
    all.sort(s.rank);
    const canonical = all[0]!;
    const copyGroups = us.filter((u) => copies.units[u]!.length >= 2).map((u) => copyGroup(u, docs, copies, s.check));
    copyGroups.sort((p, q) => cmpStr(p.members[0]!, q.members[0]!));
    stories.push({
      id: `s_${hex64(docs[canonical]!.id)}`,
      canonical: docs[canonical]!.id,
      headline: docs[canonical]!.title,
      articles: all.map((d) => docs[d]!.id).sort(cmpStr),
      copies: copyGroups.map((g) => g.members),
      copyGroups,
      reasons: storyReasons(us, canonical, copyGroups, s),
    });
  }
  stories.sort((a, b) => b.articles.length - a.articles.length || cmpStr(a.canonical, b.canonical));
  return stories;
}
