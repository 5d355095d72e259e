import { describe, expect, it } from 'vitest';
import { parseHtml } from '../functions/core/parse/html.ts';
import { bylineName } from '../functions/core/parse/html/author.ts';

const BODY = Array.from({ length: 6 }, (_, i) =>
  `<p>Paragraph ${i}: the council approved the new budget after a long debate about schools, roads, parks and the harbour.</p>`).join('\n');

function page(head: string, header: string): string {
  return `<!doctype html><html lang="en"><head><title>Budget passes | Town Crier</title>
    <meta property="og:site_name" content="Town Crier">${head}</head><body>
    <article><h1>Budget passes</h1>${header}${BODY}</article></body></html>`;
}
const authorOf = (html: string) => parseHtml(html, { fileName: 't.html' }).author;
const ld = (o: object) => `<script type="application/ld+json">${JSON.stringify({ '@context': 'https://schema.org', '@type': 'NewsArticle', ...o })}</script>`;

describe('author by agreement', () => {
  it('takes the visible "By" line over a meta author that is the outlet', () => {
    expect(authorOf(page('<meta name="author" content="Town Crier">', '<p>By <a href="/jane">Jane Doe</a> | March 3, 2024 | 5 min read</p>'))).toBe('Jane Doe');
  });

  it('takes a person over a JSON-LD Organization author', () => {
    const head = ld({ headline: 'Budget passes', author: { '@type': 'Organization', name: 'Crier Media Group' } });
    expect(authorOf(page(head, '<div><span>Written by:</span> <span>Liza Burke</span></div>'))).toBe('Liza Burke');
    // Without a person, the organization is the last resort.
    expect(authorOf(page(head, ''))).toBe('Crier Media Group');
  });

  it('takes a user name from JSON-LD only when no person is named', () => {
    const head = ld({ headline: 'Budget passes', author: { '@type': 'Person', name: 'andrew.keaveney' } });
    expect(authorOf(page(head, '<p>By Denise Everheart</p>'))).toBe('Denise Everheart');
    expect(authorOf(page(head, ''))).toBe('andrew.keaveney');
  });

  it('falls back to a "Written by" author box after the article, not to a vendor credit in the footer', () => {
    const html = page('', '').replace('</article>', '</article><div class="box"><h3>Written by Cassidy Horton</h3></div><div>Content management by Inter Red</div>');
    expect(authorOf(html)).toBe('Cassidy Horton');
    expect(authorOf(page('', '').replace('</article>', '</article><div>Content management by Inter Red</div>'))).toBeNull();
  });

  it('takes a link to the author\'s page whose text is the name its address spells', () => {
    const card = '<a href="/blog/author/spencer-mcintyre/"><img src="s.jpg"><div>Spencer McIntyre</div></a>';
    expect(authorOf(page('', `<div>${card}<span>Dec 19, 2025</span></div>`))).toBe('Spencer McIntyre');
    // Not a link whose text is something else, nor a list of writers in the navigation.
    expect(authorOf(page('', '<div><a href="/authors/spencer-mcintyre">More from our team</a></div>'))).toBeNull();
    expect(authorOf(page('', '<nav><a href="/authors/jane-doe">Jane Doe</a></nav>'))).toBeNull();
  });

  it('takes the person a personal site is named for when nobody else is named', () => {
    const own = (site: string, header = '') => authorOf(page(`<meta property="og:site_name" content="${site}">`, header).replace('<meta property="og:site_name" content="Town Crier">', ''));
    expect(own('Colin Watson’s blog')).toBe('Colin Watson');
    expect(own('Colin Watson’s blog', '<p>By Jane Doe</p>')).toBe('Jane Doe');
    expect(own('The Editors’ notes')).toBeNull();
    expect(own('Town Crier')).toBe(null);
  });

  it('does not take a date stamp for a name', () => {
    expect(authorOf(page('<meta name="author" content="Sat, 20 Dec, 2025 - 06:36">', ''))).toBeNull();
    const late = page('<meta name="author" content="Updated March 13, 2024">', '').replace('</article>', '<p><a rel="author" href="/o">Olive Ryan</a></p></article>');
    expect(authorOf(late)).toBe('Olive Ryan');
  });

  it('reads the twitter:label/data "Written by" pair', () => {
    expect(authorOf(page('<meta name="twitter:label1" content="Written by"><meta name="twitter:data1" content="Chase Bernath">', ''))).toBe('Chase Bernath');
  });
});

describe('bylineName', () => {
  it('cuts the name at dates, separators, labels and roles', () => {
    expect(bylineName('By Jane Doe Updated May 2, 2024', false)).toBe('Jane Doe');
    expect(bylineName('Words: Solene Rauturier Category: Top Picks', false)).toBe('Solene Rauturier');
    expect(bylineName('By Mayank Gupta, CEO of CaseBasix', false)).toBe('Mayank Gupta');
    expect(bylineName('By Thomas Broderick, Nalea Ko, and Ann Lee · 4 min read', false)).toBe('Thomas Broderick, Nalea Ko, and Ann Lee');
    expect(bylineName('By Ben Applebaum-Bauch ⋅ Review Editor', false)).toBe('Ben Applebaum-Bauch');
    expect(bylineName('Mar 24, 2025 By Amy Wilhelm 0 comments', false)).toBe('Amy Wilhelm');
    expect(bylineName('Hazel Sheffield Friday 25 December 2015', true)).toBe('Hazel Sheffield');
    // A user name right after a leading "by" is what the page shows.
    expect(bylineName('by jsteinhardt 18th Dec 2025 3 min read', false)).toBe('jsteinhardt');
  });

  it('skips other credits and sentences that only contain "by"', () => {
    expect(bylineName('Reviewed by Molly Price', false)).toBeNull();
    expect(bylineName('Photos by Ann Lee. By Shelby Loos', false)).toBe('Shelby Loos');
    expect(bylineName('Trusted by 4M+ businesses', false)).toBeNull();
    expect(bylineName('Try it out yourself by printing one of our examples', false)).toBeNull();
  });
});
