// Ingest one uploaded object: parse it into one source record holding its articles, plus a rejection report
// beside the original when something in it could not be read.
import { preferredCopies } from '../core/article.ts';
import { derivedKey } from '../core/keys.ts';
import type { ParseLimits } from '../core/parse/limits.ts';
import type { Clock, ObjectStore } from '../core/ports.ts';
import { RejectionSchema, SourceRecordSchema, type Rejection, type SourceRecord } from '../core/schema.ts';
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

export function rejectionKey(key: string): string {
  return derivedKey(PREFIX.rejected, key, '.error.json');
}
export function sourceRecordKey(key: string): string {
  return derivedKey(PREFIX.sources, key, '.json');
}

type Schema<T> = { safeParse(v: unknown): { success: true; data: T } | { success: false } };

/** The parsed object; null when absent or unreadable (a corrupt or older-format object is rewritten, not fatal). */
async function readJson<T>(store: ObjectStore, key: string, schema: Schema<T>): Promise<T | null> {
  const obj = await store.get(key);
  if (!obj) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(new TextDecoder().decode(obj.body)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Write the rejection report. A report already there that says the same (all but its time) is kept: a
 * redelivered event leaves the first report as it was.
 */
async function storeRejection(store: ObjectStore, report: Rejection): Promise<void> {
  const key = rejectionKey(report.key);
  const body = toJson(report);
  if (await store.putIfAbsent(key, body, JSON_TYPE)) return;
  const stored = await readJson(store, key, RejectionSchema);
  if (stored && toJson({ ...stored, rejectedAt: report.rejectedAt }) === body) return;
  await store.put(key, body, JSON_TYPE);
}

/**
 * Idempotent: the same object (same ETag) ingested twice is a no-op; an overwritten key replaces the
 * articles it produced before (they live in its source record, so one write swaps them all).
 * Throws only for store faults, so Lambda retries those.
 *
 * The source record is written last: it says the key is done. A first upload, by far the common case, needs
 * no look at an earlier record: it is created with a conditional write, and only when one exists is it read
 * (a redelivery: same ETag, nothing to do; an overwrite: the record is replaced, and a rejection the new
 * content no longer earns is removed).
 */
export async function ingestObject(deps: IngestDeps, key: string): Promise<IngestResult> {
  const { store, clock, limits, parser } = deps;
  if (!key.startsWith(PREFIX.inbox)) return { key, status: 'ignored', reason: `not under ${PREFIX.inbox}` };
  const obj = await store.get(key);
  if (!obj) return { key, status: 'missing' };

  const now = clock.now().toISOString();
  // The object's own timestamp, not the event's: any redelivery computes the same record. Never after now: a
  // clock set in the past (a replay of earlier days) receives the object at its own time.
  const receivedAt = new Date(Math.min((obj.lastModified ?? clock.now()).getTime(), clock.now().getTime())).toISOString();
  const outcome = await parser.records(key, obj.body, limits, receivedAt);
  // A file may hold the same article twice: one record per id, in file order (the records come in index order).
  const articles = preferredCopies(outcome.records);
  const ids = articles.map((a) => a.id);

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

  const record: SourceRecord = { schema: 'newsdigest.source/2', key, etag: obj.etag, articles, rejected, ingestedAt: now };
  const body = toJson(record);
  const done = (): IngestResult =>
    ids.length === 0 ? { key, status: 'rejected', error: firstError(outcome.errors) } : { key, status: 'ingested', articles: ids, errors: outcome.errors.length };
  if (await store.putIfAbsent(sourceRecordKey(key), body, JSON_TYPE)) return done();
  const previous = await readJson(store, sourceRecordKey(key), SourceRecordSchema);
  if (previous && obj.etag && previous.etag === obj.etag) return { key, status: 'unchanged', articles: previous.articles.map((a) => a.id) };
  if (!rejected && previous?.rejected) await store.delete(rejectionKey(key)); // the key was fixed by a new upload
  await store.put(sourceRecordKey(key), body, JSON_TYPE);
  return done();
}

function firstError(errors: Array<{ error: string; line?: number }>): string {
  const first = errors[0];
  if (!first) return 'no article found';
  return first.line !== undefined ? `line ${first.line}: ${first.error}` : first.error;
}
