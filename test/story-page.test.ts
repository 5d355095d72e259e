// Story pages' timelines (pure): merges point the merged-away story to the survivor, splits link both ways, a
// rebuild of a day replaces its entry, and the HTML escapes what comes from articles.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStoryRenderer } from '../functions/core/render-story.ts';
import { changedStories, nextStoryPage, storyPageJsonSchema, type StoryPage } from '../functions/core/story-page.ts';
import { loadTemplates } from '../functions/templates.ts';
import { editionOf, type FixtureStory } from './edition-fixture.ts';

function story(id: string, articles: string[], extra: Partial<FixtureStory> = {}): FixtureStory {
  return {
    id,
    headline: `Headline of ${id} <script>alert(1)</script>`,
    summary: 'A summary. Two sentences.',
    language: 'en',
    publishedAt: null,
    outlets: articles.map((a) => `Outlet ${a}`),
    articleCount: articles.length,
    entries: articles.map((a) => ({ id: a, title: `Title ${a}`, publisher: `Outlet ${a}`, author: null, url: `https://example.com/${a}`, publishedAt: null, language: 'en', words: 10, copies: [] })),
    ...extra,
  };
}

const facts = new Map([
  ['a_1', { title: 'Title a_1', receivedAt: '2026-11-21T08:00:00Z' }],
  ['a_2', { title: 'Title a_2', receivedAt: '2026-11-22T08:00:00Z' }],
  ['a_3', { title: 'Title a_3', receivedAt: '2026-11-22T09:00:00Z' }],
]);

describe('story timelines', () => {
  const day1 = editionOf([story('s_a', ['a_1']), story('s_b', ['a_2'])], { edition: '2026-11-21' });
  const day2 = editionOf(
    [
      story('s_a', ['a_1', 'a_2', 'a_3'], {
        status: 'developing',
        firstSeen: '2026-11-21',
        changes: { since: '2026-11-21', articlesAdded: ['a_3'], outletsAdded: ['Outlet a_3'], headlineBefore: 'Old headline' },
        mergedFrom: ['s_b'],
      }),
    ],
    { edition: '2026-11-22', previous: '2026-11-21' },
  );

  function publish(pages: Map<string, StoryPage>, edition: typeof day1): void {
    for (const change of changedStories(edition)) pages.set(change.id, nextStoryPage(edition, change, pages.get(change.id) ?? null, facts));
  }

  it('records the merge on both pages, and a rebuild of the day replaces its entry', () => {
    const pages = new Map<string, StoryPage>();
    publish(pages, day1);
    publish(pages, day2);
    const once = JSON.stringify([...pages]);
    publish(pages, day2);
    expect(JSON.stringify([...pages])).toBe(once);
    const a = pages.get('s_a')!;
    expect(a.timeline.map((e) => e.edition)).toEqual(['2026-11-21', '2026-11-22']);
    expect(a.timeline[1]).toMatchObject({ status: 'developing', mergedFrom: ['s_b'], headlineBefore: 'Old headline', arrived: [{ id: 'a_3', receivedAt: '2026-11-22T09:00:00Z' }] });
    expect(pages.get('s_b')).toMatchObject({ mergedInto: 's_a', timeline: [{ status: 'new' }, { status: 'merged', mergedInto: 's_a' }] });
  });

  it('links a split part and the story it split from', () => {
    const day2split = editionOf(
      [story('s_a', ['a_1'], { status: 'unchanged', firstSeen: '2026-11-21' }), story('s_c', ['a_2'], { status: 'unchanged', splitFrom: 's_a', firstSeen: '2026-11-21' })],
      { edition: '2026-11-22', previous: '2026-11-21' },
    );
    const changes = changedStories(day2split);
    expect(changes.map((c) => [c.id, c.splitInto])).toEqual([['s_a', ['s_c']], ['s_c', []]]);
    const c = nextStoryPage(day2split, changes[1]!, null, facts);
    expect(c.timeline[0]).toMatchObject({ splitFrom: 's_a', arrived: [{ id: 'a_2' }] });
  });

  it('renders a page that links the other stories and the editions, with article text escaped', () => {
    const pages = new Map<string, StoryPage>();
    publish(pages, day1);
    publish(pages, day2);
    const html = createStoryRenderer(loadTemplates())!(pages.get('s_b')!);
    expect(html).toContain('href="../s_a/index.html"');
    expect(html).toContain('href="../../2026-11-21/index.html#s_b"');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\/(?!example\.com)/);
    const withCopy = editionOf([story('s_d', ['a_1'], { entries: [{ ...story('s_d', ['a_1']).entries[0]!, copies: [{ articleId: 'a_2', publisher: 'Copier', url: null }] }] })], { edition: '2026-11-21' });
    const copyPage = createStoryRenderer(loadTemplates())!(nextStoryPage(withCopy, changedStories(withCopy)[0]!, null, facts));
    expect(copyPage).toContain('syndicated copy, collapsed into Outlet a_1: Title a_1');
  });
});

describe('the story page JSON Schema', () => {
  it('is committed up to date in docs/story.schema.json (UPDATE_SCHEMA=1 rewrites it)', () => {
    const file = path.resolve(import.meta.dirname, '..', 'docs', 'story.schema.json');
    const current = `${JSON.stringify(storyPageJsonSchema(), null, 2)}\n`;
    if (process.env.UPDATE_SCHEMA) writeFileSync(file, current);
    expect(readFileSync(file, 'utf8'), 'docs/story.schema.json is stale: run UPDATE_SCHEMA=1 npx vitest run test/story-page.test.ts').toBe(current);
  });
});
