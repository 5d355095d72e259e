// From a parsed article to the stored record: content-addressed id, word count, fingerprint.
import { createHash } from 'node:crypto';
import { fingerprintArticle } from './fingerprint.ts';
import { countWords, wordKey } from './words.ts';
import { ArticleRecordSchema, type ArticleFormat, type ArticleRecord, type ParsedArticle } from './schema.ts';

/** Letters and digits only, lower-cased: two bodies differing only in spacing, quotes or punctuation are one article. */
export function normalizeBody(text: string): string {
  return wordKey(text);
}

export function articleId(text: string): string {
  return `a_${createHash('sha256').update(normalizeBody(text)).digest('hex').slice(0, 16)}`;
}

export function buildArticleRecord(
  parsed: ParsedArticle,
  source: { key: string; index: number; receivedAt: string; format: ArticleFormat },
): ArticleRecord {
  return ArticleRecordSchema.parse({
    schema: 'newsdigest.article/1',
    id: articleId(parsed.text),
    ...parsed,
    format: source.format,
    words: countWords(parsed.text),
    source: { key: source.key, index: source.index, receivedAt: source.receivedAt },
    fingerprint: fingerprintArticle(parsed),
  });
}

/**
 * Which of two records of the same content to keep, independent of arrival order:
 * the one received first, then the smaller source key and index.
 */
export function preferredRecord(a: ArticleRecord, b: ArticleRecord): ArticleRecord {
  const ka = [a.source.receivedAt, a.source.key, String(a.source.index).padStart(8, '0')];
  const kb = [b.source.receivedAt, b.source.key, String(b.source.index).padStart(8, '0')];
  for (let i = 0; i < ka.length; i++) {
    if (ka[i]! < kb[i]!) return a;
    if (ka[i]! > kb[i]!) return b;
  }
  return a;
}

/** One record per id, the preferred copy of each (see preferredRecord), in the order the ids first appear. */
export function preferredCopies(records: Iterable<ArticleRecord>): ArticleRecord[] {
  const byId = new Map<string, ArticleRecord>();
  for (const r of records) {
    const seen = byId.get(r.id);
    byId.set(r.id, seen ? preferredRecord(seen, r) : r);
  }
  return [...byId.values()];
}
