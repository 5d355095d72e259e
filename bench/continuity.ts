// The continuity step's cost on a large edition, next to the rebuild it is part of.
//
//   node --expose-gc --import tsx bench/continuity.ts [--n 100000] [--seed 1] [--new 0.1]
//
// The scale corpus (bench/corpus.ts) as stored records: yesterday's edition is built from all but a random
// tenth of them (`--new`), today's from all. Timed: today's rebuild without a previous edition; the continuity
// step alone (reading yesterday's digest.json as the digest does, then matching today's stories to its
// stories; a warm instance skips the reading after the day's first rebuild); and today's rebuild with the
// previous edition, which includes the matching.
import { buildEdition, priorEditionOf, type Edition } from '../functions/core/edition.ts';
import { continueStories, type CurrentStory } from '../functions/core/continuity.ts';
import type { ArticleRecord } from '../functions/core/schema.ts';
import { StoredEditionSchema } from '../functions/core/stored-edition.ts';
import { defaultSource, loadOrGenerate, mulberry32, type CorpusArticle } from './corpus.ts';

const args = process.argv.slice(2);
const get = (k: string, d: string): string => {
  const i = args.indexOf(k);
  return i >= 0 ? args[i + 1]! : d;
};
const n = Number(get('--n', '100000'));
const seed = Number(get('--seed', '1'));
const share = Number(get('--new', '0.1'));

/** A corpus article as the digest reads it from a source record. */
function recordOf(a: CorpusArticle, i: number): ArticleRecord {
  return {
    schema: 'newsdigest.article/1',
    id: a.id,
    title: a.title,
    text: a.text || a.title,
    publisher: a.publisher,
    author: null,
    publishedAt: a.publishedAt,
    url: null,
    language: 'en',
    format: 'text',
    words: a.words,
    source: { key: `inbox/${i}.txt`, index: 0, receivedAt: a.receivedAt },
    fingerprint: a.fingerprint,
  };
}

/** Today's stories as the continuity step sees them (what buildEdition hands it), rebuilt from the edition. */
function currentStories(edition: Edition, byId: Map<string, ArticleRecord>): CurrentStory[] {
  return edition.stories.map((s) => {
    const members = s.entries.flatMap((e) => [e.id, ...e.copies.map((c) => c.articleId)]).map((id) => byId.get(id)!);
    const origin = members.reduce((x, y) => {
      const kx = [x.source.receivedAt, x.publishedAt ?? '~', x.id].join('\u0000');
      const ky = [y.source.receivedAt, y.publishedAt ?? '~', y.id].join('\u0000');
      return ky < kx ? y : x;
    }).id;
    return { articles: members.map((r) => ({ id: r.id, outlet: r.publisher })), origin, headline: s.headline, outlets: s.outlets };
  });
}

function timed<T>(fn: () => T): { ms: number; value: T } {
  (globalThis as { gc?: () => void }).gc?.();
  const t = performance.now();
  const value = fn();
  return { ms: performance.now() - t, value };
}

const corpus = await loadOrGenerate(n, seed, defaultSource);
const records = corpus.slice(0, n).map(recordOf);
const rnd = mulberry32(seed + 17);
const yesterdays = records.filter(() => rnd() >= share);
const window = { from: new Date('2024-01-01T00:00:00Z'), to: new Date('2026-01-01T00:00:00Z') };
const options = (edition: string) => ({ edition, title: 'News digest', window });
const { loadavg, cpus } = await import('node:os');
console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} cores`);

const before = timed(() => buildEdition(yesterdays, options('2025-12-30')));
const stored = `${JSON.stringify(before.value, null, 2)}\n`;
console.log(`yesterday: ${yesterdays.length} articles, ${before.value.counts.stories} stories, built in ${(before.ms / 1000).toFixed(2)} s; digest.json ${(stored.length / 2 ** 20).toFixed(1)} MB`);

const rebuild = timed(() => buildEdition(records, options('2025-12-31')));
const read = timed(() => StoredEditionSchema.parse(JSON.parse(stored)));
const byId = new Map(records.map((r) => [r.id, r]));
const current = currentStories(rebuild.value, byId);
const match = timed(() => continueStories('2025-12-31', current, priorEditionOf(read.value)));
const withPrevious = timed(() => buildEdition(records, { ...options('2025-12-31'), previous: read.value }));

const step = read.ms + match.ms;
const c = withPrevious.value.counts;
console.log(`today: ${records.length} articles, ${c.stories} stories: ${c.new} new, ${c.developing} developing, ${c.unchanged} unchanged`);
console.log(`rebuild without a previous edition (cluster, rank, summaries): ${(rebuild.ms / 1000).toFixed(2)} s`);
console.log(
  `continuity step, the day's first rebuild: read the previous digest.json ${(read.ms / 1000).toFixed(2)} s + match the stories ${(match.ms / 1000).toFixed(2)} s = ` +
    `${(step / 1000).toFixed(2)} s, ${((step / rebuild.ms) * 100).toFixed(1)}% of the rebuild (goal ≤ 10%)`,
);
console.log(`continuity step, a warm instance's later rebuilds (the previous edition kept, DigestState.previous): ${(match.ms / 1000).toFixed(2)} s, ${((match.ms / rebuild.ms) * 100).toFixed(1)}%`);
console.log(`rebuild with the previous edition (the step's matching included): ${(withPrevious.ms / 1000).toFixed(2)} s`);
// The step timed alone is the one the rebuild ran: the same ids.
const ids = new Set(match.value.map((m) => m.id));
if (ids.size !== c.stories || !withPrevious.value.stories.every((s) => ids.has(s.id))) {
  throw new Error('the rebuild with the previous edition gave ids the step alone did not');
}
