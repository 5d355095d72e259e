// A synthetic edition for the benchmarks: headlines and summaries from a small news vocabulary, 1–5 outlets
// per story out of 40, some syndicated copies, one story in 17 in French.
import type { Edition } from '../functions/core/edition.ts';
import { editionOf } from '../test/edition-fixture.ts';

export function words(n: number, seed: number): string {
  const vocab = ['minister', 'talks', 'ceasefire', 'market', 'court', 'election', 'storm', 'rates', 'report', 'city', 'council', 'energy', 'budget', 'trade', 'health', 'police', 'river', 'school'];
  return Array.from({ length: n }, (_, i) => vocab[(seed * 7 + i * 13) % vocab.length]).join(' ');
}

/** A realistic edition: headlines, 2–3 sentence summaries, 1–5 outlets per story, some syndicated copies. */
export function syntheticEdition(stories: number): Edition {
  const list = Array.from({ length: stories }, (_, i) => {
    const outlets = 1 + (i % 5);
    const entries = Array.from({ length: outlets }, (_, j) => ({
      id: `a_${i}_${j}`,
      title: `${words(9, i + j)} (${i}.${j})`,
      publisher: `Outlet ${(i + j) % 40}`,
      author: j % 2 ? `Reporter ${j}` : null,
      url: `https://outlet${(i + j) % 40}.example/news/2026/11/22/${words(5, i).replace(/ /g, '-')}-${i}-${j}`,
      publishedAt: `2026-11-22T${String(j + 4).padStart(2, '0')}:15:00.000Z`,
      language: i % 17 === 0 ? 'fr' : 'en',
      words: 400 + j,
      copies: j === 0 && i % 3 === 0 ? [{ articleId: `a_${i}_c`, publisher: 'MENAFN', url: `https://menafn.example/${i}` }] : [],
    }));
    return {
      id: `s_${String(i).padStart(16, '0')}`,
      headline: `${words(10, i)} ${i}`,
      summary: `${words(24, i)}. ${words(20, i + 1)}. ${words(18, i + 2)}.`,
      language: i % 17 === 0 ? 'fr' : 'en',
      publishedAt: '2026-11-22T04:15:00.000Z',
      outlets: [...new Set(entries.flatMap((e) => [e.publisher, ...e.copies.map((c) => c.publisher)]))],
      entries,
      articleCount: entries.length + entries.reduce((n, e) => n + e.copies.length, 0),
    };
  });
  return editionOf(list);
}
