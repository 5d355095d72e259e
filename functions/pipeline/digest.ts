// Rebuild the current edition from every stored article (the source records under sources/) and publish it under digests/.
import { buildEdition, editionFor, inWindow, type Edition } from '../core/edition.ts';
import { composeEditionMessage, unsubscribeUrlFor, type EditionMessageOptions } from '../core/email.ts';
import type { ArchiveEntry, EditionNeighbours, RenderedEdition } from '../core/render.ts';
import type { Clock, ObjectStore } from '../core/ports.ts';
import { preferredCopies } from '../core/article.ts';
import { SourceRecordSchema, type ArticleRecord } from '../core/schema.ts';
import { PREFIX } from '../triggers.ts';
import {
  ARCHIVE_KEYS,
  EDITION_FILES,
  editionKey,
  listEditionDays,
  neighboursOf,
  updateArchive,
  type EditionPart,
  type LatestPointer,
} from './archive.ts';

export interface DigestDeps {
  store: ObjectStore;
  clock: Clock;
  render: (edition: Edition, neighbours?: EditionNeighbours) => RenderedEdition;
  /** The archive index page; without it digests/index.html is not written. */
  renderArchive?: (title: string, editions: ArchiveEntry[]) => string;
  /** Sender and unsubscribe settings of the archived message (digests/<day>/message.eml). */
  email?: Pick<EditionMessageOptions, 'from' | 'unsubscribeUrl' | 'unsubscribeMailto'>;
  title: string;
  windowHours: number;
  timeZone: string;
  log?: (entry: Record<string, unknown>) => void;
}

export type DigestResult =
  | { status: 'empty'; edition: string; articles: 0 }
  | {
      status: 'published';
      edition: string;
      keys: string[];
      counts: Edition['counts'];
      latest: boolean;
      emailStories: number;
      /** Milliseconds spent reading the sources, building the edition, rendering it (with the email), and writing. */
      ms: { load: number; build: number; render: number; write: number };
    };

/** The files copied to digests/latest/ (the edition's folder holds these and more, see EDITION_FILES). */
export const DIGEST_FILES = {
  html: { name: 'digest.html', type: 'text/html; charset=utf-8' },
  text: { name: 'digest.txt', type: 'text/plain; charset=utf-8' },
  json: { name: 'digest.json', type: 'application/json' },
} as const;

/** Run `fn` over `items` with at most `limit` in flight, keeping input order in the results. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Parsed source records by key, with the ETag they were read at: a warm function (module state survives
 * between invocations) reads only the sources that are new or changed since its last rebuild. Per store, so
 * two buckets never share entries.
 */
const sourceCache = new WeakMap<ObjectStore, Map<string, { etag: string; articles: ArticleRecord[] }>>();

/** The ETag a listing reported for an object, when the store lists them (S3 does). */
function listedEtag(o: { key: string }): string | null {
  const etag = (o as { etag?: unknown }).etag;
  return typeof etag === 'string' && etag !== '' ? etag : null;
}

/**
 * Every stored article, one per id, sorted by id. The same text uploaded under two keys is in two source
 * records; the preferred copy (the earliest) stands for it, whatever order the sources were read in.
 */
export async function loadArticleRecords(store: ObjectStore, log?: DigestDeps['log']): Promise<ArticleRecord[]> {
  let cache = sourceCache.get(store);
  if (!cache) sourceCache.set(store, (cache = new Map()));
  const listed: Array<{ key: string; etag: string | null }> = [];
  for await (const o of store.list(PREFIX.sources)) if (o.key.endsWith('.json')) listed.push({ key: o.key, etag: listedEtag(o) });
  const seen = new Set(listed.map((o) => o.key));
  for (const key of cache.keys()) if (!seen.has(key)) cache.delete(key); // deleted sources leave the cache
  const loaded = await mapLimit(listed, 16, async ({ key, etag }): Promise<ArticleRecord[]> => {
    const cached = cache.get(key);
    if (cached && etag !== null && cached.etag === etag) return cached.articles;
    const obj = await store.get(key);
    if (!obj) {
      cache.delete(key);
      return []; // deleted since listing
    }
    try {
      const { articles } = SourceRecordSchema.parse(JSON.parse(new TextDecoder().decode(obj.body)));
      if (obj.etag) cache.set(key, { etag: obj.etag, articles });
      else cache.delete(key);
      return articles;
    } catch (e) {
      cache.delete(key);
      log?.({ level: 'warn', msg: 'skipping invalid source record', key, error: String(e) });
      return [];
    }
  });
  return preferredCopies(loaded.flat()).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Idempotent: the same records in any order give the same bytes. An empty window publishes nothing
 * (never an empty edition).
 *
 * Publishing order, so that no reader sees a mix of two editions: every file of the edition's own folder
 * (the web page last), then its neighbours' pages and the archive index, then the digests/latest/ copies,
 * and the digests/latest.json pointer at the very end. Readers that must be consistent follow the pointer.
 */
export async function publishDigest(deps: DigestDeps): Promise<DigestResult> {
  const { store, clock } = deps;
  const { edition: day, window } = editionFor(clock.now(), deps.windowHours, deps.timeZone);
  // Where a rebuild's time goes, for the log: reading the sources, clustering, rendering, writing.
  const started = performance.now();
  const records = inWindow(await loadArticleRecords(store, deps.log), window);
  if (records.length === 0) return { status: 'empty', edition: day, articles: 0 };
  const loaded = performance.now();
  const edition = buildEdition(records, { edition: day, title: deps.title, window });
  const built = performance.now();
  const days = await listEditionDays(store);
  const rendered = deps.render(edition, neighboursOf(day, days));
  const message = await composeEditionMessage(edition, rendered, {
    from: deps.email?.from ?? 'News digest <digest@newsdigest.invalid>',
    unsubscribeUrl: unsubscribeUrlFor(deps.email?.unsubscribeUrl, null, day),
    unsubscribeMailto: deps.email?.unsubscribeMailto ?? null,
  });
  const composed = performance.now();
  const parts: Record<EditionPart, string | Uint8Array> = {
    json: rendered.json,
    text: rendered.text,
    html: rendered.html,
    message,
    page: rendered.page,
  };
  const keys: string[] = [];
  for (const part of Object.keys(EDITION_FILES) as EditionPart[]) {
    const key = editionKey(day, part);
    await store.put(key, parts[part], EDITION_FILES[part].type);
    keys.push(key);
  }
  if (deps.renderArchive) {
    keys.push(...(await updateArchive({ store, title: deps.title, renderPage: (e, n) => deps.render(e, n).page, renderIndex: deps.renderArchive }, edition, days)));
  }
  // An older day rebuilt (a late run) never takes `latest` from a newer edition.
  const latest = days.every((d) => d <= day);
  if (latest) {
    for (const [part, file] of Object.entries(DIGEST_FILES) as Array<['html' | 'text' | 'json', (typeof DIGEST_FILES)[keyof typeof DIGEST_FILES]]>) {
      const key = `${ARCHIVE_KEYS.latestFolder}${file.name}`;
      await store.put(key, rendered[part], file.type);
      keys.push(key);
    }
    const pointer: LatestPointer = {
      schema: 'newsdigest.latest/1',
      edition: day,
      title: edition.title,
      stories: edition.counts.stories,
      updatedAt: edition.updatedAt,
      keys: Object.fromEntries((Object.keys(EDITION_FILES) as EditionPart[]).map((p) => [p, editionKey(day, p)])),
    };
    await store.put(ARCHIVE_KEYS.latestPointer, `${JSON.stringify(pointer, null, 2)}\n`, 'application/json');
    keys.push(ARCHIVE_KEYS.latestPointer);
  }
  const ms = { load: Math.round(loaded - started), build: Math.round(built - loaded), render: Math.round(composed - built), write: Math.round(performance.now() - composed) };
  return { status: 'published', edition: day, keys, counts: edition.counts, latest, emailStories: rendered.emailStories, ms };
}
