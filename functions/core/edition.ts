// The edition: stories ranked for reading, each with its distinct articles and their collapsed copies.
import * as z from 'zod';
import { clusterArticles, type ClusterItem, type Story } from './cluster.ts';
import { continueStories, type CurrentStory, type PriorEdition } from './continuity.ts';
import { IsoDate, type ArticleRecord } from './schema.ts';

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

const OutletSchema = z
  .object({
    articleId: z.string(),
    publisher: z.string().nullable().describe('Outlet name as the article gives it; null when it names none.'),
    url: z.string().nullable().describe('Where the article was published, when known.'),
  })
  .describe('A syndicated copy collapsed into an entry.');

const EntrySchema = z.object({
  id: z.string(),
  title: z.string(),
  publisher: z.string().nullable(),
  author: z.string().nullable(),
  url: z.string().nullable(),
  publishedAt: IsoDate.nullable(),
  language: z.string().nullable(),
  words: z.number().int(),
  /** Syndicated copies of this article, collapsed into it. */
  copies: z.array(OutletSchema).describe('Syndicated copies of this article, collapsed into it ("also published by").'),
}).describe('One distinct article of a story.');

const EditionStorySchema = z.object({
  id: z.string(),
  headline: z.string(),
  summary: z.string().describe('Two or three whole sentences taken from the leading article.'),
  language: z.string().nullable(),
  publishedAt: IsoDate.nullable(),
  /** Distinct outlets credited (entries and their copies), in entry order. */
  outlets: z.array(z.string()).describe('Distinct outlets credited (entries and their copies), in entry order.'),
  entries: z.array(EntrySchema),
  /** Articles in the story, copies included. */
  articleCount: z.number().int(),
  status: z
    .enum(['new', 'developing', 'unchanged'])
    .describe('Against the previous edition: new (none of its articles were there), developing (articles added or a new headline), unchanged.'),
  firstSeen: Day.describe('Day of the first edition that carried the story.'),
  lastUpdated: Day.describe('Day of the last edition in which it was new or developing.'),
  changes: z
    .object({
      since: Day.describe('The edition compared against.'),
      articlesAdded: z.array(z.string()).describe('Articles (copies included) that were in no story of that edition.'),
      outletsAdded: z.array(z.string()).describe('Outlets of the added articles that the story did not credit before.'),
      headlineBefore: z.string().nullable().describe('The headline it had, when it changed.'),
    })
    .nullable()
    .describe('What changed, when developing; null otherwise.'),
  mergedFrom: z.array(z.string()).describe('Ids of previous stories merged into this one (it kept the oldest id).'),
  splitFrom: z.string().nullable().describe('The previous story this one split from, whose id went to a larger part.'),
});

export const EditionSchema = z.object({
  schema: z.literal('newsdigest.edition/2'),
  edition: Day.describe('The day the edition is named after, in the edition time zone.'),
  previous: Day.nullable().describe('The edition the story statuses compare against (the latest before this one); null: none, every story is new.'),
  title: z.string(),
  /** Latest arrival among the edition's articles: derived from the records, so rebuilds are byte-identical. */
  updatedAt: IsoDate.nullable(),
  window: z.object({ from: IsoDate, to: IsoDate }),
  language: z.string().nullable(),
  counts: z.object({
    articles: z.number().int(),
    stories: z.number().int(),
    entries: z.number().int(),
    copiesCollapsed: z.number().int(),
    outlets: z.number().int(),
    new: z.number().int(),
    developing: z.number().int(),
    unchanged: z.number().int(),
  }),
  stories: z.array(EditionStorySchema).describe('Ranked: most outlets first, then most recent.'),
});
export type Edition = z.infer<typeof EditionSchema>;

/** The edition's JSON Schema (draft 2020-12), committed as docs/edition.schema.json for consumers of digest.json. */
export function editionJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://newsdigest.invalid/schemas/edition-2.json',
    title: 'newsdigest edition (digest.json)',
    ...z.toJSONSchema(EditionSchema, { target: 'draft-2020-12' }),
  };
}
export type EditionStory = z.infer<typeof EditionStorySchema>;

export interface EditionOptions {
  edition: string;
  title: string;
  window: { from: Date; to: Date };
  /** The latest edition before this one: stories keep its ids while they continue, and are marked against it. */
  previous?: Edition | null;
}

/** The day an instant falls on in a time zone, as YYYY-MM-DD: the edition's name. */
export function editionDay(at: Date, timeZone = 'UTC'): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

function offsetMinutes(at: Date, timeZone: string): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(at)
    .find((p) => p.type === 'timeZoneName')?.value;
  const m = name?.match(/GMT([+-])(\d{2}):(\d{2})/);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

/**
 * The edition a moment belongs to: its day, and a window that ends at that day's end. Every rebuild
 * during the day uses the same window, so the same records always give a byte-identical edition.
 */
export function editionFor(at: Date, windowHours: number, timeZone = 'UTC'): { edition: string; window: { from: Date; to: Date } } {
  const edition = editionDay(at, timeZone);
  const [y, m, d] = edition.split('-').map(Number) as [number, number, number];
  const nextMidnightUtc = Date.UTC(y, m - 1, d + 1);
  const to = new Date(nextMidnightUtc - offsetMinutes(new Date(nextMidnightUtc), timeZone) * 60_000);
  return { edition, window: { from: new Date(to.getTime() - windowHours * 3_600_000), to } };
}

/** Records published or received inside the window. */
export function inWindow(records: ArticleRecord[], window: { from: Date; to: Date }): ArticleRecord[] {
  const from = window.from.getTime();
  const to = window.to.getTime();
  const inside = (iso: string | null) => iso !== null && Date.parse(iso) >= from && Date.parse(iso) < to;
  return records.filter((r) => inside(r.publishedAt) || inside(r.source.receivedAt));
}

const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/** The first whole sentences of the text, 2 or 3, within about 320 characters: never a cut sentence. */
export function summarize(text: string, maxChars = 320): string {
  const firstParagraphs = text.split(/\n\s*\n/).slice(0, 4).join(' ');
  const sentences = [...segmenter.segment(firstParagraphs)].map((s) => s.segment.trim()).filter(Boolean);
  const out: string[] = [];
  let length = 0;
  for (const s of sentences) {
    if (out.length >= 3) break;
    if (out.length >= 2 && length + s.length > maxChars) break;
    out.push(s);
    length += s.length + 1;
  }
  return out.join(' ');
}

function latest(r: ArticleRecord): string {
  return r.publishedAt && r.publishedAt > r.source.receivedAt ? r.publishedAt : r.source.receivedAt;
}

function mostCommon(values: Array<string | null>): string | null {
  const counts = new Map<string, number>();
  for (const v of values) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? null;
}

/** What the continuity step adds to a story (see continuity.ts). */
type ContinuityField = 'id' | 'status' | 'firstSeen' | 'lastUpdated' | 'changes' | 'mergedFrom' | 'splitFrom';

/** A story before the continuity step names it: its rank's time, and what the step compares. */
type DraftStory = Omit<EditionStory, ContinuityField> & { sortKey: string; current: CurrentStory };

/** The earliest article: first received, then first published (undated last), then smallest id. */
function originOf(members: ArticleRecord[]): string {
  const key = (r: ArticleRecord) => [r.source.receivedAt, r.publishedAt ?? '~', r.id] as const;
  const earliest = members.reduce((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    return kb[0] < ka[0] || (kb[0] === ka[0] && (kb[1] < ka[1] || (kb[1] === ka[1] && kb[2] < ka[2]))) ? b : a;
  });
  return earliest.id;
}

function storyToEdition(story: Story, byId: Map<string, ArticleRecord>): DraftStory {
  const get = (id: string) => {
    const r = byId.get(id);
    if (!r) throw new Error(`cluster returned unknown article ${id}`);
    return r;
  };
  const copyOf = new Map<string, string>();
  for (const g of story.copyGroups) for (const m of g.members) if (m !== g.canonical) copyOf.set(m, g.canonical);
  const heads = story.articles.filter((id) => !copyOf.has(id));
  // The story's canonical article leads; the rest by time, then id.
  heads.sort((a, b) => {
    if (a === story.canonical) return -1;
    if (b === story.canonical) return 1;
    const ta = get(a).publishedAt ?? get(a).source.receivedAt;
    const tb = get(b).publishedAt ?? get(b).source.receivedAt;
    return ta.localeCompare(tb) || a.localeCompare(b);
  });
  const entries = heads.map((id) => {
    const r = get(id);
    const copies = story.articles
      .filter((c) => copyOf.get(c) === id)
      .map((c) => get(c))
      .map((c) => ({ articleId: c.id, publisher: c.publisher, url: c.url }));
    return {
      id,
      title: r.title,
      publisher: r.publisher,
      author: r.author,
      url: r.url,
      publishedAt: r.publishedAt,
      language: r.language,
      words: r.words,
      copies,
    };
  });
  const outlets: string[] = [];
  for (const e of entries) {
    for (const p of [e.publisher, ...e.copies.map((c) => c.publisher)]) if (p && !outlets.includes(p)) outlets.push(p);
  }
  const members = story.articles.map(get);
  const dates = members.map((r) => r.publishedAt).filter((d): d is string => d !== null).sort();
  const canonical = get(story.canonical);
  return {
    headline: story.headline,
    summary: summarize(canonical.text),
    language: mostCommon(members.map((r) => r.language)),
    publishedAt: dates[0] ?? null,
    outlets,
    entries,
    articleCount: story.articles.length,
    sortKey: members.map(latest).sort().at(-1) ?? '',
    current: { articles: members.map((r) => ({ id: r.id, outlet: r.publisher })), origin: originOf(members), headline: story.headline, outlets },
  };
}

/** A stored edition as the continuity step reads it: each story's articles, copies included. */
/** The edition holding these stories instead of its own, with its counts recomputed (a subscriber's filter, a week's merge). */
export function withStories(edition: Edition, stories: EditionStory[]): Edition {
  const articles = stories.reduce((n, s) => n + s.articleCount, 0);
  const entries = stories.reduce((n, s) => n + s.entries.length, 0);
  const status = (st: EditionStory['status']) => stories.filter((s) => s.status === st).length;
  return EditionSchema.parse({
    ...edition,
    counts: {
      articles,
      stories: stories.length,
      entries,
      copiesCollapsed: articles - entries,
      outlets: new Set(stories.flatMap((s) => s.outlets)).size,
      new: status('new'),
      developing: status('developing'),
      unchanged: status('unchanged'),
    },
    stories,
  });
}

export function priorEditionOf(edition: Edition): PriorEdition {
  return {
    edition: edition.edition,
    stories: edition.stories.map((s) => ({
      id: s.id,
      headline: s.headline,
      outlets: s.outlets,
      articles: s.entries.flatMap((e) => [e.id, ...e.copies.map((c) => c.articleId)]),
      firstSeen: s.firstSeen,
      lastUpdated: s.lastUpdated,
    })),
  };
}

export function clusterItemOf(r: ArticleRecord): ClusterItem {
  return {
    id: r.id,
    title: r.title,
    words: r.words,
    publisher: r.publisher,
    publishedAt: r.publishedAt,
    receivedAt: r.source.receivedAt,
    fingerprint: r.fingerprint,
  };
}

/**
 * Cluster the records, carry the previous edition's story ids and mark what changed since (continuity.ts), and
 * order the stories: most outlets first, then most recent, then id.
 */
export function buildEdition(records: ArticleRecord[], options: EditionOptions): Edition {
  const byId = new Map(records.map((r) => [r.id, r]));
  const { stories } = clusterArticles([...byId.values()].map(clusterItemOf));
  const drafts = stories.map((s) => storyToEdition(s, byId));
  const previous = options.previous ?? null;
  const continuity = continueStories(options.edition, drafts.map((d) => d.current), previous && priorEditionOf(previous));
  const ranked = drafts
    .map(({ current: _current, ...draft }, i) => {
      const { id, ...marks } = continuity[i]!;
      return { id, ...draft, ...marks };
    })
    .sort(
      (a, b) =>
        Math.max(b.outlets.length, b.entries.length) - Math.max(a.outlets.length, a.entries.length) ||
        b.sortKey.localeCompare(a.sortKey) ||
        a.id.localeCompare(b.id),
    )
    .map(({ sortKey: _sortKey, ...story }) => story);
  const received = [...byId.values()].map((r) => r.source.receivedAt).sort();
  const entries = ranked.reduce((n, s) => n + s.entries.length, 0);
  const allOutlets = new Set(ranked.flatMap((s) => s.outlets));
  const status = (st: EditionStory['status']) => ranked.filter((s) => s.status === st).length;
  return EditionSchema.parse({
    schema: 'newsdigest.edition/2',
    edition: options.edition,
    previous: previous?.edition ?? null,
    title: options.title,
    updatedAt: received.at(-1) ?? null,
    window: { from: options.window.from.toISOString(), to: options.window.to.toISOString() },
    language: mostCommon([...byId.values()].map((r) => r.language)),
    counts: {
      articles: byId.size,
      stories: ranked.length,
      entries,
      copiesCollapsed: byId.size - entries,
      outlets: allOutlets.size,
      new: status('new'),
      developing: status('developing'),
      unchanged: status('unchanged'),
    },
    stories: ranked,
  });
}
