// A subscriber's preferences on a clustered edition: topics (whole words, case and accents folded), muted
// outlets (credits updated, a story only they covered dropped), languages, full or only what is new.
import { describe, expect, it } from 'vitest';
import { applyPreferences, preferencesKey } from '../functions/core/preferences.ts';
import { DEFAULT_PREFERENCES, type Preferences } from '../functions/core/subscriber.ts';
import { editionOf, type FixtureStory } from './edition-fixture.ts';

function story(id: string, headline: string, outlets: Array<[string, string[]]>, extra: Partial<FixtureStory> = {}): FixtureStory {
  const entries = outlets.map(([publisher, copies], i) => ({
    id: `${id}_a${i}`,
    title: `${headline}, report ${i}`,
    publisher,
    author: 'Someone',
    url: `https://${i}.example/${id}`,
    publishedAt: null,
    language: 'en',
    words: 100,
    copies: copies.map((c, j) => ({ articleId: `${id}_a${i}_c${j}`, publisher: c, url: `https://copy.example/${id}/${j}` })),
  }));
  return {
    id,
    headline,
    summary: 'Officials said more later. Nothing else.',
    language: 'en',
    publishedAt: null,
    outlets: [...new Set(outlets.flatMap(([o, c]) => [o, ...c]))],
    articleCount: entries.reduce((n, e) => n + 1 + e.copies.length, 0),
    entries,
    ...extra,
  };
}

const EDITION = editionOf([
  story('s1', 'Café owners protest São Paulo tax', [['Daily Planet', []], ['Le Monde', ['Wire']]]),
  story('s2', 'Election results delayed', [['Daily Planet', []]]),
  story('s3', 'Elections in Spain: a recount', [['El País', []]], { language: 'es' }),
  story('s4', 'Taxing times for farmers', [['Daily Planet', ['Wire']]], { status: 'unchanged' }),
]);
const prefs = (p: Partial<Preferences>): Preferences => ({ ...DEFAULT_PREFERENCES, ...p });
const ids = (p: Partial<Preferences>) => applyPreferences(EDITION, prefs(p)).stories.map((s) => s.id);

describe('preferences on an edition', () => {
  it('default preferences leave the edition itself', () => {
    expect(applyPreferences(EDITION, DEFAULT_PREFERENCES)).toBe(EDITION);
  });

  it('topics match whole words and phrases, folding case and accents, on headline, summary and titles', () => {
    expect(ids({ topics: { include: ['CAFE'], exclude: [] } })).toEqual(['s1']);
    expect(ids({ topics: { include: ['sao paulo'], exclude: [] } })).toEqual(['s1']);
    // whole words: "tax" is not "taxing", "election" is not "elections"
    expect(ids({ topics: { include: ['tax'], exclude: [] } })).toEqual(['s1']);
    expect(ids({ topics: { include: ['election'], exclude: [] } })).toEqual(['s2']);
    expect(ids({ topics: { include: ['officials said'], exclude: ['results'] } })).toEqual(['s1', 's3', 's4']);
    expect(ids({ topics: { include: ['said officials'], exclude: [] } })).toEqual([]);
  });

  it('a muted outlet loses its entries and credits; a story only it covered is dropped', () => {
    const e = applyPreferences(EDITION, prefs({ mutedOutlets: ['daily planet'] }));
    expect(e.stories.map((s) => s.id)).toEqual(['s1', 's3', 's4']);
    const s1 = e.stories[0]!;
    expect(s1.outlets).toEqual(['Le Monde', 'Wire']);
    expect(s1.entries.map((x) => x.publisher)).toEqual(['Le Monde']);
    expect(s1.articleCount).toBe(2);
    // its own outlet muted, its syndicated copy not: kept under the copy
    const s4 = e.stories[2]!;
    expect(s4.outlets).toEqual(['Wire']);
    expect(s4.entries).toMatchObject([{ id: 's4_a0_c0', publisher: 'Wire', copies: [] }]);
    expect(e.counts).toMatchObject({ stories: 3, articles: 4, entries: 3, outlets: 3 });
    expect(JSON.stringify(e)).not.toContain('Daily Planet');
  });

  it('languages keep the stories in them; content "new" drops the unchanged ones', () => {
    expect(ids({ languages: ['es'] })).toEqual(['s3']);
    expect(ids({ content: 'new' })).toEqual(['s1', 's2', 's3']);
    expect(applyPreferences(EDITION, prefs({ content: 'new' })).counts).toMatchObject({ unchanged: 0, new: 3 });
  });

  it('the canonical key ignores order, case, accents, duplicates and cadence', () => {
    const a = prefs({ topics: { include: ['Café', 'tax'], exclude: [] }, mutedOutlets: ['Wire', 'Le Monde'], cadence: { kind: 'weekly', day: 'monday' } });
    const b = prefs({ topics: { include: ['TAX', 'cafe', 'tax'], exclude: [] }, mutedOutlets: ['le monde', 'WIRE'] });
    expect(preferencesKey(a)).toBe(preferencesKey(b));
    expect(preferencesKey(a)).not.toBe(preferencesKey(prefs({ topics: { include: ['tax'], exclude: [] } })));
    expect(preferencesKey(a)).not.toBe(preferencesKey({ ...b, content: 'new' }));
  });
});
