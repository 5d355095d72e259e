// Ingest one uploaded object: parse it, store one record per article, or a rejection report beside the original.
import { buildArticleRecord, preferredRecord } from '../core/article.ts';
import { derivedKey } from '../core/keys.ts';
import type { ParseLimits } from '../core/parse/limits.ts';
import type { Clock, ObjectStore } from '../core/ports.ts';
import {
  ArticleRecordSchema,
  RejectionSchema,
  SourceManifestSchema,
  type ArticleRecord,
  type SourceManifest,
} from '../core/schema.ts';
import { PREFIX } from '../triggers.ts';
import type { ParseRunner } from './parse-runner.ts';

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
  const obj = await store.get(key);
  if (!obj) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(new TextDecoder().decode(obj.body)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null; // a corrupt record is rewritten, not fatal
  }
}

function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Write the record unless an equal-content record from an earlier source is already stored. */
async function storeArticle(store: ObjectStore, record: ArticleRecord): Promise<void> {
  const key = articleKey(record.id);
  const existing = await readJson(store, key, ArticleRecordSchema);
  if (existing && preferredRecord(existing, record) === existing && existing.source.key !== record.source.key) return;
  await store.put(key, toJson(record), JSON_TYPE);
}

/**
 * Idempotent: the same object (same ETag) ingested twice is a no-op; an overwritten key replaces the
 * articles it produced before. Throws only for store faults, so Lambda retries those.
 */
export async function ingestObject(deps: IngestDeps, key: string): Promise<IngestResult> {
  const { store, clock, limits, parser } = deps;
  if (!key.startsWith(PREFIX.inbox)) return { key, status: 'ignored', reason: `not under ${PREFIX.inbox}` };
  const obj = await store.get(key);
  if (!obj) return { key, status: 'missing' };

  const previous = await readJson(store, manifestKey(key), SourceManifestSchema);
  if (previous && obj.etag && previous.etag === obj.etag) {
    return { key, status: 'unchanged', articles: previous.articles };
  }

  const now = clock.now().toISOString();
  // The object's own timestamp, not the event's: any redelivery computes the same record.
  const receivedAt = (obj.lastModified ?? clock.now()).toISOString();
  const outcome = await parser.parse(key, obj.body, limits);
  const records = outcome.articles.map((a) =>
    buildArticleRecord(a.article, { key, index: a.index, receivedAt, format: a.format }),
  );
  const ids = [...new Set(records.map((r) => r.id))];
  for (const record of records) await storeArticle(store, record);

  // Articles this key produced before but no longer does (the object was overwritten).
  for (const stale of previous?.articles.filter((id) => !ids.includes(id)) ?? []) {
    const old = await readJson(store, articleKey(stale), ArticleRecordSchema);
    if (old && old.source.key === key) await store.delete(articleKey(stale));
  }

  const rejected = outcome.errors.length > 0;
  if (rejected) {
    const report = RejectionSchema.parse({
      schema: 'newsdigest.rejection/1',
      key,
      error: firstError(outcome.errors),
      errors: outcome.errors,
      articles: ids.length,
      size: obj.body.length,
      rejectedAt: now,
    });
    await store.put(rejectionKey(key), toJson(report), JSON_TYPE);
  } else if (previous?.rejected) {
    await store.delete(rejectionKey(key)); // the key was fixed by a new upload
  }

  const manifest: SourceManifest = {
    schema: 'newsdigest.source/1',
    key,
    etag: obj.etag,
    articles: ids,
    rejected,
    ingestedAt: now,
  };
  await store.put(manifestKey(key), toJson(manifest), JSON_TYPE);

  if (ids.length === 0) return { key, status: 'rejected', error: firstError(outcome.errors) };
  return { key, status: 'ingested', articles: ids, errors: outcome.errors.length };
}

function firstError(errors: Array<{ error: string; line?: number }>): string {
  const first = errors[0];
  if (!first) return 'no article found';
  return first.line !== undefined ? `line ${first.line}: ${first.error}` : first.error;
}
