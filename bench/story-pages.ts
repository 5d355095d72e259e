// How the story pages scale: 30 daily editions of 10k new articles each (synthetic stories, a 48-hour window),
// each published to an in-memory store with publishStoryPages as the digest does. Printed per edition: the
// time the story-page step of the publish takes, the objects it reads and writes, and the pages in the store.
//
//   node --import tsx bench/story-pages.ts [--days 30] [--articles 10000] [--seed 1]
//
// Each day, 40% of the new articles join stories of the window (developing), the rest start stories of 1-5
// articles; one in ten articles is a syndicated copy; 1% of developing stories absorb another (a merge).
import type { Edition, EditionStory } from '../functions/core/edition.ts';
import type { ListedObject, ObjectStore, StoredObject } from '../functions/core/ports.ts';
import { createStoryRenderer } from '../functions/core/render-story.ts';
import type { ArticleRecord } from '../functions/core/schema.ts';
import { publishStoryPages } from '../functions/pipeline/story-pages.ts';
import { loadTemplates } from '../functions/templates.ts';
import { mulberry32 } from './corpus.ts';

const args = process.argv.slice(2);
const get = (k: string, d: string): string => {
  const i = args.indexOf(k);
  return i >= 0 ? args[i + 1]! : d;
};
const DAYS = Number(get('--days', '30'));
const PER_DAY = Number(get('--articles', '10000'));
const random = mulberry32(Number(get('--seed', '1')));

/** An in-memory ObjectStore counting requests. HTML pages are kept as their size only (nobody reads them back). */
class MemoryStore implements ObjectStore {
  readonly objects = new Map<string, Uint8Array>();
  readonly sizes = new Map<string, number>();
  gets = 0;
  puts = 0;
  bytesPut = 0;
  async get(key: string): Promise<StoredObject | null> {
    this.gets++;
    const body = this.objects.get(key);
    return body ? { body, etag: null, lastModified: null } : null;
  }
  async put(key: string, body: string | Uint8Array): Promise<void> {
    this.puts++;
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    this.bytesPut += bytes.length;
    this.sizes.set(key, bytes.length);
    if (key.endsWith('.json')) this.objects.set(key, bytes);
  }
  async putIfAbsent(key: string, body: string | Uint8Array, type: string): Promise<boolean> {
    if (this.sizes.has(key)) return false;
    await this.put(key, body);
    return type.length >= 0;
  }
  async delete(key: string): Promise<void> {
    this.objects.delete(key);
    this.sizes.delete(key);
  }
  async *list(prefix: string): AsyncIterable<ListedObject> {
    for (const [key, size] of [...this.sizes].sort()) if (key.startsWith(prefix)) yield { key, size, etag: null };
  }
}

interface SimArticle {
  id: string;
  day: number;
  publisher: string;
  copyOf: string | null;
}
interface SimStory {
  id: string;
  articles: SimArticle[];
  firstSeen: string;
  lastUpdated: string;
  headline: string;
}

const dayName = (d: number) => new Date(Date.UTC(2026, 0, 1 + d)).toISOString().slice(0, 10);
const hex = (n: number) => n.toString(16).padStart(16, '0');
let nextArticle = 0;
let nextStory = 0;
const newArticle = (day: number, copyOf: SimArticle | null): SimArticle => ({
  id: `a_${hex(++nextArticle)}`,
  day,
  publisher: `Outlet ${Math.floor(random() * 400)}`,
  copyOf: copyOf?.id ?? null,
});
/** The article joins a story: one in ten is a syndicated copy of one already there. */
const joining = (story: SimStory, day: number): SimArticle => {
  const heads = story.articles.filter((a) => a.copyOf === null);
  return newArticle(day, heads.length > 0 && random() < 0.1 ? heads[Math.floor(random() * heads.length)]! : null);
};

/** The edition's story as publishStoryPages reads it: its window articles, marked against yesterday. */
function editionStory(s: SimStory, day: number, mergedFrom: string[]): EditionStory {
  const inWindow = s.articles.filter((a) => a.day >= day - 1);
  const added = inWindow.filter((a) => a.day === day);
  const status = s.firstSeen === dayName(day) ? 'new' : added.length > 0 || mergedFrom.length > 0 ? 'developing' : 'unchanged';
  const entries = inWindow
    .filter((a) => a.copyOf === null)
    .map((a) => ({
      id: a.id,
      title: `Title of ${a.id}`,
      publisher: a.publisher,
      author: null,
      url: `https://example.com/${a.id}`,
      publishedAt: null,
      language: 'en',
      words: 400,
      copies: inWindow.filter((c) => c.copyOf === a.id).map((c) => ({ articleId: c.id, publisher: c.publisher, url: `https://example.com/${c.id}` })),
    }));
  const outlets = [...new Set(inWindow.map((a) => a.publisher))];
  return {
    id: s.id,
    headline: s.headline,
    summary: 'A summary. Two sentences.',
    language: 'en',
    publishedAt: null,
    outlets,
    entries,
    articleCount: inWindow.length,
    status,
    firstSeen: s.firstSeen,
    lastUpdated: s.lastUpdated,
    changes: status === 'developing' ? { since: dayName(day - 1), articlesAdded: added.map((a) => a.id), outletsAdded: [], headlineBefore: null } : null,
    mergedFrom,
    splitFrom: null,
  };
}

/** One day: new and developing stories, a few merges; the edition (stories with an article in the window) and its records. */
function simulateDay(stories: Map<string, SimStory>, day: number): { edition: Edition; records: ArticleRecord[] } {
  const name = dayName(day);
  const window = [...stories.values()].filter((s) => s.articles.some((a) => a.day >= day - 1));
  const merged = new Map<string, string[]>();
  const developing = Math.round((PER_DAY * 0.4) / 3);
  for (let i = 0; i < developing && window.length > 0; i++) {
    const s = window[Math.floor(random() * window.length)]!;
    for (let k = 0; k < 3; k++) s.articles.push(joining(s, day));
    s.lastUpdated = name;
    const other = window[Math.floor(random() * window.length)]!;
    if (random() < 0.01 && other !== s && stories.has(other.id) && !merged.has(other.id)) {
      s.articles.push(...other.articles);
      stories.delete(other.id);
      merged.set(s.id, [...(merged.get(s.id) ?? []), other.id]);
    }
  }
  for (let made = developing * 3; made < PER_DAY; ) {
    const s: SimStory = { id: `s_${hex(++nextStory)}`, articles: [], firstSeen: name, lastUpdated: name, headline: `Story ${nextStory}` };
    const size = 1 + Math.floor(random() * 5);
    for (let k = 0; k < size; k++, made++) s.articles.push(joining(s, day));
    stories.set(s.id, s);
  }
  const carried = [...stories.values()].filter((s) => s.articles.some((a) => a.day >= day - 1));
  const editionStories = carried.map((s) => editionStory(s, day, merged.get(s.id) ?? []));
  const records = carried.flatMap((s) => s.articles.filter((a) => a.day >= day - 1)).map((a) => ({ id: a.id, title: `Title of ${a.id}`, source: { receivedAt: `${dayName(a.day)}T08:00:00.000Z` } }));
  const edition = { edition: name, previous: day > 0 ? dayName(day - 1) : null, title: 'News digest', stories: editionStories } as unknown as Edition;
  return { edition, records: records as unknown as ArticleRecord[] };
}

const render = createStoryRenderer(loadTemplates());
if (!render) throw new Error('templates/story.html.hbs is missing');
const store = new MemoryStore();
const stories = new Map<string, SimStory>();
console.log('day         stories  changed  ms     GETs   PUTs   MB put  pages stored');
const rows: Array<{ ms: number; puts: number; stories: number }> = [];
let lastRun: { edition: Edition; records: ArticleRecord[] } | null = null;
for (let day = 0; day < DAYS; day++) {
  const { edition, records } = (lastRun = simulateDay(stories, day));
  const before = { gets: store.gets, puts: store.puts, bytes: store.bytesPut };
  const t = performance.now();
  await publishStoryPages({ store, render }, edition, records);
  const ms = performance.now() - t;
  const puts = store.puts - before.puts;
  const changed = edition.stories.filter((s) => s.status !== 'unchanged').length;
  rows.push({ ms, puts, stories: edition.stories.length });
  console.log(
    `${edition.edition}  ${String(edition.stories.length).padStart(7)}  ${String(changed).padStart(7)}  ${ms.toFixed(0).padStart(5)}  ${String(store.gets - before.gets).padStart(5)}  ${String(puts).padStart(5)}  ${((store.bytesPut - before.bytes) / 1e6).toFixed(1).padStart(6)}  ${String(store.sizes.size / 2).padStart(7)}`,
  );
}
// The same last edition published again (a rebuild with the same inputs).
const again = store.puts;
if (lastRun) await publishStoryPages({ store, render }, lastRun.edition, lastRun.records);
const republished = store.puts - again;
const tail = rows.slice(-10);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  `\nafter ${DAYS} editions of ${PER_DAY} articles: the story-page step of one publish takes ${median(tail.map((r) => r.ms)).toFixed(0)} ms (median of the last 10), ` +
    `writing ${median(tail.map((r) => r.puts))} objects (2 per changed story) for an edition of ${median(tail.map((r) => r.stories))} stories; the same edition published again writes ${republished}.`,
);
