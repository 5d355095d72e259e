// A file's stored records in one step: parse, then id, word count and fingerprint for each article. Runs where
// the parser runs (the bounded worker), so a file whose articles are costly to fingerprint is bounded too.
import { buildArticleRecord } from './article.ts';
import { parseFile, type ParseOutcome } from './parse/index.ts';
import type { ParseLimits } from './parse/limits.ts';
import type { ArticleRecord } from './schema.ts';

export interface RecordsOutcome {
  format: ParseOutcome['format'];
  /** One per article, in file order. */
  records: ArticleRecord[];
  errors: ParseOutcome['errors'];
}

/** `key` names the source in each record; `receivedAt` is the object's own timestamp (same on every redelivery). */
export function parseRecords(key: string, bytes: Uint8Array, limits: ParseLimits, receivedAt: string): RecordsOutcome {
  const outcome = parseFile(key, bytes, limits);
  return {
    format: outcome.format,
    records: outcome.articles.map((a) => buildArticleRecord(a.article, { key, index: a.index, receivedAt, format: a.format })),
    errors: outcome.errors,
  };
}
