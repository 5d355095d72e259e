// The web archive under digests/: one page per edition linking to its neighbours, an index of every
// edition, and the `latest` switch (digests/latest/ copies, then the digests/latest.json pointer, last).
import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { Edition } from '../core/edition.ts';
import { StoredEditionSchema } from '../core/stored-edition.ts';
import type { ArchiveEntry, EditionNeighbours } from '../core/render.ts';
import type { ObjectStore } from '../core/ports.ts';
import { PREFIX } from '../triggers.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export const ARCHIVE_KEYS = {
  index: `${PREFIX.digests}index.html`,
  manifest: `${PREFIX.digests}archive.json`,
  latestPointer: `${PREFIX.digests}latest.json`,
  latestFolder: `${PREFIX.digests}latest/`,
} as const;

/** Every file of one edition's folder, digests/<day>/<name>. */
export const EDITION_FILES = {
  json: { name: 'digest.json', type: 'application/json' },
  text: { name: 'digest.txt', type: 'text/plain; charset=utf-8' },
  html: { name: 'digest.html', type: 'text/html; charset=utf-8' },
  /** The email's plain-text part: the stories of digest.html (all of them unless the email is clipped). */
  mailText: { name: 'email.txt', type: 'text/plain; charset=utf-8' },
  message: { name: 'message.eml', type: 'message/rfc822' },
  page: { name: 'index.html', type: 'text/html; charset=utf-8' },
} as const;
export type EditionPart = keyof typeof EDITION_FILES;

export function editionKey(day: string, part: EditionPart): string {
  return `${PREFIX.digests}${day}/${EDITION_FILES[part].name}`;
}

const ArchiveEntrySchema = z.object({
  edition: z.string().regex(DAY),
  title: z.string(),
  stories: z.number().int(),
  articles: z.number().int(),
  outlets: z.number().int(),
  headline: z.string().nullable(),
});

const ArchiveManifestSchema = z.object({
  schema: z.literal('newsdigest.archive/1'),
  editions: z.array(ArchiveEntrySchema),
});

/** digests/latest.json: which edition is current. Written after every part of it, so it never points at half an edition. */
export const LatestPointerSchema = z.object({
  schema: z.literal('newsdigest.latest/1'),
  edition: z.string().regex(DAY),
  title: z.string(),
  stories: z.number().int(),
  updatedAt: z.string().nullable(),
  /** The edition's files, by part. */
  keys: z.record(z.string(), z.string()),
});
export type LatestPointer = z.infer<typeof LatestPointerSchema>;

async function readJson<T>(store: ObjectStore, key: string, schema: z.ZodType<T>): Promise<T | null> {
  const obj = await store.get(key);
  if (!obj) return null;
  return schema.parse(JSON.parse(new TextDecoder().decode(obj.body)));
}

export async function readText(store: ObjectStore, key: string): Promise<string | null> {
  const obj = await store.get(key);
  return obj ? new TextDecoder().decode(obj.body) : null;
}

export function readLatestPointer(store: ObjectStore): Promise<LatestPointer | null> {
  return readJson(store, ARCHIVE_KEYS.latestPointer, LatestPointerSchema);
}

export function readEdition(store: ObjectStore, day: string): Promise<Edition | null> {
  return readJson(store, editionKey(day, 'json'), StoredEditionSchema);
}

/** An edition as stored, and a hash of its bytes (what a rebuild that depends on it compares). */
export interface StoredEdition {
  edition: Edition;
  hash: string;
}

/** A published edition as listed: its day, and its digest.json's ETag (null: the store gave none). */
export interface ListedEdition {
  day: string;
  etag: string | null;
}

/** The previous edition a warm digest read last (DigestState.previous), by the ETag it was listed with. */
export interface CachedEdition {
  day: string;
  etag: string;
  stored: StoredEdition;
}

export interface EditionBeforeOptions {
  log?: ((entry: Record<string, unknown>) => void) | undefined;
  /** What a warm instance read last: the same day at the same ETag is not read again. */
  cache?: { previous: CachedEdition | null };
}

/**
 * The latest edition before `day` among `editions`: the one a new edition's stories continue. Null when there
 * is none, or when it cannot be read (logged): the new edition then starts afresh rather than not at all.
 */
export async function readEditionBefore(store: ObjectStore, day: string, editions: readonly ListedEdition[], options: EditionBeforeOptions = {}): Promise<StoredEdition | null> {
  const before = editions.filter((e) => e.day < day).at(-1);
  if (!before) return null;
  const { cache } = options;
  const cached = cache?.previous;
  if (cached && before.etag !== null && cached.day === before.day && cached.etag === before.etag) return cached.stored;
  const obj = await store.get(editionKey(before.day, 'json'));
  if (!obj) return null;
  try {
    const edition = StoredEditionSchema.parse(JSON.parse(new TextDecoder().decode(obj.body)));
    const stored = { edition, hash: createHash('sha256').update(obj.body).digest('hex') };
    if (cache) cache.previous = before.etag === null ? null : { day: before.day, etag: before.etag, stored };
    return stored;
  } catch (e) {
    options.log?.({ level: 'warn', msg: 'previous edition unreadable: every story is new', edition: before.day, error: String(e) });
    return null;
  }
}

/** Every published edition (digests/<day>/digest.json), oldest first. */
export async function listEditions(store: ObjectStore): Promise<ListedEdition[]> {
  const byDay = new Map<string, string | null>();
  for await (const o of store.list(PREFIX.digests)) {
    const m = o.key.slice(PREFIX.digests.length).match(/^(\d{4}-\d{2}-\d{2})\/digest\.json$/);
    if (m) byDay.set(m[1]!, o.etag);
  }
  return [...byDay].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([day, etag]) => ({ day, etag }));
}

/** The days that have a published edition (digests/<day>/digest.json), oldest first. */
export async function listEditionDays(store: ObjectStore): Promise<string[]> {
  return (await listEditions(store)).map((e) => e.day);
}

export function neighboursOf(day: string, days: readonly string[]): Required<EditionNeighbours> {
  const others = days.filter((d) => d !== day);
  return { prev: others.filter((d) => d < day).at(-1) ?? null, next: others.find((d) => d > day) ?? null };
}

export function archiveEntry(edition: Edition): ArchiveEntry {
  return {
    edition: edition.edition,
    title: edition.title,
    stories: edition.counts.stories,
    articles: edition.counts.articles,
    outlets: edition.counts.outlets,
    headline: edition.stories[0]?.headline ?? null,
  };
}

export interface ArchiveDeps {
  store: ObjectStore;
  title: string;
  /** The edition's web page for given neighbours. */
  renderPage: (edition: Edition, neighbours: EditionNeighbours) => string;
  renderIndex: (title: string, editions: ArchiveEntry[]) => string;
}

/**
 * After `edition`'s own folder is written: when its day is new to the archive, re-render its neighbours'
 * pages (their prev/next links now include it) from their stored digest.json; a rebuild of a day already
 * there leaves them as they are, since their links cannot have changed. Then rewrite the index from the
 * manifest (days missing from the manifest are read once from their digest.json, so the manifest heals
 * itself). Returns the keys written.
 */
export async function updateArchive(deps: ArchiveDeps, edition: Edition, days: readonly string[]): Promise<string[]> {
  const { store } = deps;
  const written: string[] = [];
  const all = [...new Set([...days, edition.edition])].sort();
  const { prev, next } = neighboursOf(edition.edition, all);
  const newDay = !days.includes(edition.edition);
  for (const day of newDay ? [prev, next] : []) {
    if (!day) continue;
    const stored = await readEdition(store, day);
    if (!stored) continue;
    const key = editionKey(day, 'page');
    await store.put(key, deps.renderPage(stored, neighboursOf(day, all)), EDITION_FILES.page.type);
    written.push(key);
  }

  let manifest: z.infer<typeof ArchiveManifestSchema> | null = null;
  try {
    manifest = await readJson(store, ARCHIVE_KEYS.manifest, ArchiveManifestSchema);
  } catch {
    manifest = null; // unreadable: rebuilt from the editions below
  }
  const known = new Map((manifest?.editions ?? []).map((e) => [e.edition, e]));
  known.set(edition.edition, archiveEntry(edition));
  for (const day of all) {
    if (known.has(day)) continue;
    const stored = await readEdition(store, day);
    if (stored) known.set(day, archiveEntry(stored));
  }
  const entries = all.map((d) => known.get(d)).filter((e): e is ArchiveEntry => e !== undefined);
  const body = { schema: 'newsdigest.archive/1' as const, editions: [...entries].reverse() };
  await store.put(ARCHIVE_KEYS.manifest, `${JSON.stringify(body, null, 2)}\n`, 'application/json');
  await store.put(ARCHIVE_KEYS.index, deps.renderIndex(deps.title, entries), 'text/html; charset=utf-8');
  written.push(ARCHIVE_KEYS.manifest, ARCHIVE_KEYS.index);
  return written;
}
