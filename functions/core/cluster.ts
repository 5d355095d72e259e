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
//
// This file holds the public types and options and runs the stages in order; each stage is a module of
// clustering/ taking and returning typed values.
import { averageLinkage } from './clustering/linkage.ts';
import { groupCopies } from './clustering/copies.ts';
import { CopyCheck } from './clustering/copy-check.ts';
import { canonicalOrder, indexRank, time } from './clustering/rank.ts';
import { storyRecords } from './clustering/stories.ts';
import { unitGraph } from './clustering/unit-graph.ts';
import { verifyCandidates } from './clustering/verify.ts';
import { type Fingerprint } from './fingerprint.ts';
import { candidatePairs } from './similarity/candidates.ts';
import { buildCorpus } from './similarity/index.ts';
import { BatchScorer, PairScorer } from './similarity/pairs.ts';

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

export interface ClusterStats {
  articles: number;
  candidates: number;
  copyEdges: number;
  storyEdges: number;
}

export type ClusterPhase = 'sort' | 'corpus' | 'candidates' | 'verify' | 'copies' | 'unit graph' | 'linkage' | 'stories';

export interface ClusterRun extends Partial<ClusterOptions> {
  /** Called at the end of each phase with its wall time in ms (for the benchmarks; not part of the result). */
  onPhase?: (phase: ClusterPhase, ms: number) => void;
}

export function clusterArticles(items: ClusterItem[], options?: ClusterRun): { stories: Story[]; stats: ClusterStats } {
  const { onPhase, ...tuning } = options ?? {};
  const o: ClusterOptions = { ...defaultClusterOptions, ...tuning };
  const phase = phaseClock(onPhase);
  const docs = canonicalOrder(items);
  const n = docs.length;
  if (n === 0) return { stories: [], stats: { articles: 0, candidates: 0, copyEdges: 0, storyEdges: 0 } };
  phase('sort');

  const corpus = buildCorpus(docs.map((d) => d.fingerprint), o.storyTerms);
  const published = Float64Array.from(docs, (d) => time(d.publishedAt) ?? NaN);
  const weights = { cosine: o.weightCosine, entities: o.weightEntities, title: o.weightTitle };
  const scorer = new PairScorer(corpus, Array.from(published, (t) => (t === t ? t : null)), o.dateWindowDays, weights);
  phase('corpus');
  const cands = candidatePairs(corpus, o);
  phase('candidates');
  const batch = new BatchScorer(scorer, corpus);
  const check = new CopyCheck(scorer, o);
  const { copyEdges, storyEdges } = verifyCandidates(cands, batch, check, o);
  phase('verify');
  const rank = indexRank(docs, published);
  const copies = groupCopies(n, copyEdges, check, rank);
  phase('copies');
  const graph = unitGraph(storyEdges, copies, batch);
  phase('unit graph');
  const linked = averageLinkage(graph, o);
  phase('linkage');
  const stories = storyRecords({ docs, copies, graph, linked, scorer, check, rank });
  phase('stories');
  return { stories, stats: { articles: n, candidates: cands.length, copyEdges: copyEdges.length, storyEdges: storyEdges.n } };
}

/** Reports each phase's time since the previous one's end (a no-op without a listener). */
function phaseClock(onPhase: ClusterRun['onPhase']): (name: ClusterPhase) => void {
  if (!onPhase) return () => {};
  let start = performance.now();
  return (name) => {
    const now = performance.now();
    onPhase(name, now - start);
    start = now;
  };
}
