import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeBytes } from '../functions/core/parse/decode.ts';
import { normaliseDate } from '../functions/core/parse/fields.ts';
import { parseFile, sniffFormat } from '../functions/core/parse/index.ts';
import { defaultParseLimits } from '../functions/core/parse/limits.ts';
import { parseFeed, parseJsonExport } from '../functions/core/parse/structured.ts';

const dir = join(import.meta.dirname, 'fixtures', 'structured');
const fixture = (name: string) => readFileSync(join(dir, name));
const parse = (name: string) => parseFile(name, fixture(name));
const MOJIBAKE = /â€|Ã[\u0080-\u00bf©¨ª«®§]|Â[\u00a0-\u00bf]|\ufffd/;

describe('JSON exports', () => {
  it('reads one schema.org article object with HTML body, authors and a publisher object', () => {
    const out = parse('article.json');
    expect(out.format).toBe('json');
    expect(out.errors).toEqual([]);
    expect(out.articles).toHaveLength(1);
    const a = out.articles[0]!.article;
    expect(a.title).toBe('City council approves new riverside park after long debate');
    expect(a.text.split('\n\n')).toHaveLength(2);
    expect(a.text).toContain('voted 7–2 on Tuesday');
    expect(a.text).not.toContain('trackPageView');
    expect(a.text).not.toMatch(/<\/?p>/);
    expect(a.author).toBe('Maria Lopez, Tom Reed');
    expect(a.publisher).toBe('Example News');
    expect(a.publishedAt).toBe('2024-03-12T09:30:00-05:00');
    expect(a.url).toBe('https://news.example.com/2024/03/riverside-park');
    expect(a.language).toBe('en');
  });

  it('keeps __proto__ and constructor keys harmless', () => {
    parse('article.json');
    const evil = '{"title":"x","text":"y","__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}';
    parseJsonExport(evil, { fileName: 'e.json', lines: false, limits: defaultParseLimits });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('reads an array, reporting the bad entries by index and keeping the good ones', () => {
    const out = parse('articles.json');
    expect(out.articles.map((a) => a.index)).toEqual([0, 1]);
    const [storm, bakery] = out.articles.map((a) => a.article);
    expect(storm!.author).toBe('Anna Berg');
    expect(storm!.publisher).toBe('Coast Weather Desk');
    expect(storm!.publishedAt).toBe('2024-01-10T07:15:00+01:00');
    expect(storm!.text.split('\n\n')).toHaveLength(2);
    expect(bakery!.title).toBe('Local bakery wins national bread award');
    expect(bakery!.url).toBeNull();
    expect(bakery!.publishedAt).toBeNull();
    expect(out.errors).toEqual([
      { index: 2, error: expect.stringContaining('not an article object') },
      { index: 3, error: expect.stringContaining('no text') },
    ]);
  });

  it('reads a container object ({articles: [...]}) and uses its publisher', () => {
    const body = 'Word '.repeat(30).trim();
    const doc = { status: 'ok', source: 'Wire Service', articles: [{ title: 'One', text: body }, { title: 'Two', text: body, source: { id: 'x', name: 'Own Paper' } }] };
    const out = parseFile('news.json', Buffer.from(JSON.stringify(doc)));
    expect(out.articles.map((a) => a.article.publisher)).toEqual(['Wire Service', 'Own Paper']);
  });

  it('reads JSON Lines, reporting each bad line alone with its 1-based line number', () => {
    const out = parse('export.jsonl');
    expect(out.format).toBe('json');
    expect(out.articles.map((a) => a.article.title)).toEqual([
      'Harbour reopens after dredging works',
      'Museum extends opening hours for summer',
    ]);
    const museum = out.articles[1]!.article;
    expect(museum.author).toBe('Lea Martin, Jon Park');
    expect(museum.publisher).toBe('Culture Today');
    expect(museum.publishedAt).toBe('2024-06-01T00:00:00Z');
    expect(out.errors.map((e) => e.line)).toEqual([3, 5, 6]);
    expect(out.errors[0]!.error).toMatch(/^invalid JSON/);
    expect(out.errors[2]!.error).toMatch(/title: expected a string/);
  });

  it('reads a WordPress REST export: rendered fields, numeric author ids ignored, embedded authors used', () => {
    const post = {
      id: 42,
      date: '2024-05-02T09:15:00',
      link: 'https://blog.example.com/2024/05/garden',
      title: { rendered: 'Community garden opens &#8220;for everyone&#8221;' },
      content: { rendered: '<p>The new community garden opened on Thursday with forty raised beds, a tool shed and a rainwater tank paid for by local donations.</p>\n<p>Volunteers will run workshops every Saturday.</p>\n<p>The post <a href="https://blog.example.com/garden">Community garden opens</a> appeared first on <a href="https://blog.example.com">Example Blog</a>.</p>' },
      excerpt: { rendered: '<p>The new community garden opened [&hellip;]</p>' },
      author: 7,
      _embedded: { author: [{ id: 7, name: 'Noor Haddad' }] },
    };
    const out = parseFile('posts.json', Buffer.from(JSON.stringify([post])));
    expect(out.errors).toEqual([]);
    const a = out.articles[0]!.article;
    expect(a.title).toBe('Community garden opens “for everyone”');
    expect(a.author).toBe('Noor Haddad');
    expect(a.publishedAt).toBe('2024-05-02T09:15:00Z');
    expect(a.text.split('\n\n')).toHaveLength(2);
    expect(a.text).not.toContain('appeared first on');
  });

  it('treats a .json file holding JSON Lines as JSON Lines', () => {
    const line = (t: string) => JSON.stringify({ title: t, body: 'Enough words in this body to pass the minimum word count of twenty words for an article in the digest pipeline.' });
    const out = parseFile('dump.json', Buffer.from(`${line('A')}\n${line('B')}\n`));
    expect(out.articles.map((a) => a.article.title)).toEqual(['A', 'B']);
  });

  it('reads a text file that merely starts with "[" as text, but a .json file that does not parse is refused', () => {
    const body = '[Updated] Ferry services resume after strike\n\nFerry services between the islands resumed on Sunday after a three-day strike by crews ended with a pay deal, the operator said, adding that timetables would be back to normal by Monday.\n';
    const out = parseFile('ferry.txt', Buffer.from(body));
    expect(out.format).toBe('text');
    expect(out.articles).toHaveLength(1);
    const refused = parseFile('ferry.json', Buffer.from(body));
    expect(refused.articles).toEqual([]);
    expect(refused.errors[0]!.error).toMatch(/^invalid JSON/);
  });

  it('caps entries at maxArticlesPerFile and says so', () => {
    const entries = Array.from({ length: 5 }, (_, i) => ({ title: `T${i}`, text: 'word '.repeat(25) }));
    const out = parseFile('many.json', Buffer.from(JSON.stringify(entries)), { ...defaultParseLimits, maxArticlesPerFile: 3 });
    expect(out.articles).toHaveLength(3);
    expect(out.errors).toEqual([{ index: 3, error: expect.stringMatching(/only the first 3 of 5/) }]);
  });
});

describe('feeds', () => {
  it('reads RSS 2.0 with content:encoded HTML and dc:creator', () => {
    const out = parse('rss2.xml');
    expect(out.format).toBe('feed');
    expect(out.articles).toHaveLength(2);
    const [bridge, choir] = out.articles.map((a) => a.article);
    expect(bridge!.title).toBe('Bridge repairs finish two weeks early');
    // content:encoded wins over the short description, and its HTML becomes paragraphs.
    expect(bridge!.text.split('\n\n')).toHaveLength(2);
    expect(bridge!.text).toContain('arches — work');
    expect(bridge!.text).not.toContain('Photo: council');
    expect(bridge!.author).toBe("Sam O'Neill");
    expect(bridge!.publisher).toBe('The Daily Example & Friends');
    expect(bridge!.publishedAt).toBe('2024-06-07T16:45:00+01:00');
    expect(bridge!.url).toBe('https://daily.example.com/news/bridge-repairs?id=1&ref=rss');
    expect(bridge!.language).toBe('en');
    // Escaped HTML description, author as "email (Name)", <source> as publisher, bad date as null, guid as link.
    expect(choir!.text).toMatch(/^The choir of the town’s secondary school/);
    expect(choir!.author).toBe('Priya Shah');
    expect(choir!.publisher).toBe('Example Wire');
    expect(choir!.publishedAt).toBeNull();
    expect(choir!.url).toBe('https://daily.example.com/news/choir');
    expect(out.errors).toEqual([{ index: 2, error: expect.stringContaining('no text') }]);
  });

  it('reads Atom with xhtml and escaped html content, relative links and feed-level author', () => {
    const out = parse('atom.xml');
    expect(out.errors).toEqual([]);
    const [comet, rain] = out.articles.map((a) => a.article);
    expect(comet!.title).toBe('Telescope spots unusual comet');
    expect(comet!.text.split('\n\n')).toHaveLength(2);
    expect(comet!.text).toContain('in May & may be seen');
    expect(comet!.url).toBe('https://science.example.edu/2024/04/comet');
    expect(comet!.author).toBe('Dr. Ines Moreau');
    expect(comet!.publishedAt).toBe('2024-04-01T22:10:00+02:00');
    expect(comet!.publisher).toBe('Science Notes');
    expect(rain!.author).toBe('Science Notes Staff');
    expect(rain!.publishedAt).toBe('2024-04-30T18:00:00Z');
    expect(rain!.text).toContain('spring planting.');
    expect(rain!.text).not.toContain('<p>');
  });

  it('reads RSS 1.0 / RDF', () => {
    const out = parse('rdf-feed.xml');
    expect(out.format).toBe('feed');
    expect(out.articles).toHaveLength(1);
    const a = out.articles[0]!.article;
    expect(a.title).toBe('Start-up unveils low-power chip for sensors');
    expect(a.author).toBe('Kai Nguyen');
    expect(a.publisher).toBe('Tech Bulletin Wire');
    expect(a.publishedAt).toBe('2024-05-20T12:00:00+09:00');
    expect(a.url).toBe('https://tech.example.io/chip');
  });

  it('reads a gzipped feed, detected by magic bytes whatever the name', () => {
    const gz = gzipSync(fixture('rss2.xml'));
    for (const name of ['feed.rss.gz', 'feed.xml', 'upload.bin']) {
      const out = parseFile(name, gz);
      expect(out.format).toBe('feed');
      expect(out.articles.map((a) => a.article.title)).toEqual(['Bridge repairs finish two weeks early', 'School choir heads to the national final']);
    }
  });

  it('sniffs feeds behind a stylesheet instruction, comments or a DOCTYPE', () => {
    expect(sniffFormat('x.txt', '<?xml version="1.0"?>\n<?xml-stylesheet href="a.xsl"?>\n<!-- c -->\n<rss version="2.0">')).toBe('feed');
    expect(sniffFormat('x', '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://x/rss-0.91.dtd">\n<rss>')).toBe('feed');
    expect(sniffFormat('x', '<feed xmlns="http://www.w3.org/2005/Atom">')).toBe('feed');
    expect(sniffFormat('x', '<!DOCTYPE html>\n<meta charset="utf-8">')).toBe('html');
  });

  it('refuses XML that is not a feed', () => {
    const out = parseFile('sitemap.xml', readFileSync(join(import.meta.dirname, 'fixtures', 'bad', 'sitemap.xml')));
    expect(out.articles).toEqual([]);
    expect(out.errors[0]!.error).toMatch(/not an RSS, Atom or RDF feed \(root element <urlset>\)/);
  });

  it('keeps HTML entities and CDATA straight in one pass', () => {
    const xml = `<rss><channel><title>T</title><item><title>Q&amp;amp;A: caf&eacute; &lt;b&gt;owners&lt;/b&gt;</title>
      <description><![CDATA[<p>Use &lt;b&gt; for bold &amp; more, said the owner of the small caf&eacute; near the station, who teaches web design in the evening to twenty students.</p>]]></description></item></channel></rss>`;
    const [item] = parseFeed(xml, { fileName: 'x.rss', limits: defaultParseLimits });
    expect(item).toMatchObject({ ok: true });
    if (!item?.ok) return;
    expect(item.article.title).toBe('Q&A: café owners');
    expect(item.article.text).toMatch(/^Use <b> for bold & more, said the owner of the small café/);
  });
});

describe('dates', () => {
  it('normalises RFC 822, ISO 8601, long-form and epoch dates, keeping the offset', () => {
    expect(normaliseDate('Tue, 02 Jan 2024 23:30:00 -0500')).toBe('2024-01-02T23:30:00-05:00');
    expect(normaliseDate('Tue, 2 Jan 2024 23:30:00 GMT')).toBe('2024-01-02T23:30:00Z');
    expect(normaliseDate('2019-07-15T08:00:00.123Z')).toBe('2019-07-15T08:00:00Z');
    expect(normaliseDate('2024-01-02')).toBe('2024-01-02T00:00:00Z');
    expect(normaliseDate('January 5, 2024')).toBe('2024-01-05T00:00:00Z');
    expect(normaliseDate('Tue, 02 Jan 2024 23:30:00 EST')).toBe('2024-01-02T23:30:00-05:00');
    expect(normaliseDate('2 January 2024 08:05 +0000')).toBe('2024-01-02T08:05:00Z');
    expect(normaliseDate('2024-01-02T03:04+0530')).toBe('2024-01-02T03:04:00+05:30');
    expect(normaliseDate('2024-01-02 03:04:05')).toBe('2024-01-02T03:04:05Z');
    expect(normaliseDate('5 January 2024 10:00 CET')).toBe('2024-01-05T10:00:00+01:00');
    expect(normaliseDate(1717200000)).toBe('2024-06-01T00:00:00Z');
    expect(normaliseDate(1717200000000)).toBe('2024-06-01T00:00:00Z');
  });

  it('gives null for garbage, relative or impossible dates, never throwing', () => {
    for (const bad of ['yesterday', 'garbage', '2024-13-45', '2024-02-30', 'Tue, 02 Jan 2024 25:00:00 GMT', 'Feb 30 2024', '', 'May 5', Number.POSITIVE_INFINITY, -5, NaN, {}, null, 'x'.repeat(10_000)]) {
      expect(normaliseDate(bad)).toBeNull();
    }
  });
});

describe('character encodings', () => {
  it('reads Windows-1252 text with curly quotes, without mojibake', () => {
    const text = decodeBytes(fixture('cp1252.txt'));
    expect(text).toContain('“We won’t raise taxes this year” – a promise');
    expect(text).toContain('café');
    expect(text).toContain('€2 million');
    expect(text).not.toMatch(MOJIBAKE);
    const out = parse('cp1252.txt');
    expect(out.articles).toHaveLength(1);
    expect(JSON.stringify(out.articles[0]!.article)).not.toMatch(MOJIBAKE);
  });

  it('reads UTF-16 LE with a BOM', () => {
    const text = decodeBytes(fixture('utf16le.txt'));
    expect(text.startsWith('Mayor promises no tax rise\n')).toBe(true);
    expect(text).toContain('won’t');
    const out = parse('utf16le.txt');
    expect(out.articles[0]?.article.title).toBe('Mayor promises no tax rise');
  });

  it('reads UTF-16 BE with a BOM, UTF-8 with a BOM and BOM-less UTF-16 LE', () => {
    const s = 'Zürich café “quoted” text, enough letters here';
    const be = Buffer.from(s, 'utf16le').swap16();
    expect(decodeBytes(Buffer.concat([Buffer.from([0xfe, 0xff]), be]))).toBe(s);
    expect(decodeBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(s)]))).toBe(s);
    expect(decodeBytes(Buffer.from(s, 'utf16le'))).toBe(s);
  });

  it('honours <meta charset="iso-8859-1"> in HTML', () => {
    const text = decodeBytes(fixture('latin1.html'));
    expect(text).toContain('<title>Café owners protest new rules</title>');
    expect(text).toContain('René François');
    expect(text).not.toMatch(MOJIBAKE);
  });

  it('honours <meta http-equiv> and the XML declaration', () => {
    const html = Buffer.from('<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251"></head><body>\xcf\xf0\xe8\xe2\xe5\xf2</body></html>', 'latin1');
    expect(decodeBytes(html)).toContain('Привет');
    const xml = Buffer.from('<?xml version="1.0" encoding="ISO-8859-15"?><rss><channel><title>Co\xfbt \xa4</title></channel></rss>', 'latin1');
    expect(decodeBytes(xml)).toContain('Coût €');
  });

  it('prefers valid UTF-8 over a stale 8-bit declaration (no mojibake from a re-saved page)', () => {
    const page = Buffer.from('<html><head><meta charset="iso-8859-1"></head><body>It’s a café</body></html>', 'utf8');
    expect(decodeBytes(page)).toContain('It’s a café');
  });

  it('keeps UTF-8 with a stray Windows-1252 byte or a cut last character as UTF-8', () => {
    const stray = Buffer.concat([Buffer.from('Le café de Zoë: don'), Buffer.from([0x92]), Buffer.from('t panic, naïve señor')]);
    expect(decodeBytes(stray)).toBe('Le café de Zoë: don’t panic, naïve señor');
    const cut = Buffer.from('Crème brûlée für alle Mädchen – €');
    expect(decodeBytes(cut.subarray(0, cut.length - 1))).toMatch(/^Crème brûlée für alle Mädchen – /);
  });

  it('repairs UTF-8 that was read as Windows-1252 and saved again', () => {
    const doubled = Buffer.from('It\u00e2\u20ac\u2122s here', 'utf8');
    expect(decodeBytes(doubled)).toBe('It\u2019s here');
  });

  it('decodes a feed declaring Windows-1252 into clean article text', () => {
    const xml = Buffer.from(
      '<?xml version="1.0" encoding="windows-1252"?><rss><channel><title>Caf\xe9 News</title><item><title>\x93Quoted\x94 headline</title>' +
        '<description>The owner\x92s caf\xe9 opened again on Monday after a long renovation that took most of the winter and cost more than expected, neighbours said.</description></item></channel></rss>',
      'latin1',
    );
    const out = parseFile('feed.xml', xml);
    expect(out.articles[0]?.article.title).toBe('“Quoted” headline');
    expect(out.articles[0]?.article.text).toMatch(/^The owner’s café opened/);
    expect(out.articles[0]?.article.publisher).toBe('Café News');
  });
});

describe('legacy encodings beyond Windows-1252', () => {
  it('decodes a page declaring windows-1251 (Cyrillic) through the platform decoder', async () => {
    const { parseFile } = await import('../functions/core/parse/index.ts');
    const words = 'Новости дня: правительство объявило о новых мерах поддержки для малого бизнеса и семей с детьми в регионах страны.';
    const enc = (s: string) => Buffer.from([...s].map((c) => (c.charCodeAt(0) >= 0x410 && c.charCodeAt(0) <= 0x44f ? c.charCodeAt(0) - 0x410 + 0xc0 : c.charCodeAt(0))));
    const html = Buffer.concat([
      Buffer.from('<html><head><meta charset="windows-1251"><title>'),
      enc('Новости дня'),
      Buffer.from('</title></head><body><article><p>'),
      enc(`${words} ${words}`),
      Buffer.from('</p></article></body></html>'),
    ]);
    const outcome = parseFile('ru.html', html);
    expect(outcome.errors).toEqual([]);
    expect(outcome.articles[0]!.article.text).toContain('правительство объявило');
  });
});
