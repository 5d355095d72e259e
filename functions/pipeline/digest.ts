// Rebuild the current edition from every stored article record and publish it under digests/.
import { buildEdition, editionFor, inWindow, type Edition } from '../core/edition.ts';
import type { RenderedEdition } from '../core/render.ts';
import type { Clock, ObjectStore } from '../core/ports.ts';
import { ArticleRecordSchema, type ArticleRecord } from '../core/schema.ts';
import { PREFIX } from '../triggers.ts';

export interface DigestDeps {
  store: ObjectStore;
  clock: Clock;
  render: (edition: Edition) => RenderedEdition;
  title: string;
  windowHours: number;
  timeZone: string;
  log?: (entry: Record<string, unknown>) => void;
}

export type DigestResult =
  | { status: 'empty'; edition: string; articles: 0 }
  | { status: 'published'; edition: string; keys: string[]; counts: Edition['counts'] };

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

export async function loadArticleRecords(store: ObjectStore, log?: DigestDeps['log']): Promise<ArticleRecord[]> {
  const keys: string[] = [];
  for await (const o of store.list(PREFIX.articles)) if (o.key.endsWith('.json')) keys.push(o.key);
  const loaded = await mapLimit(keys, 16, async (key) => {
    const obj = await store.get(key);
    if (!obj) return null; // deleted since listing (an overwritten source)
    try {
      return ArticleRecordSchema.parse(JSON.parse(new TextDecoder().decode(obj.body)));
    } catch (e) {
      log?.({ level: 'warn', msg: 'skipping invalid article record', key, error: String(e) });
      return null;
    }
  });
  return loaded.filter((r): r is ArticleRecord => r !== null).sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * Idempotent: the same records in any order give the same bytes. An empty window publishes nothing
 * (never an empty edition).
 */
export async function publishDigest(deps: DigestDeps): Promise<DigestResult> {
  const { store, clock } = deps;
  const { edition: day, window } = editionFor(clock.now(), deps.windowHours, deps.timeZone);
  const records = inWindow(await loadArticleRecords(store, deps.log), window);
  if (records.length === 0) return { status: 'empty', edition: day, articles: 0 };
  const edition = buildEdition(records, { edition: day, title: deps.title, window });
  const rendered = deps.render(edition);
  const keys: string[] = [];
  // The edition's own folder first, then latest/: a reader of latest/ never sees a missing part.
  for (const folder of [`${PREFIX.digests}${day}/`, `${PREFIX.digests}latest/`]) {
    for (const [part, file] of Object.entries(DIGEST_FILES) as Array<[keyof RenderedEdition, (typeof DIGEST_FILES)[keyof typeof DIGEST_FILES]]>) {
      const key = `${folder}${file.name}`;
      await store.put(key, rendered[part], file.type);
      keys.push(key);
    }
  }
  return { status: 'published', edition: day, keys, counts: edition.counts };
}
