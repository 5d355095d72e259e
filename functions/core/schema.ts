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
  /**
   * Which path produced the text: for a web page, Readability after our pre-clean (`readability`), the container
   * holding most of the page's prose when Readability kept a fragment of it (`prose-container`), Readability
   * over the untouched page, the densest text block, or the page's JSON-LD `articleBody`; `stated` where the
   * file states its body (plain text, JSON, feeds). Optional: records stored before it was added have none.
   */
  extraction: z.enum(['readability', 'prose-container', 'readability-untouched', 'densest-block', 'json-ld', 'stated']).optional(),
});
export type ParsedArticle = z.infer<typeof ParsedArticleSchema>;
export type Extraction = NonNullable<ParsedArticle['extraction']>;
export type HtmlExtraction = Exclude<Extraction, 'stated'>;

export const ArticleFormat = z.enum(['text', 'html', 'json', 'feed']);
export type ArticleFormat = z.infer<typeof ArticleFormat>;

/**
 * One article, as stored in its source record. The id is the content's hash: the same text uploaded under two
 * keys is one article (the digest keeps the earliest copy, see `preferredRecord`).
 */
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

/**
 * `sources/<original key>.json`: what one input object produced, its articles included. One object per input
 * file, written once by ingest and read once by the digest: a file costs one write and one read beyond its own
 * upload and fetch, however many articles it holds. Its ETag makes a redelivered event a no-op, and an
 * overwritten file replaces its articles in one step.
 */
export const SourceRecordSchema = z.object({
  schema: z.literal('newsdigest.source/2'),
  key: z.string(),
  etag: z.string().nullable(),
  /** The file's articles, one per distinct id, in file order. */
  articles: z.array(ArticleRecordSchema),
  rejected: z.boolean(),
  ingestedAt: IsoDate,
});
export type SourceRecord = z.infer<typeof SourceRecordSchema>;
