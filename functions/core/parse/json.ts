// JSON and JSON Lines exports: one article object, an array of them, or a container holding such an array
// (`articles`, `items`, `data`, ...; JSON Feed and schema.org JSON-LD `@graph` too). Each entry is validated
// on its own, so one bad entry or line is reported with its position and the rest go on.
import * as z from 'zod';
import type { ParsedArticle } from '../schema.ts';
import { ParseError } from './errors.ts';
import {
  bodyToText, describeIssues, dropTrailers, joinNames, lineToText, normaliseDate, normaliseLanguage, normaliseName, normaliseUrl, titleFromText,
} from './fields.ts';
import type { ParsedItem } from './index.ts';
import type { ParseLimits } from './limits.ts';

const Nullish = z.null().optional();
/** WordPress REST API fields: `{"rendered": "<p>…</p>"}`. */
const Rendered = z.object({ rendered: z.string() }).transform((o) => o.rendered);
/** A short text: strings, and finite numbers (a headline "2024"). */
const Line = z.union([z.string(), z.number().refine(Number.isFinite).transform(String), Rendered, Nullish], { error: 'expected a string' });
/** A body: a string (HTML allowed), an array of paragraph strings, or a rendered object. */
const Body = z.union([z.string(), z.array(z.string()).max(100_000), Rendered, Nullish], { error: 'expected a string or an array of strings' });
const NamedObject = z.object({ name: z.string().nullish() });
const OneName = z.union([z.string(), NamedObject]);
/** A person or organisation: "Jane", {name: "Jane"}, or an array of either. */
const Names = z.union([OneName, z.array(z.union([OneName, z.null()])).max(1000), Nullish]);
const AnyNumber = z.custom<number>((v) => typeof v === 'number');
const DateValue = z.union([z.string(), AnyNumber, Nullish]);
const Url = z.union([z.string(), Nullish]);

// The title decides whether an entry is usable, so a wrong type there rejects the entry with the reason.
// Every other field is optional metadata or one body candidate among several: a value of the wrong type
// (a WordPress numeric author id, a date of 1e400, a description object) is dropped, not fatal.
const lenient = <T extends z.ZodType>(schema: T) => schema.catch(null as never);

/** Every field name we recognise; unknown fields are ignored (zod strips them), so they cannot leak or pollute. */
export const JsonEntrySchema = z.object({
  title: Line, headline: Line, name: lenient(Line),
  text: lenient(Body), body: lenient(Body), content: lenient(Body), articleBody: lenient(Body), article_body: lenient(Body),
  content_html: lenient(Body), content_text: lenient(Body), description: lenient(Body), summary: lenient(Body), excerpt: lenient(Body),
  url: lenient(Url), link: lenient(Url), canonical_url: lenient(Url), canonicalUrl: lenient(Url), external_url: lenient(Url),
  permalink: lenient(Url),
  source: lenient(Names), publisher: lenient(Names), site_name: lenient(Names), siteName: lenient(Names),
  author: lenient(Names), byline: lenient(Names), authors: lenient(Names), creator: lenient(Names),
  _embedded: lenient(z.object({ author: lenient(Names) }).optional()),
  publishedAt: lenient(DateValue), published_at: lenient(DateValue), date: lenient(DateValue), pubDate: lenient(DateValue),
  datePublished: lenient(DateValue), published: lenient(DateValue), date_published: lenient(DateValue),
  publishDate: lenient(DateValue), created_at: lenient(DateValue), dateCreated: lenient(DateValue), date_gmt: lenient(DateValue),
  language: lenient(Line), lang: lenient(Line), inLanguage: lenient(Line),
});
type JsonEntry = z.infer<typeof JsonEntrySchema>;

/** Keys under which a container object holds its entries. */
const CONTAINER_KEYS = ['articles', 'items', 'data', 'entries', 'results', 'posts', 'stories', 'documents', 'docs', '@graph'];

interface Context {
  /** Publisher named by the container, used when an entry names none. */
  publisher: string | null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function own(obj: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function firstString(...values: Array<string | null | undefined>): string | null {
  for (const v of values) if (typeof v === 'string' && v.trim()) return v;
  return null;
}

type NamesValue = z.infer<typeof Names>;
function namesOf(v: NamesValue): Array<string | null | undefined> {
  if (v === null || v === undefined) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((n) => (n === null ? null : typeof n === 'string' ? n : n.name));
}

function bodyOf(v: z.infer<typeof Body>): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(bodyToText).filter(Boolean).join('\n\n');
  return bodyToText(v);
}

/** The NewsAPI style "… [+1234 chars]" tail marks a truncated body, not text. */
function stripTruncationMarker(text: string): string {
  // The regex, unanchored and starting with \s*, is tried at every space of the body: only run it when it can match.
  return (text.includes(' chars]') ? text.replace(/\s*(?:…|\.\.\.)?\s*\[\+\d+ chars\]\s*$/, '') : text).trim();
}

function toArticle(e: JsonEntry, ctx: Context): ParsedArticle | string {
  // The longest body-like field is the body: exports often carry both a teaser and the full text.
  const bodies = [e.articleBody, e.article_body, e.body, e.text, e.content, e.content_html, e.content_text, e.description, e.summary, e.excerpt]
    .map(bodyOf)
    .map(stripTruncationMarker)
    .map(dropTrailers);
  const text = bodies.reduce((best, b) => (b.length > best.length ? b : best), '');
  if (!text) return 'entry has no text (no text, body, content, articleBody or description field)';
  const rawTitle = firstString(e.title, e.headline, e.name);
  const title = (rawTitle ? lineToText(rawTitle) : '') || titleFromText(text);
  if (!title) return 'entry has no title';
  const url = [e.url, e.link, e.canonical_url, e.canonicalUrl, e.external_url, e.permalink]
    .map((u) => normaliseUrl(u))
    .find((u) => u !== null) ?? null;
  const publisher = joinNames([...namesOf(e.source), ...namesOf(e.publisher), ...namesOf(e.site_name), ...namesOf(e.siteName)].slice(0, 1))
    ?? ctx.publisher;
  const author = joinNames([...namesOf(e.author), ...namesOf(e.byline), ...namesOf(e.authors), ...namesOf(e.creator)])
    ?? joinNames(namesOf(e._embedded?.author));
  const publishedAt = [e.publishedAt, e.published_at, e.datePublished, e.date_published, e.pubDate, e.published, e.publishDate, e.date, e.date_gmt, e.dateCreated, e.created_at]
    .map(normaliseDate)
    .find((d) => d !== null) ?? null;
  const language = normaliseLanguage(firstString(e.language, e.lang, e.inLanguage));
  return { title, text, publisher, author, publishedAt, url, language };
}

function entryToItem(value: unknown, ctx: Context, line?: number): ParsedItem {
  const at = line !== undefined ? { line } : {};
  if (!isRecord(value)) {
    const kind = Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`;
    return { ok: false, error: `entry is ${kind}, not an article object`, ...at };
  }
  const parsed = JsonEntrySchema.safeParse(value);
  if (!parsed.success) return { ok: false, error: `invalid entry: ${describeIssues(parsed.error)}`, ...at };
  const article = toArticle(parsed.data, ctx);
  return typeof article === 'string' ? { ok: false, error: article, ...at } : { ok: true, article, ...at };
}

function containerPublisher(obj: Record<string, unknown>): string | null {
  for (const key of ['publisher', 'source', 'site_name', 'siteName']) {
    const v = own(obj, key);
    if (typeof v === 'string') return normaliseName(v);
    if (isRecord(v) && typeof own(v, 'name') === 'string') return normaliseName(own(v, 'name') as string);
  }
  // JSON Feed: the feed's title names the publisher.
  const version = own(obj, 'version');
  const title = own(obj, 'title');
  if (typeof version === 'string' && version.includes('jsonfeed.org') && typeof title === 'string') return normaliseName(title);
  return null;
}

/** In a JSON-LD graph, the article nodes (or every node when none is typed as an article). */
function articlesOfGraph(graph: unknown[]): unknown[] {
  const articles = graph.filter((n) => {
    if (!isRecord(n)) return false;
    const type = own(n, '@type');
    const types = Array.isArray(type) ? type : [type];
    return types.some((t) => typeof t === 'string' && /Article|Posting|Report/.test(t));
  });
  return articles.length ? articles : graph;
}

/** The entries of a parsed document and the container's publisher, looking at most a few containers deep. */
function entriesOf(doc: unknown): { entries: unknown[]; ctx: Context } {
  let node = doc;
  let publisher: string | null = null;
  for (let depth = 0; depth < 4; depth++) {
    if (Array.isArray(node)) return { entries: node, ctx: { publisher } };
    if (!isRecord(node)) break;
    const key = CONTAINER_KEYS.find((k) => {
      const v = own(node as Record<string, unknown>, k);
      return Array.isArray(v) || (isRecord(v) && CONTAINER_KEYS.some((k2) => Object.hasOwn(v, k2)));
    });
    if (!key) break;
    publisher = containerPublisher(node) ?? publisher;
    node = key === '@graph' ? articlesOfGraph(own(node, key) as unknown[]) : own(node, key);
  }
  if (isRecord(node)) return { entries: [node], ctx: { publisher } };
  const kind = node === null ? 'null' : typeof node;
  throw new ParseError(`JSON holds ${kind === 'object' ? 'an unexpected value' : `a ${kind}`}, not an article object or array`);
}

function truncationNotice(total: number, limits: ParseLimits): ParsedItem {
  return { ok: false, error: `only the first ${limits.maxArticlesPerFile} of ${total} entries were read (maxArticlesPerFile)` };
}

function describeJsonError(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.length > 200 ? `${msg.slice(0, 200)}…` : msg;
}

function parseLines(text: string, limits: ParseLimits): ParsedItem[] {
  const items: ParsedItem[] = [];
  const ctx: Context = { publisher: null };
  let entries = 0;
  let start = 0;
  let lineNo = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (!line) continue;
    entries++;
    if (entries > limits.maxArticlesPerFile) continue; // only counted, for the notice
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      items.push({ ok: false, error: `invalid JSON: ${describeJsonError(e)}`, line: lineNo });
      continue;
    }
    items.push(entryToItem(value, ctx, lineNo));
  }
  if (entries === 0) throw new ParseError('JSON Lines file has no entries');
  if (entries > limits.maxArticlesPerFile) items.push(truncationNotice(entries, limits));
  return items;
}

/** A `.json` that does not parse as one document but whose first lines are each a JSON object is JSON Lines. */
function looksLikeJsonLines(text: string): boolean {
  const lines = text.split('\n', 50).map((l) => l.trim()).filter(Boolean).slice(0, 2);
  if (lines.length < 2) return false;
  return lines.every((l) => {
    try {
      return isRecord(JSON.parse(l));
    } catch {
      return false;
    }
  });
}

export function parseJsonExport(text: string, opts: { fileName: string; lines: boolean; limits: ParseLimits }): ParsedItem[] {
  const body = text.replace(/^\uFEFF/, '');
  if (opts.lines) return parseLines(body, opts.limits);
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (e) {
    if (looksLikeJsonLines(body)) return parseLines(body, opts.limits);
    throw new ParseError(`invalid JSON: ${describeJsonError(e)}`);
  }
  const { entries, ctx } = entriesOf(doc);
  if (entries.length === 0) throw new ParseError('JSON holds no entries (empty array)');
  const items = entries.slice(0, opts.limits.maxArticlesPerFile).map((entry) => entryToItem(entry, ctx));
  if (entries.length > opts.limits.maxArticlesPerFile) items.push(truncationNotice(entries.length, opts.limits));
  return items;
}
