// Rebuild the current edition from every stored article (the source records under sources/) and publish it under digests/.
import { buildEdition, editionFor, inWindow, type Edition } from '../core/edition.ts';
import { composeEditionMessage, unsubscribeUrlFor, type EditionMessageOptions } from '../core/email.ts';
import type { ArchiveEntry, EditionNeighbours, RenderedEdition } from '../core/render.ts';
import type { Clock, ListedObject, ObjectStore } from '../core/ports.ts';
import { preferredCopies } from '../core/article.ts';
import { SourceRecordSchema, type ArticleRecord } from '../core/schema.ts';
import { PREFIX } from '../triggers.ts';
import {
  ARCHIVE_KEYS,
  EDITION_FILES,
  editionKey,
  listEditions,
  neighboursOf,
  readEditionBefore,
  updateArchive,
  type EditionPart,
  type LatestPointer,
} from './archive.ts';
import type { DigestState, SourceCache } from './digest-state.ts';
import type { StoryPage } from '../core/story-page.ts';
import { publishStoryPages } from './story-pages.ts';

export interface DigestDeps {
  store: ObjectStore;
  clock: Clock;
  render: (edition: Edition, neighbours?: EditionNeighbours) => RenderedEdition;
  /** The archive index page; without it digests/index.html is not written. */
  renderArchive?: (title: string, editions: ArchiveEntry[]) => string;
  /** A story's page (digests/stories/<id>/index.html); without it no story pages are written. */
  renderStory?: ((page: StoryPage) => string) | undefined;
  /** Sender and unsubscribe settings of the archived message (digests/<day>/message.eml). */
  email?: Pick<EditionMessageOptions, 'from' | 'unsubscribeUrl' | 'unsubscribeMailto'>;
  title: string;
  windowHours: number;
  timeZone: string;
  /**
   * Names what `render` and `renderArchive` are built from (templates, render options): a warm state's last
   * publish is reused only under the same name.
   */
  renderKey: string;
  /** What this instance kept from its earlier rebuilds (createDigestState, one per store). */
  state: DigestState;
  log?: (entry: Record<string, unknown>) => void;
}

export type DigestResult =
  | { status: 'empty'; edition: string; articles: 0 }
  /** The same sources, day and settings as this instance's last publish, whose pointer is still in place. */
  | { status: 'unchanged'; edition: string; articles: number }
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
 * A rebuild that read at least this many new source records lists again, for up to CATCH_UP_MS: during a burst
 * of uploads, reading the records takes long enough for more to arrive, and their notifications are already
 * queued behind this batch. Reading them now, as they come, lets the batches behind it find nothing new and skip
 * their rebuild (see publishDigest), and leaves little to read once the burst ends. The time bound (not a count
 * of listings) makes a long stream of uploads still publish an edition at least every CATCH_UP_MS or so.
 */
const CATCH_UP_MIN_READS = 100;
const CATCH_UP_MS = 60_000;

export interface LoadSourcesOptions {
  log?: DigestDeps['log'] | undefined;
  /** Records parsed by earlier loads (a warm instance's, DigestState.sources): only new or changed ones are read. */
  cache?: SourceCache;
  /** Milliseconds on a monotonic clock (default performance.now): bounds the catch-up. */
  now?: () => number;
  /** How long a rebuild keeps listing while new records keep arriving (default CATCH_UP_MS). */
  catchUpMs?: number;
}

export interface LoadedSources {
  /** Every stored article, one per id, sorted by id. */
  records: ArticleRecord[];
  /**
   * The ETag (unquoted) each source was read at: equal maps hold equal records. Null when the store gave a
   * source no ETag, so its content could not be told apart.
   */
  etags: Map<string, string> | null;
}

/** ETags as S3 notifications carry them (no quotes); GET and LIST quote them. */
function bareEtag(etag: string): string {
  return etag.replace(/"/g, '');
}

/**
 * Every stored article, one per id, sorted by id. The same text uploaded under two keys is in two source
 * records; the preferred copy (the earliest) stands for it, whatever order the sources were read in.
 */
export async function loadArticleRecords(store: ObjectStore, log?: DigestDeps['log']): Promise<ArticleRecord[]> {
  return (await loadSources(store, { log })).records;
}

/** loadArticleRecords, with the ETags of what was read. Without a cache, every source is read. */
export async function loadSources(store: ObjectStore, options: LoadSourcesOptions = {}): Promise<LoadedSources> {
  const { log, cache = new Map(), now = () => performance.now(), catchUpMs = CATCH_UP_MS } = options;
  const started = now();
  let listed: ListedObject[] = [];
  for (;;) {
    listed = [];
    for await (const o of store.list(PREFIX.sources)) if (o.key.endsWith('.json')) listed.push(o);
    const seen = new Set(listed.map((o) => o.key));
    for (const key of cache.keys()) if (!seen.has(key)) cache.delete(key); // deleted sources leave the cache
    // A source listed without an ETag cannot be told from the one cached: read again.
    const stale = listed.filter(({ key, etag }) => etag === null || cache.get(key)?.etag !== etag);
    await mapLimit(stale, 16, (o) => readSource(store, o.key, cache, log));
    // Sources without an ETag are read on every listing: they are not arrivals.
    const arrived = stale.filter((o) => o.etag !== null).length;
    if (arrived < CATCH_UP_MIN_READS || now() - started >= catchUpMs) break;
  }
  const articles: ArticleRecord[] = [];
  const etags = new Map<string, string>();
  let versioned = true;
  for (const { key } of listed) {
    const entry = cache.get(key);
    if (!entry) continue;
    articles.push(...entry.articles);
    if (entry.etag === null) versioned = false;
    else etags.set(key, bareEtag(entry.etag));
  }
  const records = preferredCopies(articles).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { records, etags: versioned ? etags : null };
}

/** Read and parse one source record into the cache; one that is gone or invalid leaves it. */
async function readSource(store: ObjectStore, key: string, cache: SourceCache, log: DigestDeps['log']): Promise<void> {
  const obj = await store.get(key);
  if (!obj) {
    cache.delete(key); // deleted since listing
    return;
  }
  try {
    const { articles } = SourceRecordSchema.parse(JSON.parse(new TextDecoder().decode(obj.body)));
    cache.set(key, { etag: obj.etag, articles });
  } catch (e) {
    cache.delete(key);
    log?.({ level: 'warn', msg: 'skipping invalid source record', key, error: String(e) });
  }
}

/** The sources a batch of notifications names, with the ETag each was created at. */
export type ChangedSources = Array<{ key: string; etag: string }>;

function sameEntries(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

/**
 * The last publish is still the published edition: nobody wrote the pointer since (another day, a manual fix).
 * When somebody did, the state forgets it, so one rebuild reads the pointer once.
 */
async function stillPublished(store: ObjectStore, state: DigestState): Promise<boolean> {
  const pointer = await store.get(ARCHIVE_KEYS.latestPointer);
  if (pointer !== null && new TextDecoder().decode(pointer.body) === state.last?.pointer) return true;
  state.last = null;
  return false;
}

/**
 * Idempotent: the same records in any order give the same bytes. An empty window publishes nothing
 * (never an empty edition).
 *
 * Publishing order, so that no reader sees a mix of two editions: every file of the edition's own folder
 * (the web page last), then its neighbours' pages and the archive index, then the digests/latest/ copies,
 * and the digests/latest.json pointer at the very end. Readers that must be consistent follow the pointer.
 */
export async function publishDigest(deps: DigestDeps, batch?: ChangedSources): Promise<DigestResult> {
  const { store, clock, state } = deps;
  const { edition: day, window } = editionFor(clock.now(), deps.windowHours, deps.timeZone);
  // Everything but the sources and the archive that the edition's bytes depend on.
  const settings = JSON.stringify([day, window, deps.title, deps.windowHours, deps.timeZone, deps.email ?? null, deps.renderKey, !!deps.renderArchive, !!deps.renderStory]);
  if (state.last?.settings !== settings) state.last = null;
  // A batch whose every source is already in the last edition, at the same ETag, changes nothing: no listing.
  // (Deleted sources notify nobody, so a rebuild never waited for them.)
  const last = state.last;
  if (last && batch && batch.every((c) => last.etags.get(c.key) === bareEtag(c.etag)) && (await stillPublished(store, state))) {
    return { status: 'unchanged', edition: day, articles: last.articles };
  }
  // Where a rebuild's time goes, for the log: reading the sources, clustering, rendering, writing.
  const started = performance.now();
  const sources = await loadSources(store, { log: deps.log, cache: state.sources });
  const records = inWindow(sources.records, window);
  if (records.length === 0) return { status: 'empty', edition: day, articles: 0 };
  const editions = await listEditions(store);
  const days = editions.map((e) => e.day);
  const previous = await readEditionBefore(store, day, editions, { log: deps.log, cache: state });
  // The edition is a function of these (same inputs, same bytes): when they equal the last publish's and its
  // pointer is untouched, writing it again would change nothing.
  const archive = JSON.stringify([neighboursOf(day, days), days.every((d) => d <= day), previous?.hash ?? null]);
  const { last: current } = state;
  if (current && sources.etags && current.archive === archive && sameEntries(current.etags, sources.etags) && (await stillPublished(store, state))) {
    return { status: 'unchanged', edition: day, articles: records.length };
  }
  state.last = null; // until this publish completes
  const loaded = performance.now();
  const edition = buildEdition(records, { edition: day, title: deps.title, window, previous: previous?.edition ?? null });
  const built = performance.now();
  const rendered = deps.render(edition, neighboursOf(day, days));
  const message = await composeEditionMessage(edition, { html: rendered.html, text: rendered.emailText, subject: rendered.subject }, {
    from: deps.email?.from ?? 'News digest <digest@newsdigest.invalid>',
    unsubscribeUrl: unsubscribeUrlFor(deps.email?.unsubscribeUrl, null, day),
    unsubscribeMailto: deps.email?.unsubscribeMailto ?? null,
  });
  const composed = performance.now();
  // The story pages before the edition page that links to them.
  const keys = deps.renderStory ? await publishStoryPages({ store, render: deps.renderStory, log: deps.log }, edition, records) : [];
  keys.push(...(await writeEdition(deps, edition, { ...rendered, message }, days)));
  // An older day rebuilt (a late run) never takes `latest` from a newer edition.
  const latest = days.every((d) => d <= day);
  if (latest) {
    const { written, pointer } = await writeLatest(store, edition, rendered);
    keys.push(...written);
    if (sources.etags) state.last = { settings, archive, etags: sources.etags, articles: records.length, pointer };
  }
  const ms = { load: Math.round(loaded - started), build: Math.round(built - loaded), render: Math.round(composed - built), write: Math.round(performance.now() - composed) };
  return { status: 'published', edition: day, keys, counts: edition.counts, latest, emailStories: rendered.emailStories, ms };
}

/** The edition's own folder, then its neighbours' pages and the archive index; the keys written. */
async function writeEdition(deps: DigestDeps, edition: Edition, rendered: RenderedEdition & { message: string | Uint8Array }, days: string[]): Promise<string[]> {
  const { store } = deps;
  const parts: Record<EditionPart, string | Uint8Array> = {
    json: rendered.json,
    text: rendered.text,
    html: rendered.html,
    mailText: rendered.emailText,
    message: rendered.message,
    page: rendered.page,
  };
  const keys: string[] = [];
  for (const part of Object.keys(EDITION_FILES) as EditionPart[]) {
    const key = editionKey(edition.edition, part);
    await store.put(key, parts[part], EDITION_FILES[part].type);
    keys.push(key);
  }
  if (deps.renderArchive) {
    keys.push(...(await updateArchive({ store, title: deps.title, renderPage: (e, n) => deps.render(e, n).page, renderIndex: deps.renderArchive }, edition, days)));
  }
  return keys;
}

/** The digests/latest/ copies, then the pointer: the keys written, and the pointer's text. */
async function writeLatest(store: ObjectStore, edition: Edition, rendered: RenderedEdition): Promise<{ written: string[]; pointer: string }> {
  const keys: string[] = [];
  for (const [part, file] of Object.entries(DIGEST_FILES) as Array<['html' | 'text' | 'json', (typeof DIGEST_FILES)[keyof typeof DIGEST_FILES]]>) {
    const key = `${ARCHIVE_KEYS.latestFolder}${file.name}`;
    await store.put(key, rendered[part], file.type);
    keys.push(key);
  }
  const day = edition.edition;
  const pointer: LatestPointer = {
    schema: 'newsdigest.latest/1',
    edition: day,
    title: edition.title,
    stories: edition.counts.stories,
    updatedAt: edition.updatedAt,
    keys: Object.fromEntries((Object.keys(EDITION_FILES) as EditionPart[]).map((p) => [p, editionKey(day, p)])),
  };
  const pointerText = `${JSON.stringify(pointer, null, 2)}\n`;
  await store.put(ARCHIVE_KEYS.latestPointer, pointerText, 'application/json');
  keys.push(ARCHIVE_KEYS.latestPointer);
  return { written: keys, pointer: pointerText };
}
