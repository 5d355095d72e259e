// An edition as one reader sees it: its stories marked new, developing or unchanged against the edition that
// reader last received (a baseline), not only against the edition before. Story ids carry across editions, so
// the continuity step (continuity.ts) matches today's stories to the baseline's by their articles. Pure.
import { continueStories, type CurrentStory } from './continuity.ts';
import { EditionSchema, priorEditionOf, type Edition, type EditionStory } from './edition.ts';

/**
 * The story's id as one more shared member: a story that kept its id since the baseline continues it, even when
 * every article the baseline held has left the window.
 */
const idMember = (id: string) => `story:${id}`;

/** A stored story as the continuity step compares it (its id stands in for its origin: ids are not reassigned here). */
function currentOf(story: EditionStory): CurrentStory {
  return {
    articles: [
      { id: idMember(story.id), outlet: null },
      ...story.entries.flatMap((e) => [{ id: e.id, outlet: e.publisher }, ...e.copies.map((c) => ({ id: c.articleId, outlet: c.publisher }))]),
    ],
    origin: story.id,
    headline: story.headline,
    outlets: story.outlets,
  };
}

/**
 * `edition` marked against `baseline` (null: the reader has received nothing, every story is new). The stories
 * keep their ids, order and content; only status, changes and the counts follow the baseline, and `previous`
 * names it. Against the edition's own previous edition, the result equals the edition.
 */
export function editionSince(edition: Edition, baseline: Edition | null): Edition {
  if ((baseline?.edition ?? null) === edition.previous) return edition;
  const prior = baseline && priorEditionOf(baseline);
  const withIds = prior && { ...prior, stories: prior.stories.map((p) => ({ ...p, articles: [idMember(p.id), ...p.articles] })) };
  const marks = continueStories(edition.edition, edition.stories.map(currentOf), withIds);
  const stories = edition.stories.map((s, i) => ({ ...s, status: marks[i]!.status, changes: marks[i]!.changes }));
  const count = (st: EditionStory['status']) => stories.filter((s) => s.status === st).length;
  return EditionSchema.parse({
    ...edition,
    previous: baseline?.edition ?? null,
    counts: { ...edition.counts, new: count('new'), developing: count('developing'), unchanged: count('unchanged') },
    stories,
  });
}
