// Story identity across editions, on hand-made stories: growth, merges, splits, fresh ids, statuses, and the
// same answers whatever order the stories and their articles come in.
import { describe, expect, it } from 'vitest';
import { continueStories, storyIdOf, type CurrentStory, type PriorEdition, type PriorStory } from '../functions/core/continuity.ts';
import { StoredEditionSchema } from '../functions/core/stored-edition.ts';
import { editionOf } from './edition-fixture.ts';
import { shuffle } from './shuffle.ts';

/** Today's story from article ids ("a1:Outlet" names the outlet); its origin is the first id. */
function story(headline: string, ...articles: string[]): CurrentStory {
  const parsed = articles.map((a) => {
    const [id, outlet] = a.split(':');
    return { id: id!, outlet: outlet ?? null };
  });
  const outlets = [...new Set(parsed.map((a) => a.outlet).filter((o): o is string => o !== null))];
  return { articles: parsed, origin: parsed[0]!.id, headline, outlets };
}

function prior(id: string, headline: string, articles: string[], outlets: string[], firstSeen = '2025-04-23', lastUpdated = firstSeen): PriorStory {
  return { id, headline, articles, outlets, firstSeen, lastUpdated };
}

const DAY = '2025-04-24';
const edition = (...stories: PriorStory[]): PriorEdition => ({ edition: '2025-04-23', stories });


describe('story continuity', () => {
  it('names every story new after its earliest article when there is no previous edition', () => {
    const result = continueStories(DAY, [story('A', 'a1:X', 'a2:Y'), story('B', 'b1:Z')], null);
    expect(result).toEqual([
      { id: storyIdOf('a1'), status: 'new', firstSeen: DAY, lastUpdated: DAY, changes: null, mergedFrom: [], splitFrom: null },
      { id: storyIdOf('b1'), status: 'new', firstSeen: DAY, lastUpdated: DAY, changes: null, mergedFrom: [], splitFrom: null },
    ]);
    expect(result[0]!.id).toMatch(/^s_[0-9a-f]{16}$/);
  });

  it('keeps the id of a story that grows, and says what it gained', () => {
    const before = edition(prior('s_old', 'Envoy to meet Putin', ['a1', 'a2', 'a3'], ['MENAFN', 'TROIB News']));
    const [grown, other] = continueStories(DAY, [story('Envoy discussed ceasefire', 'a1:MENAFN', 'a2:TROIB News', 'a3', 'a4:VOCO Media', 'a5:RT', 'a6:MENAFN'), story('Quake', 'q1:Wire')], before);
    expect(grown).toEqual({
      id: 's_old',
      status: 'developing',
      firstSeen: '2025-04-23',
      lastUpdated: DAY,
      changes: { since: '2025-04-23', articlesAdded: ['a4', 'a5', 'a6'], outletsAdded: ['VOCO Media', 'RT'], headlineBefore: 'Envoy to meet Putin' },
      mergedFrom: [],
      splitFrom: null,
    });
    expect(other).toMatchObject({ id: storyIdOf('q1'), status: 'new', firstSeen: DAY, changes: null });
  });

  it('marks a story with the same articles and headline unchanged, whatever left the window', () => {
    const before = edition(prior('s_old', 'Envoy', ['a0', 'a1', 'a2'], ['X'], '2025-04-21', '2025-04-22'));
    const [same] = continueStories(DAY, [story('Envoy', 'a1:X', 'a2:X')], before);
    expect(same).toEqual({ id: 's_old', status: 'unchanged', firstSeen: '2025-04-21', lastUpdated: '2025-04-22', changes: null, mergedFrom: [], splitFrom: null });
  });

  it('calls a new headline alone developing', () => {
    const [s] = continueStories(DAY, [story('Envoy lands in Moscow', 'a1:X')], edition(prior('s_old', 'Envoy to fly', ['a1'], ['X'])));
    expect(s).toMatchObject({ id: 's_old', status: 'developing', changes: { articlesAdded: [], outletsAdded: [], headlineBefore: 'Envoy to fly' } });
  });

  it('keeps the older id when two stories merge, and records the other as merged into it', () => {
    const before = edition(
      prior('s_young', 'Talks in London', ['b1', 'b2', 'b3'], ['BBC'], '2025-04-23'),
      prior('s_older', 'Envoy to meet Putin', ['a1'], ['RT'], '2025-04-22'),
    );
    const [merged] = continueStories(DAY, [story('Envoy and London talks', 'b1:BBC', 'b2:BBC', 'b3:BBC', 'a1:RT', 'c1:Reuters')], before);
    expect(merged).toMatchObject({ id: 's_older', status: 'developing', firstSeen: '2025-04-22', mergedFrom: ['s_young'], splitFrom: null });
    expect(merged!.changes).toMatchObject({ articlesAdded: ['c1'], outletsAdded: ['Reuters'] });
  });

  it('leaves the id with the larger part of a split, and gives the other a fresh one that is not the old', () => {
    // The old id came from a1, which the smaller part keeps: its fresh id must not take the old one.
    const oldId = storyIdOf('a1');
    const before = edition(prior(oldId, 'Envoy', ['a1', 'a2', 'a3', 'a4', 'a5'], ['X', 'Y'], '2025-04-22'));
    const [small, large] = continueStories(DAY, [story('Envoy in London', 'a1:X', 'a2:X'), story('Envoy', 'a3:Y', 'a4:Y', 'a5:Y')], before);
    expect(large).toMatchObject({ id: oldId, status: 'unchanged', mergedFrom: [], splitFrom: null });
    expect(small).toMatchObject({ status: 'unchanged', firstSeen: '2025-04-22', splitFrom: oldId, changes: null });
    expect(small!.id).toMatch(/^s_[0-9a-f]{16}$/);
    expect(small!.id).not.toBe(oldId);
    expect(small!.id).toBe(storyIdOf('a1#1'));
  });

  it('calls a split-off part developing only when it gained articles', () => {
    const before = edition(prior('s_old', 'Envoy', ['a1', 'a2', 'a3'], ['X']));
    const [, part] = continueStories(DAY, [story('Envoy', 'a1:X', 'a2:X'), story('Side story', 'a3:X', 'n1:Z')], before);
    expect(part).toMatchObject({ status: 'developing', splitFrom: 's_old', changes: { articlesAdded: ['n1'], outletsAdded: ['Z'], headlineBefore: null } });
  });

  it('gives the same ids and statuses whatever order the stories and their articles come in', () => {
    const before = edition(
      prior('s_p1', 'One', ['a1', 'a2', 'a3', 'a4'], ['X'], '2025-04-22'),
      prior('s_p2', 'Two', ['b1', 'b2'], ['Y'], '2025-04-23'),
      prior('s_p3', 'Three', ['c1', 'c2'], ['Z'], '2025-04-22'),
    );
    const today = [
      story('One', 'a1:X', 'a2:X'),
      story('One more', 'a3:X', 'a4:X', 'b1:Y', 'n1:W'),
      story('Two', 'b2:Y', 'c1:Z', 'c2:Z'),
      story('Fresh', 'f1:V'),
    ];
    const byOrigin = (stories: CurrentStory[], prev: PriorEdition) => {
      const out = continueStories(DAY, stories, prev);
      return Object.fromEntries(stories.map((s, i) => [s.origin, out[i]]));
    };
    const expected = byOrigin(today, before);
    for (let seed = 1; seed <= 20; seed++) {
      const shuffled = shuffle(today, seed).map((s) => ({ ...s, articles: shuffle(s.articles, seed + 100), origin: s.origin }));
      expect(byOrigin(shuffled, { ...before, stories: shuffle(before.stories, seed + 200) })).toEqual(expected);
    }
    // Ties broken as documented: a1's and a3's parts hold two of s_p1's articles each, and s_p2's two articles
    // are one in a3's part and one in b2's: the larger part takes each id, and keeps the older of the two.
    expect(expected.a3).toMatchObject({ id: 's_p1', mergedFrom: ['s_p2'], firstSeen: '2025-04-22', status: 'developing' });
    expect(expected.a1).toMatchObject({ splitFrom: 's_p1', status: 'unchanged' });
    expect(expected.b2).toMatchObject({ id: 's_p3', mergedFrom: [], splitFrom: null });
    expect(expected.f1).toMatchObject({ id: storyIdOf('f1'), status: 'new' });
  });
});

describe('a stored edition', () => {
  it('reads a digest.json written before stories carried their continuity as one whose stories were all new', () => {
    const current = editionOf([
      { id: 's_1', headline: 'H', summary: 'S.', language: 'en', publishedAt: null, outlets: ['X'], articleCount: 1, entries: [{ id: 'a_1', title: 'T', publisher: 'X', author: null, url: null, publishedAt: null, language: 'en', words: 3, copies: [] }] },
    ]);
    const { previous: _p, counts, stories, ...rest } = current;
    const { new: _n, developing: _d, unchanged: _u, ...oldCounts } = counts;
    const old = {
      ...rest,
      schema: 'newsdigest.edition/1',
      counts: oldCounts,
      stories: stories.map(({ status: _s, firstSeen: _f, lastUpdated: _l, changes: _c, mergedFrom: _m, splitFrom: _sf, ...s }) => s),
    };
    expect(StoredEditionSchema.parse(JSON.parse(JSON.stringify(old)))).toEqual(current);
    expect(StoredEditionSchema.parse(JSON.parse(JSON.stringify(current)))).toEqual(current);
    expect(() => StoredEditionSchema.parse({ ...old, schema: 'newsdigest.edition/9' })).toThrow(/schema/);
  });
});
