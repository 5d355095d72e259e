// The records that cross a boundary (S3 objects, CLI output), each validated with zod.
import * as z from 'zod';
import { FingerprintSchema } from './fingerprint.ts';

export const IsoDate = z.iso.datetime({ offset: true });

/** What a parser extracts from one article, before ids and fingerprints. */
export const ParsedArticleSchema = z.object({
  title: z.string().min(1),
  /** Clean body: paragraphs separated by a blank line, no clutter. */
  text: z.string().min(1),
  publisher: z.string().min(1).nullable(),
  author: z.string().min(1).nullable(),
  publishedAt: IsoDate.nullable(),
  url: z.url({ protocol: /^https?$/ }).nullable(),
  language: z.string().length(2).nullable(),
});
export type ParsedArticle = z.infer<typeof ParsedArticleSchema>;

export const ArticleFormat = z.enum(['text', 'html', 'json', 'feed']);
export type ArticleFormat = z.infer<typeof ArticleFormat>;

/** One stored article: `articles/<id>.json`. Content-addressed, so re-ingesting the same text is a no-op. */
export const ArticleRecordSchema = ParsedArticleSchema.extend({
  schema: z.literal('newsdigest.article/1'),
  id: z.string().regex(/^a_[0-9a-f]{16}$/),
  format: ArticleFormat,
  words: z.number().int().nonnegative(),
  source: z.object({
    /** Object key (or local path) the article came from. */
    key: z.string().min(1),
    /** Position of the article inside its file (feeds and JSON Lines hold several). */
    index: z.number().int().nonnegative(),
    /** When the source object was created (S3 event time), used for the edition window. */
    receivedAt: IsoDate,
  }),
  fingerprint: FingerprintSchema,
});
export type ArticleRecord = z.infer<typeof ArticleRecordSchema>;

/** `rejected/<original key>.error.json`: why a file produced no article. The original stays put. */
export const RejectionSchema = z.object({
  schema: z.literal('newsdigest.rejection/1'),
  key: z.string(),
  /** One line: why the file (or its first failing entry) was refused. */
  error: z.string().min(1),
  /** Every failing entry of a multi-article file (a bad JSON line, an empty feed item). */
  errors: z.array(z.object({ error: z.string(), line: z.number().int().optional(), index: z.number().int().optional() })),
  /** Articles the same file still produced (a JSON Lines file with one bad line). */
  articles: z.number().int().nonnegative(),
  size: z.number().int().nonnegative(),
  rejectedAt: IsoDate,
});
export type Rejection = z.infer<typeof RejectionSchema>;

/** `sources/<original key>.json`: what one input object produced, so a redelivered event is a no-op. */
export const SourceManifestSchema = z.object({
  schema: z.literal('newsdigest.source/1'),
  key: z.string(),
  etag: z.string().nullable(),
  articles: z.array(z.string()),
  rejected: z.boolean(),
  ingestedAt: IsoDate,
});
export type SourceManifest = z.infer<typeof SourceManifestSchema>;
