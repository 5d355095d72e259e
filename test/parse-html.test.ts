import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { ParsedArticleSchema } from '../functions/core/schema.ts';
import { ParseError } from '../functions/core/parse/errors.ts';
import { parseHtml } from '../functions/core/parse/html.ts';
import { normalizeDate, readJsonLd } from '../functions/core/parse/html/metadata.ts';
import { stripSiteName } from '../functions/core/parse/html/title.ts';
import { collapse } from '../functions/core/parse/html/text.ts';
import { MAX_DEPTH, nestingDepth, prepareHtml } from '../functions/core/parse/html/prepare.ts';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures/html', name), 'utf8');
const PARA = '<p>The council approved the new budget after a long debate about schools, roads, parks and the future of the harbour district.</p>';
const paras = (n: number) => Array.from({ length: n }, (_, i) => PARA.replace('The council', `Council ${i}`)).join('\n');

describe('parseHtml: news page with JSON-LD and clutter', () => {
  const a = parseHtml(fixture('news-jsonld.html'), { fileName: 'news-jsonld.html' });

  it('keeps the body, headings and lists', () => {
    expect(a.text).toContain('The harbour bridge reopened to traffic on Tuesday morning');
    expect(a.text).toContain('Commuters relieved');
    expect(a.text).toContain('New cycle lane on both sides');
    expect(a.text).toContain('Night closures will continue for another month');
    expect(a.text.split('\n\n').length).toBeGreaterThanOrEqual(6);
  });

  it('drops navigation, share bar, tags, related links, comments, captions and footer', () => {
    for (const clutter of ['Sport', 'Share on Facebook', 'Bridges', 'Ferry timetable', 'Took them long enough', 'All rights reserved', 'The bridge at dawn', 'Home']) {
      expect(a.text).not.toContain(clutter);
    }
  });

  it('reads metadata from the JSON-LD @graph', () => {
    expect(a.title).toBe('Harbour bridge reopens after two years of repairs');
    expect(a.author).toBe('Maria Lindqvist, Tom Okafor');
    expect(a.publishedAt).toBe('2024-03-05T08:30:00+01:00');
    expect(a.publisher).toBe('Coastal Courier');
    expect(a.url).toBe('https://www.coastalcourier.example/news/harbour-bridge-reopens');
    expect(a.language).toBe('en');
    expect(ParsedArticleSchema.safeParse(a).success).toBe(true);
  });
});

describe('parseHtml: OpenGraph-only page', () => {
  const a = parseHtml(fixture('opengraph.html'), { fileName: 'opengraph.html' });
  it('takes title, site, url, date, author and locale from meta tags', () => {
    expect(a.title).toBe('Old mill becomes a community library');
    expect(a.publisher).toBe('Valley Times');
    expect(a.url).toBe('https://valleytimes.example/2023/06/old-mill-library');
    expect(a.publishedAt).toBe('2023-06-14T16:05:00-04:00');
    // article:author is a profile URL: the name comes from <meta name=author>.
    expect(a.author).toBe('Claire Dubois');
    expect(a.language).toBe('fr');
    expect(a.text).toContain('restore the water wheel');
  });
});

describe('parseHtml: <time datetime> and a "By X" byline', () => {
  const a = parseHtml(fixture('byline-time.html'), { fileName: 'byline-time.html' });
  it('finds date, author and language', () => {
    expect(a.publishedAt).toBe('2022-11-08T19:45:00+01:00');
    expect(a.author).toBe('Jonas Albrecht');
    expect(a.language).toBe('de');
    expect(a.title).toBe('Stadtrat beschließt neuen Radweg');
  });
  it('keeps the byline out of the text', () => {
    expect(a.text).not.toMatch(/Jonas Albrecht/);
    expect(a.text.startsWith('Der Stadtrat hat am Dienstagabend')).toBe(true);
  });
});

describe('parseHtml: no article', () => {
  it('throws ParseError', () => {
    expect(() => parseHtml(fixture('no-article.html'), { fileName: 'no-article.html' })).toThrow(ParseError);
    expect(() => parseHtml('<html><body></body></html>', { fileName: 'empty.html' })).toThrow(/no article text found/);
  });
});

describe('parseHtml: hostile input', () => {
  it('survives 100,000 levels of nested <div>', () => {
    const html = `<html><body>${'<div>'.repeat(100_000)}${paras(6)}${'</div>'.repeat(100_000)}</body></html>`;
    const a = parseHtml(html, { fileName: 'deep.html' });
    expect(a.text).toContain('Council 5 approved the new budget');
  });

  it('survives 100,000 unclosed nested elements', () => {
    const a = parseHtml(`<html><body>${'<div><span>'.repeat(100_000)}${paras(6)}`, { fileName: 'deep2.html' });
    expect(a.text).toContain('Council 0 approved');
  });

  it('flattens nesting beyond the limit', () => {
    const deep = `<div>${'<section>'.repeat(5000)}x${'</section>'.repeat(5000)}</div>`;
    expect(nestingDepth(deep)).toBe(5001);
    expect(nestingDepth(prepareHtml(deep).html)).toBeLessThanOrEqual(MAX_DEPTH);
    // Pages that leave <p> and <li> open are not "deep".
    expect(nestingDepth('<div>' + '<p>text'.repeat(2000) + '</div>')).toBe(1);
  });

  it('drops blank gaps next to block tags without fusing words', () => {
    const { html } = prepareHtml('<div>\n  <h6>By Jane Roe</h6>\n  <p>\n    <em>May 20, 2019</em>\n  </p>\n</div>\n<ul>\n<li><a href="/a">one</a> <a href="/b">two</a></li>\n</ul>');
    expect(html).not.toMatch(/>\s*\n\s*</);
    const { document } = parseHTML(html) as unknown as { document: Document };
    expect(collapse(document.querySelector('div')!.textContent!)).toBe('By Jane Roe May 20, 2019');
    // Between inline tags the blank is text.
    expect(collapse(document.querySelector('li')!.textContent!)).toBe('one two');
  });

  it('keeps blanks inside byline-like elements (Readability measures their raw text)', () => {
    const raw = '<div class="author-date">\n      <span>By Jane Roe</span>\n      <p>May 20</p>\n    </div>';
    expect(prepareHtml(raw).html).toBe(raw);
  });

  it('keeps JSON-LD scripts as written, drops plain link targets and non-canonical <link>s', () => {
    const ld = '{"@type":"NewsArticle","articleBody":"<p class=\\"x\\">A <a href=\\"https://x.example/\\">link</a></p>"}';
    const { html, jsonLd } = prepareHtml(`<head><script type="application/ld+json">${ld}</script><link rel="canonical" href="https://x.example/a"><link rel="stylesheet" href="/site.css"></head><body><a href="https://x.example/b">b</a><a href="#top">top</a></body>`);
    expect(jsonLd).toEqual([ld]);
    expect(html).toContain(ld);
    expect(html).toContain('href="https://x.example/a"');
    expect(html).not.toContain('x.example/b');
    expect(html).not.toContain('site.css');
    expect(html).toContain('href="#top"');
  });

  it('parses truncated HTML', () => {
    const html = `<html><head><title>Budget day</title></head><body><article><h1>Budget day</h1>${paras(5)}<p>The end of the st`;
    const a = parseHtml(html, { fileName: 'truncated.html' });
    expect(a.title).toBe('Budget day');
    expect(a.text).toContain('Council 4 approved');
  });

  it('handles huge attributes and pages with very many elements', () => {
    const big = `<html><body><div data-x="${'x'.repeat(2_000_000)}"><article>${paras(6)}</article></div></body></html>`;
    expect(parseHtml(big, { fileName: 'attr.html' }).text).toContain('Council 3 approved');
    const many = `<html><body>${'<div class="item"><a href="/x">other story</a><span>teaser</span></div>'.repeat(20_000)}<div class="story">${paras(8)}</div></body></html>`;
    const a = parseHtml(many, { fileName: 'many.html' });
    expect(a.text).toContain('Council 7 approved');
    expect(a.text).not.toContain('other story');
  });
});

describe('metadata helpers', () => {
  it('normalizes dates to ISO 8601 with offset and rejects nonsense', () => {
    expect(normalizeDate('2019-11-20T06:07:01+0000')).toBe('2019-11-20T06:07:01+00:00');
    expect(normalizeDate('2015-07-24')).toBe('2015-07-24T00:00:00Z');
    expect(normalizeDate('2017-02-23 17:18:13')).toBe('2017-02-23T17:18:13Z');
    expect(normalizeDate('Published 4:00 am, Wednesday, November 20, 2019')).toBe('2019-11-20T04:00:00Z');
    expect(normalizeDate('2019-02-30')).toBeNull();
    expect(normalizeDate('3 hours ago')).toBeNull();
    expect(normalizeDate('0000-00-00')).toBeNull();
  });

  it('strips a site-name suffix only when it names the site', () => {
    expect(stripSiteName('Bridge reopens | Coastal Courier', ['Coastal Courier'])).toBe('Bridge reopens');
    expect(stripSiteName('Coastal Courier - Bridge reopens', ['Coastal Courier'])).toBe('Bridge reopens');
    expect(stripSiteName('War and peace - a review', ['Coastal Courier'])).toBe('War and peace - a review');
    expect(stripSiteName('Coastal Courier', ['Coastal Courier'])).toBe('Coastal Courier');
  });

  it('reads JSON-LD with raw newlines and arrays of authors', () => {
    const raw = '[{"@type":"ReportageNewsArticle","headline":"H","author":["A B",{"name":"C D"}],"articleBody":"line one\nline two"}]';
    const ld = readJsonLd([raw]);
    expect(ld?.headline).toBe('H');
    expect(ld?.authors).toEqual(['A B', 'C D']);
    expect(ld?.articleBody).toBe('line one\nline two');
  });
});

describe('truncated pages (found by npm run fuzz)', () => {
  it('ends every prefix of a page as an article or a clear rejection, never a parser failure', async () => {
    const { parseFile } = await import('../functions/core/parse/index.ts');
    const page = readFileSync(join(import.meta.dirname, 'fixtures', 'structured', 'latin1.html'));
    for (let n = 0; n <= page.length; n++) {
      const outcome = parseFile('page.html', page.subarray(0, n));
      expect(outcome.articles.length + outcome.errors.length).toBeGreaterThan(0);
      for (const e of outcome.errors) expect(e.error, `prefix of ${n} bytes`).not.toMatch(/parser failed/);
    }
  });
});
