import { describe, expect, it } from 'vitest';
import { parseHtml } from '../functions/core/parse/html.ts';
import { urlDate } from '../functions/core/parse/html/date.ts';

const BODY = Array.from({ length: 6 }, (_, i) =>
  `<p>Paragraph ${i}: the council approved the new budget after a long debate about schools, roads, parks and the harbour.</p>`).join('\n');

/** A small article page: `head` goes into <head>, `header` right under the <h1>. */
function page(head: string, header: string): string {
  return `<!doctype html><html lang="en"><head><title>Budget passes | Town Crier</title>${head}</head><body>
    <nav><a href="/">Home</a> <a href="/news">News</a></nav>
    <article><h1>Budget passes</h1>${header}${BODY}</article>
    <footer>© 2026 Town Crier</footer></body></html>`;
}
const dateOf = (html: string) => parseHtml(html, { fileName: 't.html' }).publishedAt;
const ld = (o: object) => `<script type="application/ld+json">${JSON.stringify({ '@context': 'https://schema.org', '@type': 'NewsArticle', ...o })}</script>`;

describe('publication date by agreement', () => {
  it('reads the visible dateline under the title when nothing else dates the page', () => {
    expect(dateOf(page('', '<div><span>Dec 17, 2025</span><span>6 min read</span></div>'))?.slice(0, 10)).toBe('2025-12-17');
  });

  it('prefers the visible date to a JSON-LD date that is only the last modification', () => {
    const head = ld({ headline: 'Budget passes', datePublished: '2025-11-20T16:02:46Z', dateModified: '2025-11-20T16:02:46Z' });
    expect(dateOf(page(head, '<p class="meta">Jane Doe · May 14, 2025</p>'))?.slice(0, 10)).toBe('2025-05-14');
  });

  it('does not take article:modified_time for the publication date, but keeps a publication meta and its offset', () => {
    const head = '<meta property="article:modified_time" content="2024-06-01T10:00:00+02:00">';
    expect(dateOf(page(head, '<p>Published March 3, 2024</p>'))?.slice(0, 10)).toBe('2024-03-03');
    // One visible line against the publication meta: the meta stands.
    const pub = '<meta property="article:published_time" content="2015-09-17T16:57:43+01:00">';
    expect(dateOf(page(pub, '<p>Friday 25 December 2015</p>'))).toBe('2015-09-17T16:57:43+01:00');
  });

  it('does not take a <time> marked as the update, nor the date after "Updated"', () => {
    const header = '<div><time class="entry-modified" datetime="2025-02-01T09:00:00Z">Feb 1</time> <span>Published January 5, 2024 · Updated February 1, 2025</span></div>';
    expect(dateOf(page('', header))?.slice(0, 10)).toBe('2024-01-05');
  });

  it('reads a dateline in the page language', () => {
    const de = page('', '<p>Veröffentlicht am 19. Dezember 2025</p>').replace('lang="en"', 'lang="de"');
    expect(dateOf(de)?.slice(0, 10)).toBe('2025-12-19');
  });

  it('reads the day in the URL path', () => {
    expect(dateOf(page('<link rel="canonical" href="https://crier.example/2017/04/23/budget-passes/">', ''))?.slice(0, 10)).toBe('2017-04-23');
  });
});

describe('urlDate', () => {
  it('reads /yyyy/mm/dd/, /yyyy-mm-dd-slug and /yyyymmdd/, escaped paths too', () => {
    expect(urlDate('https://a.example/news/2017/04/23/slug')).toBe('2017-04-23T00:00:00Z');
    expect(urlDate('https://a.example/2017-04-23-slug')).toBe('2017-04-23T00:00:00Z');
    expect(urlDate('https://a.example/a/20170423/b')).toBe('2017-04-23T00:00:00Z');
    expect(urlDate('https://a.example%2Farticles%2F2025-12-15%2BRust')).toBe('2025-12-15T00:00:00Z');
    // Months alone, impossible days and long numbers are no day.
    expect(urlDate('https://a.example/2017/04/slug')).toBeNull();
    expect(urlDate('https://a.example/2017/02/31/slug')).toBeNull();
    expect(urlDate('https://a.example/item/201704231234')).toBeNull();
  });

  it('reads the month by name: /2023/october/03/, /2023/oct/3/', () => {
    expect(urlDate('https://a.example/blog/2023/october/03/slug')).toBe('2023-10-03T00:00:00Z');
    expect(urlDate('https://a.example/2023/oct/3/slug')).toBe('2023-10-03T00:00:00Z');
    expect(urlDate('https://a.example/2023/octopus/3/slug')).toBeNull();
  });
});

describe('a visible numeric date that reads both ways', () => {
  it('counts for the day the URL names', () => {
    const canonical = '<link rel="canonical" href="https://a.example/blog/2023/october/03/budget-passes">';
    expect(dateOf(page(canonical, '<p class="blog-date">03/10/2023</p>'))?.slice(0, 10)).toBe('2023-10-03');
    // Without such a source it stays as written.
    expect(dateOf(page('', '<p class="blog-date">03/10/2023</p>'))?.slice(0, 10)).toBe('2023-03-10');
  });
});
