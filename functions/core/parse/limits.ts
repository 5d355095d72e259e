import * as z from 'zod';

/** Limits on what one input file may cost. Configuration, with defaults sized for a Lambda of 1 GB. */
export const ParseLimitsSchema = z.object({
  /** Largest input object accepted, in bytes (compressed size for .gz). */
  maxFileBytes: z.number().int().positive().default(50 * 1024 * 1024),
  /** Largest decompressed size of a .gz input: stops gzip bombs. */
  maxDecompressedBytes: z.number().int().positive().default(100 * 1024 * 1024),
  /** Most articles taken from one feed or JSON export. */
  maxArticlesPerFile: z.number().int().positive().default(5000),
  /** Longest line a plain-text file may have: a text without line breaks is not an article (and would be slow). */
  maxLineChars: z.number().int().positive().default(1_000_000),
  /**
   * Fewest words for text extracted from a web page to count as an article. Extraction can pick up a page's
   * furniture ("Page not found. Back to home."), so a text under 50 words must also read as prose (a sentence,
   * few links) and not as an error page (html/verdict.ts): a brief of a few sentences passes, a label soup does not.
   */
  minWords: z.number().int().nonnegative().default(10),
  /** Fewest words where the file states its body (plain text, JSON, feeds): a one-sentence brief is news. */
  minWordsStated: z.number().int().nonnegative().default(6),
});
export type ParseLimits = z.infer<typeof ParseLimitsSchema>;
export const defaultParseLimits: ParseLimits = ParseLimitsSchema.parse({});
