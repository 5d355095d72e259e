// Hand-made editions for render, email and delivery tests (and the render bench): the envelope and the
// counts are derived from the stories, so each test writes only the stories it cares about.
import { EditionSchema, type Edition, type EditionStory } from '../functions/core/edition.ts';

export function editionOf(stories: EditionStory[], overrides: Partial<Omit<Edition, 'stories'>> = {}): Edition {
  const articles = stories.reduce((n, s) => n + s.articleCount, 0);
  const entries = stories.reduce((n, s) => n + s.entries.length, 0);
  return EditionSchema.parse({
    schema: 'newsdigest.edition/1',
    edition: '2026-11-22',
    title: 'News digest',
    updatedAt: '2026-11-22T06:00:00.000Z',
    window: { from: '2026-11-21T00:00:00.000Z', to: '2026-11-23T00:00:00.000Z' },
    language: 'en',
    counts: {
      articles,
      stories: stories.length,
      entries,
      copiesCollapsed: articles - entries,
      outlets: new Set(stories.flatMap((s) => s.outlets)).size,
    },
    ...overrides,
    stories,
  });
}
