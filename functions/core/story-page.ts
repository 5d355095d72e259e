// A page per story (digests/stories/<story id>/index.json and index.html): its timeline across editions, one
// entry per edition that changed it (articles arrived, each with its outlet and when it was received, copies
// collapsed, headline changes, merges and splits). Pure: an edition and the story's stored page → the new page;
// the same inputs give the same bytes, and a rebuild of a day replaces that day's entry instead of adding one.
import * as z from 'zod';
import type { Edition, EditionStory } from './edition.ts';

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
// Ids are key segments and relative links: only the shape continuity gives them. Text fields come from the
// validated edition, so they carry no length limit of their own (one would fail a publish on a long headline).
const StoryId = z.string().regex(/^s_[0-9a-z_]{1,64}$/);

const ArrivalSchema = z.object({
  id: z.string(),
  title: z.string(),
  publisher: z.string().nullable(),
  url: z.string().nullable(),
  /** When the article reached the bucket. */
  receivedAt: z.string().nullable(),
  /** The article this one is a syndicated copy of (collapsed into it), when it is one. */
  copyOf: z.string().nullable(),
});

const TimelineEntrySchema = z.object({
  edition: Day,
  /** `merged`: the story went into another one (mergedInto) in this edition. */
  status: z.enum(['new', 'developing', 'unchanged', 'merged']),
  headline: z.string(),
  headlineBefore: z.string().nullable(),
  /** Articles that joined the story in this edition (all of them on its first entry). */
  arrived: z.array(ArrivalSchema),
  outletsAdded: z.array(z.string()),
  mergedFrom: z.array(StoryId),
  mergedInto: StoryId.nullable(),
  splitFrom: StoryId.nullable(),
  /** Parts that split off this story in this edition, under their own ids. */
  splitInto: z.array(StoryId),
});
export type TimelineEntry = z.infer<typeof TimelineEntrySchema>;

export const StoryPageSchema = z.object({
  schema: z.literal('newsdigest.story/1'),
  id: StoryId,
  title: z.string(),
  headline: z.string(),
  firstSeen: Day,
  lastUpdated: Day,
  /** The story it was merged into: its page carries on there. */
  mergedInto: StoryId.nullable(),
  /** Oldest first. */
  timeline: z.array(TimelineEntrySchema),
});
export type StoryPage = z.infer<typeof StoryPageSchema>;

/** The story page's JSON Schema (draft 2020-12), committed as docs/story.schema.json for consumers of index.json. */
export function storyPageJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://newsdigest.invalid/schemas/story-1.json',
    title: 'newsdigest story page (digests/stories/<id>/index.json)',
    ...z.toJSONSchema(StoryPageSchema, { target: 'draft-2020-12' }),
  };
}

/** What the edition's JSON does not hold about an article: its title (copies) and when it arrived. */
export type ArticleFacts = ReadonlyMap<string, { title: string; receivedAt: string }>;

/** A story's change in one edition, before it meets the story's stored page. */
export interface StoryChange {
  id: string;
  /** The story as the edition has it; null for a story merged away (only its id and `mergedInto` matter). */
  story: EditionStory | null;
  mergedInto: string | null;
  splitInto: string[];
}

/**
 * The stories whose pages this edition changes: new, developing, merged or split ones, the stories they split
 * from, and the stories merged away (pointing to the one that kept its id). Unchanged stories are left alone.
 */
export function changedStories(edition: Edition): StoryChange[] {
  const splitInto = new Map<string, string[]>();
  for (const s of edition.stories) if (s.splitFrom) splitInto.set(s.splitFrom, [...(splitInto.get(s.splitFrom) ?? []), s.id].sort());
  const changes: StoryChange[] = [];
  for (const s of edition.stories) {
    const touched = s.status !== 'unchanged' || s.mergedFrom.length > 0 || s.splitFrom !== null || splitInto.has(s.id);
    if (touched) changes.push({ id: s.id, story: s, mergedInto: null, splitInto: splitInto.get(s.id) ?? [] });
  }
  const present = new Set(edition.stories.map((s) => s.id));
  for (const s of edition.stories) {
    for (const gone of s.mergedFrom) if (!present.has(gone)) changes.push({ id: gone, story: null, mergedInto: s.id, splitInto: [] });
  }
  return changes.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Every article of the story (copies included), as arrivals, in arrival order. */
function arrivalsOf(story: EditionStory, facts: ArticleFacts, only: ReadonlySet<string> | null): TimelineEntry['arrived'] {
  const all = story.entries.flatMap((e) => [
    { id: e.id, title: e.title, publisher: e.publisher, url: e.url, copyOf: null },
    ...e.copies.map((c) => ({ id: c.articleId, title: facts.get(c.articleId)?.title ?? e.title, publisher: c.publisher, url: c.url, copyOf: e.id })),
  ]);
  return all
    .filter((a) => !only || only.has(a.id))
    .map((a) => ({ ...a, receivedAt: facts.get(a.id)?.receivedAt ?? null }))
    .sort((a, b) => (a.receivedAt ?? '~').localeCompare(b.receivedAt ?? '~') || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The story's page after `edition`: `stored` (null: none yet) with this edition's entry put in place. */
export function nextStoryPage(edition: Edition, change: StoryChange, stored: StoryPage | null, facts: ArticleFacts): StoryPage {
  const day = edition.edition;
  const others = (stored?.timeline ?? []).filter((e) => e.edition !== day);
  const earlier = others.filter((e) => e.edition < day);
  const last = earlier.at(-1);
  const s = change.story;
  // The first entry on a page lists every article; later ones what this edition added.
  const added = s && earlier.length > 0 && s.changes ? new Set(s.changes.articlesAdded) : null;
  const entry: TimelineEntry = s
    ? {
        edition: day,
        status: s.status,
        headline: s.headline,
        headlineBefore: s.changes?.headlineBefore ?? null,
        arrived: s.status === 'unchanged' && earlier.length > 0 ? [] : arrivalsOf(s, facts, added),
        outletsAdded: s.changes?.outletsAdded ?? [],
        mergedFrom: s.mergedFrom,
        mergedInto: null,
        splitFrom: s.splitFrom,
        splitInto: change.splitInto,
      }
    : { edition: day, status: 'merged', headline: last?.headline ?? stored?.headline ?? change.id, headlineBefore: null, arrived: [], outletsAdded: [], mergedFrom: [], mergedInto: change.mergedInto, splitFrom: null, splitInto: [] };
  const timeline = [...others, entry].sort((a, b) => a.edition.localeCompare(b.edition));
  const latest = timeline.at(-1)!;
  return StoryPageSchema.parse({
    schema: 'newsdigest.story/1',
    id: change.id,
    title: edition.title,
    headline: latest.headline,
    firstSeen: s?.firstSeen ?? stored?.firstSeen ?? timeline[0]!.edition,
    lastUpdated: s?.lastUpdated ?? stored?.lastUpdated ?? day,
    mergedInto: latest.mergedInto,
    timeline,
  });
}
