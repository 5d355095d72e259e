// Ingest one uploaded object: parse it, store one record per article, or a rejection report beside the original.
import { preferredRecord } from '../core/article.ts';
import { derivedKey } from '../core/keys.ts';
import type { ParseLimits } from '../core/parse/limits.ts';
import type { Clock, ObjectStore } from '../core/ports.ts';
import {
  ArticleRecordSchema,
  RejectionSchema,
  SourceManifestSchema,
  type ArticleRecord,
  type Rejection,
  type SourceManifest,
} from '../core/schema.ts';
import { PREFIX } from '../triggers.ts';
import type { ParseRunner } from './parse-runner.ts';

/**
 * A store that can create an object only if its key is free, in one atomic step (S3: PutObject with
 * `If-None-Match: *`). Returns false when the key exists, or when it cannot tell (a concurrent conditional
 * write: S3's 409); the caller then reads what is there.
 */
export interface CreateOnlyStore {
  putIfAbsent(key: string, body: string | Uint8Array, contentType: string): Promise<boolean>;
}

function canCreateOnly(store: ObjectStore): store is ObjectStore & CreateOnlyStore {
  return typeof (store as Partial<CreateOnlyStore>).putIfAbsent === 'function';
}

export interface IngestDeps {
  store: ObjectStore;
  clock: Clock;
  limits: ParseLimits;
  parser: ParseRunner;
}

export type IngestResult =
  | { key: string; status: 'ingested'; articles: string[]; errors: number }
  | { key: string; status: 'rejected'; error: string }
  | { key: string; status: 'unchanged'; articles: string[] }
  | { key: string; status: 'missing' }
  | { key: string; status: 'ignored'; reason: string };

const JSON_TYPE = 'application/json';

export function articleKey(id: string): string {
  return `${PREFIX.articles}${id}.json`;
}
export function rejectionKey(key: string): string {
  return derivedKey(PREFIX.rejected, key, '.error.json');
}
export function manifestKey(key: string): string {
  return derivedKey(PREFIX.sources, key, '.json');
}

async function readJson<T>(store: ObjectStore, key: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }): Promise<T | null> {
  return (await readJsonText(store, key, schema))?.value ?? null;
}

/** The parsed object and its stored text; null when absent. A corrupt object reads as `value: null`. */
async function readJsonText<T>(store: ObjectStore, key: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }): Promise<{ value: T | null; text: string } | null> {
  const obj = await store.get(key);
  if (!obj) return null;
  const text = new TextDecoder().decode(obj.body);
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return { value: parsed.success ? parsed.data : null, text };
  } catch {
    return { value: null, text }; // a corrupt record is rewritten, not fatal
  }
}

function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Write the record unless an equal-content record from an earlier source is already stored. The id is the
 * content's hash, so nearly every record is new: it is created with one conditional write, and only when
 * the key is taken is the stored record read and compared (and left alone when it is the same bytes).
 */
async function storeArticle(store: ObjectStore, record: ArticleRecord): Promise<void> {
  const key = articleKey(record.id);
  const body = toJson(record);
  if (canCreateOnly(store) && (await store.putIfAbsent(key, body, JSON_TYPE))) return;
  const stored = await readJsonText(store, key, ArticleRecordSchema);
  if (stored?.text === body) return;
  const existing = stored?.value;
  if (existing && preferredRecord(existing, record) === existing && existing.source.key !== record.source.key) return;
  await store.put(key, body, JSON_TYPE);
}

/**
 * Write the rejection report. Where the store can create only, a report already there that says the same
 * (all but its time) is kept: a redelivered event leaves the first report as it was.
 */
async function storeRejection(store: ObjectStore, report: Rejection): Promise<void> {
  const key = rejectionKey(report.key);
  const body = toJson(report);
  if (canCreateOnly(store)) {
    if (await store.putIfAbsent(key, body, JSON_TYPE)) return;
    const stored = await readJson(store, key, RejectionSchema);
    if (stored && toJson({ ...stored, rejectedAt: report.rejectedAt }) === body) return;
  }
  await store.put(key, body, JSON_TYPE);
}

/**
 * Idempotent: the same object (same ETag) ingested twice is a no-op; an overwritten key replaces the
 * articles it produced before. Throws only for store faults, so Lambda retries those.
 *
 * `sources/<key>.json` (the manifest) is written last: it says the key is done. Where the store can create
 * only (S3), a first upload, by far the common case, needs no look at an earlier manifest: the manifest is
 * created with a conditional write, and only when one exists is it read (a redelivery: same ETag, nothing
 * was changed above, since every write is skipped when the same bytes are there; an overwrite: the old
 * articles and rejection are cleared, then the manifest replaced). Other stores read it first.
 */
export async function ingestObject(deps: IngestDeps, key: string): Promise<IngestResult> {
  const { store, clock, limits, parser } = deps;
  if (!key.startsWith(PREFIX.inbox)) return { key, status: 'ignored', reason: `not under ${PREFIX.inbox}` };
  const obj = await store.get(key);
  if (!obj) return { key, status: 'missing' };

  const createOnly = canCreateOnly(store);
  /** The manifest of an earlier ingest of this key (null: none), undefined until read. */
  let previous: SourceManifest | null | undefined = createOnly ? undefined : await readJson(store, manifestKey(key), SourceManifestSchema);
  const unchanged = (m: SourceManifest | null | undefined): boolean => !!m && !!obj.etag && m.etag === obj.etag;
  if (previous && unchanged(previous)) return { key, status: 'unchanged', articles: previous.articles };

  const now = clock.now().toISOString();
  // The object's own timestamp, not the event's: any redelivery computes the same record.
  const receivedAt = (obj.lastModified ?? clock.now()).toISOString();
  const outcome = await parser.records(key, obj.body, limits, receivedAt);
  const records = outcome.records;
  const ids = [...new Set(records.map((r) => r.id))];
  for (const record of records) await storeArticle(store, record);

  const rejected = outcome.errors.length > 0;
  if (rejected) {
    await storeRejection(store, RejectionSchema.parse({
      schema: 'newsdigest.rejection/1',
      key,
      error: firstError(outcome.errors),
      errors: outcome.errors,
      articles: ids.length,
      size: obj.body.length,
      rejectedAt: now,
    }));
  }

  const manifest: SourceManifest = {
    schema: 'newsdigest.source/1',
    key,
    etag: obj.etag,
    articles: ids,
    rejected,
    ingestedAt: now,
  };
  const body = toJson(manifest);
  const done = (): IngestResult =>
    ids.length === 0 ? { key, status: 'rejected', error: firstError(outcome.errors) } : { key, status: 'ingested', articles: ids, errors: outcome.errors.length };
  if (createOnly && (await store.putIfAbsent(manifestKey(key), body, JSON_TYPE))) return done();
  if (previous === undefined) {
    previous = await readJson(store, manifestKey(key), SourceManifestSchema);
    if (previous && unchanged(previous)) return { key, status: 'unchanged', articles: previous.articles };
  }

  // Articles this key produced before but no longer does (the object was overwritten).
  for (const stale of previous?.articles.filter((id) => !ids.includes(id)) ?? []) {
    const old = await readJson(store, articleKey(stale), ArticleRecordSchema);
    if (old && old.source.key === key) await store.delete(articleKey(stale));
  }
  if (!rejected && previous?.rejected) await store.delete(rejectionKey(key)); // the key was fixed by a new upload

  await store.put(manifestKey(key), body, JSON_TYPE);
  return done();
}

function firstError(errors: Array<{ error: string; line?: number }>): string {
  const first = errors[0];
  if (!first) return 'no article found';
  return first.line !== undefined ? `line ${first.line}: ${first.error}` : first.error;
}
