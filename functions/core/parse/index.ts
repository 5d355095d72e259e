// One entry point for every input format: sniff, decode, dispatch, then validate and detect language.
import { ParsedArticleSchema, type ArticleFormat, type ParsedArticle } from '../schema.ts';
import { countWordsUpTo } from '../words.ts';
import { decodeBytes, gunzipLimited, isGzip, repairDoubleEncoded } from './decode.ts';
import { ParseError, isParseError } from './errors.ts';
import { parseHtml } from './html.ts';
import { detectLanguage } from './language.ts';
import { type ParseLimits, defaultParseLimits } from './limits.ts';
import { parseFeed, parseJsonExport } from './structured.ts';
import { parseText } from './text.ts';

/** One article out of a file, or why one entry of a multi-article file was refused. */
export type ParsedItem =
  | { ok: true; article: ParsedArticle; line?: number }
  | { ok: false; error: string; line?: number };

export interface ParseOutcome {
  format: ArticleFormat | null;
  /** Articles in file order; `index` is the position among the file's entries. */
  articles: Array<{ index: number; format: ArticleFormat; article: ParsedArticle }>;
  /** Entries that failed (a bad JSON line, an empty feed item), or the whole file's reason. */
  errors: Array<{ error: string; line?: number; index?: number }>;
}

type Sniffed = 'text' | 'html' | 'json' | 'jsonl' | 'feed';

function extensionOf(name: string): string {
  const base = name.toLowerCase().replace(/\.gz$/, '');
  const dot = base.lastIndexOf('.');
  return dot < 0 ? '' : base.slice(dot + 1);
}

// XML declaration, processing instructions (xml-stylesheet), comments and a DOCTYPE may come before the root.
const PROLOG = String.raw`^(?:<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>\[]*(?:\[[\s\S]*?\])?\s*>|\s)*`;
const FEED_ROOT = new RegExp(`${PROLOG}<(?:[\\w-]+:)?(rss|feed|RDF)\\b`, 'i');
const HTML_ROOT = new RegExp(`${PROLOG}(<!doctype html|<html\\b|<head\\b|<body\\b)`, 'i');

/** Content decides when it is unambiguous; the extension breaks ties. */
export function sniffFormat(name: string, text: string): Sniffed {
  const head = text.slice(0, 16 * 1024).replace(/^\uFEFF/, '').trimStart();
  const ext = extensionOf(name);
  if (FEED_ROOT.test(head)) return 'feed';
  if (HTML_ROOT.test(head)) return 'html';
  if (ext === 'jsonl' || ext === 'ndjson') return 'jsonl';
  if (ext === 'json' || head.startsWith('{') || head.startsWith('[')) return 'json';
  if (ext === 'html' || ext === 'htm' || ext === 'xhtml') return 'html';
  if (ext === 'xml' || ext === 'rss' || ext === 'atom') return 'feed';
  return 'text';
}

function formatOf(s: Sniffed): ArticleFormat {
  return s === 'jsonl' ? 'json' : s;
}

function finish(article: ParsedArticle, format: ArticleFormat, limits: ParseLimits): ParsedArticle {
  const min = format === 'html' ? limits.minWords : limits.minWordsStated;
  const words = countWordsUpTo(article.text, min);
  if (words < min) throw new ParseError(`no article text found (${words} words, need ${min})`);
  // Entities and JSON escapes can spell text encoded twice ("&acirc;&euro;&trade;"): only decoded text shows it.
  const mended = { ...article, text: repairDoubleEncoded(article.text), title: repairDoubleEncoded(article.title),
    author: article.author === null ? null : repairDoubleEncoded(article.author) };
  const withLanguage = {
    ...mended,
    language: article.language ?? detectLanguage(`${mended.title}\n${mended.text}`),
    extraction: article.extraction ?? 'stated',
  };
  const checked = ParsedArticleSchema.safeParse(withLanguage);
  if (!checked.success) throw new ParseError(`invalid article: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return checked.data;
}

// Parsing is pure: whatever it throws is about this file's content (or a parser bug on it), never about
// infrastructure, so it always becomes a rejection instead of a Lambda retry loop.
function describeFailure(e: unknown): string {
  if (isParseError(e)) return e.message;
  if (e instanceof RangeError) return `input too complex to parse (${e.message})`;
  return `parser failed on this file: ${e instanceof Error ? e.message : String(e)}`;
}

/** A plain-text file must have line breaks: one giant line is not an article, and would cost time downstream. */
function checkLineLengths(text: string, maxLineChars: number): void {
  let start = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    const stop = end < 0 ? text.length : end;
    if (stop - start > maxLineChars) {
      throw new ParseError(`line too long: a line of ${stop - start} characters without a line break (limit ${maxLineChars}), not an article`);
    }
    start = stop + 1;
  }
}

/** Parse one input file. Never throws for bad content: every failure is in `errors`. */
export function parseFile(name: string, bytes: Uint8Array, limits: ParseLimits = defaultParseLimits): ParseOutcome {
  const outcome: ParseOutcome = { format: null, articles: [], errors: [] };
  try {
    if (bytes.length > limits.maxFileBytes) {
      throw new ParseError(`file too large: ${bytes.length} bytes (limit ${limits.maxFileBytes})`);
    }
    // Gzip is recognised by its magic bytes, whatever the name says; the name's .gz is ignored for sniffing.
    const raw = isGzip(bytes) ? gunzipLimited(bytes, limits.maxDecompressedBytes) : bytes;
    if (raw !== bytes && raw.length === 0) throw new ParseError('empty file (after gzip decompression)');
    const text = decodeBytes(raw);
    let sniffed = sniffFormat(name, text);
    // Text that merely starts with "[" or "{" ("[Updated] Title") is sniffed as JSON; without a JSON extension,
    // a file that does not parse as JSON is read as text instead.
    let structured: ParsedItem[] | null = null;
    if (sniffed === 'json' && extensionOf(name) !== 'json') {
      try {
        structured = parseJsonExport(text, { fileName: name, lines: false, limits });
      } catch (e) {
        if (!(isParseError(e) && e.message.startsWith('invalid JSON'))) throw e;
        sniffed = 'text';
      }
    }
    const format = formatOf(sniffed);
    outcome.format = format;
    let items: ParsedItem[];
    switch (sniffed) {
      case 'text':
        checkLineLengths(text, limits.maxLineChars ?? defaultParseLimits.maxLineChars);
        items = [{ ok: true, article: parseText(text) }];
        break;
      case 'html': items = [{ ok: true, article: parseHtml(text, { fileName: name, minWords: limits.minWords }) }]; break;
      case 'json': items = structured ?? parseJsonExport(text, { fileName: name, lines: false, limits }); break;
      case 'jsonl': items = parseJsonExport(text, { fileName: name, lines: true, limits }); break;
      case 'feed': items = parseFeed(text, { fileName: name, limits }); break;
    }
    // The structured parsers cap themselves at maxArticlesPerFile and add a notice entry when they do.
    items.slice(0, limits.maxArticlesPerFile + 1).forEach((item, index) => {
      const at = item.line !== undefined ? { line: item.line } : {};
      if (!item.ok) {
        outcome.errors.push({ error: item.error, index, ...at });
        return;
      }
      try {
        outcome.articles.push({ index, format, article: finish(item.article, format, limits) });
      } catch (e) {
        outcome.errors.push({ error: describeFailure(e), index, ...at });
      }
    });
    if (outcome.articles.length === 0 && outcome.errors.length === 0) throw new ParseError('no article found');
  } catch (e) {
    outcome.errors.push({ error: describeFailure(e) });
  }
  return outcome;
}
