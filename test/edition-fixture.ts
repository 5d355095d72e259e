// Hand-made editions for render, email and delivery tests (and the render bench): the envelope and the
// counts are derived from the stories, so each test writes only the stories it cares about. A story without
// continuity fields is new in this edition.
import { EditionSchema, type Edition, type EditionStory } from '../functions/core/edition.ts';

type ContinuityField = 'status' | 'firstSeen' | 'lastUpdated' | 'changes' | 'mergedFrom' | 'splitFrom';
export type FixtureStory = Omit<EditionStory, ContinuityField> & Partial<Pick<EditionStory, ContinuityField>>;

export function editionOf(stories: FixtureStory[], overrides: Partial<Omit<Edition, 'stories'>> = {}): Edition {
  const day = overrides.edition ?? '2026-11-22';
  const full = stories.map((s): EditionStory => ({ status: 'new', firstSeen: day, lastUpdated: day, changes: null, mergedFrom: [], splitFrom: null, ...s }));
  const articles = full.reduce((n, s) => n + s.articleCount, 0);
  const entries = full.reduce((n, s) => n + s.entries.length, 0);
  const status = (st: EditionStory['status']) => full.filter((s) => s.status === st).length;
  return EditionSchema.parse({
    schema: 'newsdigest.edition/2',
    edition: day,
    previous: null,
    title: 'News digest',
    updatedAt: '2026-11-22T06:00:00.000Z',
    window: { from: '2026-11-21T00:00:00.000Z', to: '2026-11-23T00:00:00.000Z' },
    language: 'en',
    counts: {
      articles,
      stories: full.length,
      entries,
      copiesCollapsed: articles - entries,
      outlets: new Set(full.flatMap((s) => s.outlets)).size,
      new: status('new'),
      developing: status('developing'),
      unchanged: status('unchanged'),
    },
    ...overrides,
    stories: full,
  });
}
