// RSS 2.0 (and 0.9x), Atom 1.0 (and 0.3) and RSS 1.0 / RDF feeds: one article per item.
//
// Safety: the DOCTYPE is removed before parsing and the XML parser's own entity processing is off, so no
// external entity is ever resolved and no entity is ever expanded (billion laughs parses as inert text).
// Entities are decoded afterwards, one level, by a fixed HTML/XML table. Rich fields (description, content,
// content:encoded, summary, title) are kept raw by the parser (stop nodes) and converted to text here, so
// escaped HTML, CDATA and inline XHTML all end as the same clean paragraphs.
import { decodeHTML } from 'entities';
import { XMLParser } from 'fast-xml-parser';
import type { ParsedArticle } from '../schema.ts';
import { ParseError } from './errors.ts';
import {
  bodyToText, dropTrailers, htmlToText, joinNames, lineToText, normaliseDate, normaliseLanguage, normaliseUrl, plainToText, titleFromText,
} from './fields.ts';
import type { ParsedItem } from './index.ts';
import type { ParseLimits } from './limits.ts';

/** Elements whose content may be markup: kept raw by the parser and converted here. */
const RICH = ['title', 'description', 'content', 'summary', 'content:encoded', 'subtitle'];

const xmlOptions = {
  processEntities: false,
  htmlEntities: false,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  removeNSPrefix: false,
  stopNodes: RICH.map((t) => `*.${t}`),
  maxNestedTags: 200,
} as const;

type XmlNode = Record<string, unknown>;

function isNode(v: unknown): v is XmlNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function list(v: unknown): unknown[] {
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
}

function child(node: XmlNode, ...names: string[]): unknown {
  for (const n of names) if (Object.hasOwn(node, n)) return node[n];
  return undefined;
}

/** The first key whose local name (after any namespace prefix) is one of `locals`. */
function childByLocal(node: XmlNode, ...locals: string[]): unknown[] {
  const out: unknown[] = [];
  for (const key of Object.keys(node)) {
    const local = key.slice(key.indexOf(':') + 1);
    if (locals.includes(local)) out.push(...list(node[key]));
  }
  return out;
}

function attr(node: unknown, name: string): string | null {
  if (!isNode(node)) return null;
  const v = node[`@_${name}`];
  return typeof v === 'string' ? decodeHTML(v) : null;
}

const CDATA_RE = /<!\[CDATA\[([\s\S]*?)\]\]>/g;

/** Plain content of a simple element (name, link, date), entities decoded. */
function textOf(v: unknown): string | null {
  const first = Array.isArray(v) ? v[0] : v;
  const raw = isNode(first) ? first['#text'] : first;
  if (typeof raw !== 'string') return null;
  const s = raw.replace(CDATA_RE, '$1');
  return decodeHTML(s).trim() || null;
}

/**
 * A rich element's raw content to text. `type` is Atom's content type; RSS content is HTML (escaped or CDATA).
 * Raw content with real tags outside CDATA is inline markup (Atom xhtml, or a sloppy feed): parsed as HTML directly.
 */
function richOf(v: unknown, mode: 'body' | 'line'): string {
  const first = Array.isArray(v) ? v[0] : v;
  let raw: unknown = first;
  let type: string | null = null;
  if (isNode(first)) {
    if (attr(first, 'src')) return ''; // out-of-line Atom content
    raw = first['#text'];
    type = attr(first, 'type')?.toLowerCase() ?? null;
  }
  if (typeof raw !== 'string' || !raw.trim()) return '';
  const outside = raw.replace(CDATA_RE, '');
  if (type === 'xhtml' || type === 'application/xhtml+xml' || /<[a-zA-Z/!]/.test(outside)) {
    const html = raw.replace(CDATA_RE, '$1');
    return mode === 'body' ? htmlToText(html) : lineToText(html);
  }
  // Escaped text: decode entities outside CDATA sections, keep CDATA verbatim.
  let value = '';
  let last = 0;
  for (const m of raw.matchAll(CDATA_RE)) {
    value += decodeHTML(raw.slice(last, m.index)) + (m[1] ?? '');
    last = m.index + m[0].length;
  }
  value += decodeHTML(raw.slice(last));
  if (type === 'text' || type === 'text/plain') return mode === 'body' ? plainToText(value) : value.replace(/\s+/g, ' ').trim();
  return mode === 'body' ? bodyToText(value) : lineToText(value);
}

function longest(texts: string[]): string {
  return texts.reduce((best, t) => (t.length > best.length ? t : best), '');
}

function firstDate(values: unknown[]): string | null {
  for (const v of values) {
    for (const one of list(v)) {
      const d = normaliseDate(textOf(one));
      if (d) return d;
    }
  }
  return null;
}

interface FeedContext {
  publisher: string | null;
  base: string | null;
  language: string | null;
  authors: string | null;
}

function toItem(parsed: ParsedArticle): ParsedItem {
  const article = { ...parsed, text: dropTrailers(parsed.text) };
  if (!article.text) return { ok: false, error: 'feed item has no text (no description or content)' };
  const title = article.title || titleFromText(article.text);
  if (!title) return { ok: false, error: 'feed item has no title' };
  return { ok: true, article: { ...article, title } };
}

/** RSS 0.9x/2.0 and RSS 1.0 items share their field names. */
function rssItem(item: unknown, ctx: FeedContext): ParsedItem {
  if (!isNode(item)) return { ok: false, error: 'feed item is empty' };
  const text = longest([
    ...childByLocal(item, 'encoded').map((v) => richOf(v, 'body')),
    richOf(child(item, 'content'), 'body'),
    richOf(child(item, 'description', 'rss:description'), 'body'),
    richOf(child(item, 'summary', 'atom:summary'), 'body'),
  ]);
  const title = richOf(child(item, 'title', 'rss:title'), 'line');
  const guid = child(item, 'guid');
  const guidUrl = attr(guid, 'isPermaLink') === 'false' ? null : normaliseUrl(textOf(guid), ctx.base);
  const atomLinks = list(child(item, 'atom:link')).map((l) => normaliseUrl(attr(l, 'href'), ctx.base));
  const url = normaliseUrl(textOf(child(item, 'link', 'rss:link')), ctx.base)
    ?? normaliseUrl(attr(item, 'rdf:about'), ctx.base) ?? guidUrl ?? atomLinks.find(Boolean) ?? null;
  const author = joinNames([
    ...list(child(item, 'author')).map(textOf),
    ...childByLocal(item, 'creator').map(textOf),
  ]);
  // The item's own source (RSS <source>, dc:publisher) names the publisher of a syndicated item.
  const ownPublisher = [textOf(child(item, 'source')), ...childByLocal(item, 'publisher').map(textOf)].find(Boolean);
  const publisher = joinNames([ownPublisher]) ?? ctx.publisher;
  const publishedAt = firstDate([child(item, 'pubDate'), ...childByLocal(item, 'date', 'published', 'issued', 'created', 'updated', 'modified')]);
  const language = normaliseLanguage(childByLocal(item, 'language').map(textOf)[0]) ?? ctx.language;
  return toItem({ title, text, publisher, author, publishedAt, url, language });
}

/** Atom's page link: the `alternate` (or rel-less) link, HTML first; else any link; else a bare `<link>url</link>`. */
function atomHref(links: unknown, base: string | null): string | null {
  const all = list(links);
  const nodes = all.filter(isNode);
  const alternates = nodes.filter((l) => (attr(l, 'rel') ?? 'alternate') === 'alternate');
  const ordered = [
    ...alternates.filter((l) => /html/.test(attr(l, 'type') ?? 'text/html')),
    ...alternates,
    ...nodes,
  ];
  for (const l of ordered) {
    const url = normaliseUrl(attr(l, 'href'), base);
    if (url) return url;
  }
  for (const l of all) {
    const url = normaliseUrl(textOf(l), base);
    if (url) return url;
  }
  return null;
}

function atomAuthors(node: XmlNode): string | null {
  return joinNames([
    ...list(child(node, 'author')).map((a) => (isNode(a) ? textOf(child(a, 'name')) : textOf(a))),
    ...childByLocal(node, 'creator').map(textOf),
  ]);
}

function atomEntry(entry: unknown, ctx: FeedContext): ParsedItem {
  if (!isNode(entry)) return { ok: false, error: 'feed entry is empty' };
  const base = normaliseUrl(attr(entry, 'xml:base'), ctx.base) ?? ctx.base;
  const text = longest([
    richOf(child(entry, 'content'), 'body'),
    richOf(child(entry, 'summary'), 'body'),
    ...childByLocal(entry, 'encoded').map((v) => richOf(v, 'body')),
  ]);
  const title = richOf(child(entry, 'title'), 'line');
  const source = child(entry, 'source');
  const publisher = (isNode(source) ? lineToText(richOf(child(source, 'title'), 'line')) || null : null) ?? ctx.publisher;
  const publishedAt = firstDate([child(entry, 'published', 'issued', 'created'), ...childByLocal(entry, 'date'), child(entry, 'updated', 'modified')]);
  const language = normaliseLanguage(attr(entry, 'xml:lang')) ?? ctx.language;
  return toItem({
    title, text, publisher, author: atomAuthors(entry) ?? ctx.authors, publishedAt, url: atomHref(child(entry, 'link'), base), language,
  });
}

/** Remove the DOCTYPE (and its internal subset) so no entity is declared, expanded or fetched. */
export function stripDoctype(xml: string): string {
  const start = xml.search(/<!DOCTYPE/i);
  if (start < 0) return xml;
  // Only in the prolog: a DOCTYPE after the root element starts is text, not a declaration.
  const root = xml.slice(0, start).search(/<[a-zA-Z]/);
  if (root >= 0) return xml;
  let i = start + 9;
  let inSubset = false;
  let quote: string | null = null;
  for (; i < xml.length; i++) {
    const c = xml[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[') inSubset = true;
    else if (c === ']') inSubset = false;
    else if (c === '>' && !inSubset) break;
  }
  return xml.slice(0, start) + xml.slice(i + 1);
}

function rootOf(doc: unknown): { name: string; node: XmlNode } {
  if (!isNode(doc)) throw new ParseError('XML has no root element');
  const name = Object.keys(doc).find((k) => !k.startsWith('?') && !k.startsWith('#') && !k.startsWith('@_'));
  if (!name) throw new ParseError('XML has no root element');
  const node = list(doc[name])[0];
  return { name, node: isNode(node) ? node : {} };
}

function cap(items: unknown[], limits: ParseLimits, map: (item: unknown) => ParsedItem): ParsedItem[] {
  if (items.length === 0) throw new ParseError('feed has no items');
  const out = items.slice(0, limits.maxArticlesPerFile).map(map);
  if (items.length > limits.maxArticlesPerFile) {
    out.push({ ok: false, error: `only the first ${limits.maxArticlesPerFile} of ${items.length} feed items were read (maxArticlesPerFile)` });
  }
  return out;
}

export function parseFeed(text: string, opts: { fileName: string; limits: ParseLimits }): ParsedItem[] {
  const xml = stripDoctype(text.replace(/^\uFEFF/, ''));
  let doc: unknown;
  try {
    doc = new XMLParser(xmlOptions).parse(xml);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new ParseError(`malformed XML: ${msg.length > 200 ? `${msg.slice(0, 200)}…` : msg}`);
  }
  const { name, node: root } = rootOf(doc);
  const local = name.slice(name.indexOf(':') + 1).toLowerCase();

  if (local === 'rss' || local === 'rdf') {
    const channel = list(child(root, 'channel', 'rss:channel'))[0];
    const ch = isNode(channel) ? channel : {};
    const base = normaliseUrl(textOf(child(ch, 'link', 'rss:link')));
    const ctx: FeedContext = {
      publisher: lineToText(richOf(child(ch, 'title', 'rss:title'), 'line')) || null,
      base,
      language: normaliseLanguage(childByLocal(ch, 'language').map(textOf)[0]),
      authors: null,
    };
    // RSS 2.0 nests items in the channel; RSS 1.0 puts them beside it.
    const items = local === 'rss' ? list(child(ch, 'item')) : list(child(root, 'item', 'rss:item'));
    const fallback = items.length === 0 && local === 'rss' ? list(child(root, 'item')) : items;
    return cap(fallback, opts.limits, (item) => rssItem(item, ctx));
  }
  if (local === 'feed') {
    const base = normaliseUrl(attr(root, 'xml:base')) ?? atomHref(child(root, 'link'), null);
    const ctx: FeedContext = {
      publisher: richOf(child(root, 'title'), 'line') || null,
      base,
      language: normaliseLanguage(attr(root, 'xml:lang')),
      authors: atomAuthors(root),
    };
    return cap(list(child(root, 'entry')), opts.limits, (entry) => atomEntry(entry, ctx));
  }
  throw new ParseError(`XML is not an RSS, Atom or RDF feed (root element <${name}>)`);
}
