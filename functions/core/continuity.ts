// Story identity across editions: which story of the previous edition each of today's continues (and so whose
// id it keeps), and what changed since. Pure, and a function of the two sets of stories only: the same stories
// in any order give the same ids and statuses.
import { createHash } from 'node:crypto';

export type StoryStatus = 'new' | 'developing' | 'unchanged';

/** A story of the previous edition, as its digest.json holds it. */
export interface PriorStory {
  id: string;
  headline: string;
  outlets: readonly string[];
  /** Every article id, copies included. */
  articles: readonly string[];
  firstSeen: string;
  lastUpdated: string;
}

export interface PriorEdition {
  /** Its day (YYYY-MM-DD). */
  edition: string;
  stories: readonly PriorStory[];
}

/** A story of today's clustering. */
export interface CurrentStory {
  /** Every article (copies included) and the outlet it names. */
  articles: ReadonlyArray<{ id: string; outlet: string | null }>;
  /** The earliest article's id (see originOf in edition.ts): names a story that continues none. */
  origin: string;
  headline: string;
  /** Outlets credited, in the story's order. */
  outlets: readonly string[];
}

export interface StoryChanges {
  /** The edition compared against. */
  since: string;
  /** Articles in no story of that edition. */
  articlesAdded: string[];
  /** Outlets of the added articles that the story did not credit before. */
  outletsAdded: string[];
  /** The headline the story had, when it changed. */
  headlineBefore: string | null;
}

export interface StoryContinuity {
  id: string;
  status: StoryStatus;
  /** Day of the first edition that carried the story. */
  firstSeen: string;
  /** Day of the last edition in which it was new or developing. */
  lastUpdated: string;
  /** Set when developing. */
  changes: StoryChanges | null;
  /** Previous stories merged into this one (it kept the oldest's id). */
  mergedFrom: string[];
  /** The previous story this one split from, when that story's id went to a larger part. */
  splitFrom: string | null;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A story id from a seed: "s_" and 16 hex digits, like the ids clustering gives. */
export function storyIdOf(seed: string): string {
  return `s_${createHash('sha256').update(`newsdigest.story:${seed}`).digest('hex').slice(0, 16)}`;
}

/**
 * Today's stories against the previous edition (null: none, every story is new), one result per story in
 * input order.
 *
 * Identity: a previous story's id goes to today's story holding most of its articles (ties: the larger
 * story, then the smaller origin): a story that splits leaves its id with the larger part. A story that
 * receives several ids (a merge) keeps the oldest (first seen earliest, then most shared articles, then the
 * smaller id) and records the others in `mergedFrom`. A story that receives none is named after its earliest
 * article, salted if that id is taken by a previous story or another of today's.
 */
export function continueStories(day: string, today: readonly CurrentStory[], previous: PriorEdition | null): StoryContinuity[] {
  const prior = previous?.stories ?? [];
  const priorOf = new Map<string, number>();
  prior.forEach((p, i) => p.articles.forEach((a) => priorOf.set(a, i)));
  const overlaps = today.map((t) => {
    const counts = new Map<number, number>();
    for (const { id } of t.articles) {
      const p = priorOf.get(id);
      if (p !== undefined) counts.set(p, (counts.get(p) ?? 0) + 1);
    }
    return counts;
  });
  const context: Context = { prior, priorOf, heirs: heirsOf(today, prior.length, overlaps), day, since: previous?.edition ?? null };
  const results = today.map((t, i) => continuityOf(t, i, overlaps[i]!, context));
  // Fresh ids last, in origin order, so each sees every id already given.
  const taken = new Set([...prior.map((p) => p.id), ...results.filter((r) => r.id !== '').map((r) => r.id)]);
  const fresh = today.map((t, i) => ({ origin: t.origin, i })).filter(({ i }) => results[i]!.id === '');
  for (const { origin, i } of fresh.sort((a, b) => cmp(a.origin, b.origin))) {
    let id = storyIdOf(origin);
    for (let k = 1; taken.has(id); k++) id = storyIdOf(`${origin}#${k}`);
    taken.add(id);
    results[i]!.id = id;
  }
  return results;
}

/** For each previous story, the index of today's story that takes its id (-1: none holds any of its articles). */
function heirsOf(today: readonly CurrentStory[], priorCount: number, overlaps: ReadonlyArray<Map<number, number>>): number[] {
  const heirs = Array.from({ length: priorCount }, () => -1);
  const best = Array.from({ length: priorCount }, () => 0);
  overlaps.forEach((counts, t) => {
    for (const [p, n] of counts) {
      const h = heirs[p]!;
      const better =
        h < 0 ||
        n > best[p]! ||
        (n === best[p]! && (today[t]!.articles.length > today[h]!.articles.length ||
          (today[t]!.articles.length === today[h]!.articles.length && cmp(today[t]!.origin, today[h]!.origin) < 0)));
      if (better) {
        heirs[p] = t;
        best[p] = n;
      }
    }
  });
  return heirs;
}

interface Context {
  prior: readonly PriorStory[];
  /** Previous story index by article id. */
  priorOf: ReadonlyMap<string, number>;
  /** Index of today's story that takes each previous story's id (see heirsOf). */
  heirs: readonly number[];
  day: string;
  since: string | null;
}

/**
 * Today's story `index` (its articles per previous story in `overlap`); its id is left empty when it continues
 * no previous story (named afterwards).
 */
function continuityOf(t: CurrentStory, index: number, overlap: ReadonlyMap<number, number>, context: Context): StoryContinuity {
  const { prior, priorOf, heirs, day, since } = context;
  const claimed = [...overlap.keys()].filter((p) => heirs[p] === index);
  const byAge = (a: number, b: number) => cmp(prior[a]!.firstSeen, prior[b]!.firstSeen) || overlap.get(b)! - overlap.get(a)! || cmp(prior[a]!.id, prior[b]!.id);
  const kept = claimed.sort(byAge)[0];
  // A part that split off: compared with the story it came from, under a new id.
  const source = kept ?? [...overlap.keys()].sort((a, b) => overlap.get(b)! - overlap.get(a)! || cmp(prior[a]!.id, prior[b]!.id))[0];
  if (source === undefined || since === null) {
    return { id: '', status: 'new', firstSeen: day, lastUpdated: day, changes: null, mergedFrom: [], splitFrom: null };
  }
  const before = prior[source]!;
  const predecessors = kept === undefined ? [source] : claimed;
  const credited = new Set(predecessors.flatMap((p) => prior[p]!.outlets));
  const added = t.articles.filter((a) => !priorOf.has(a.id));
  const addedOutlets = new Set(added.map((a) => a.outlet).filter((o): o is string => o !== null && !credited.has(o)));
  const headlineBefore = kept !== undefined && t.headline !== before.headline ? before.headline : null;
  const developing = added.length > 0 || headlineBefore !== null;
  return {
    id: kept === undefined ? '' : before.id,
    status: developing ? 'developing' : 'unchanged',
    firstSeen: before.firstSeen,
    lastUpdated: developing ? day : before.lastUpdated,
    changes: developing
      ? { since, articlesAdded: added.map((a) => a.id), outletsAdded: t.outlets.filter((o) => addedOutlets.has(o)), headlineBefore }
      : null,
    mergedFrom: claimed.slice(1).map((p) => prior[p]!.id).sort(cmp),
    splitFrom: kept === undefined ? before.id : null,
  };
}
