import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { parseHtml } from '../functions/core/parse/html.ts';
import { stripByAgreement, unquote } from '../functions/core/parse/html/title.ts';
import { readPageMeta } from '../functions/core/parse/html/page.ts';
import { headingLines } from '../functions/core/parse/html/title-candidates.ts';

const PARA = '<p>The council approved the new budget after a long debate about schools, roads, parks and the future of the harbour district.</p>';
const body = Array.from({ length: 6 }, (_, i) => PARA.replace('The council', `Council ${i}`)).join('\n');

/** A page with the given `<head>` extras and the markup before the article body. */
function page(head: string, before: string, after = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">${head}</head><body>${before}${body}${after}</body></html>`;
}
const title = (html: string) => parseHtml(html, { fileName: 'p.html' }).title;
const dom = (html: string) => (parseHTML(html) as unknown as { document: Document }).document;

describe('pickTitle: the visible headline the metadata agrees with', () => {
  it('prefers the article h1 over an SEO variant in og:title and <title>', () => {
    const html = page(
      '<title>Top 11 SEO Strategies for 2025 | Rank Notes</title><meta property="og:title" content="Top 11 SEO Strategies for 2025 | Rank Notes">',
      '<main><article><h1>11 SEO Strategies for 2025 to Boost Rankings and Stay Ahead</h1>',
      '</article></main>',
    );
    expect(title(html)).toBe('11 SEO Strategies for 2025 to Boost Rankings and Stay Ahead');
  });

  it('skips a logo h1 that names the site and an h1 in the sidebar', () => {
    const html = page(
      '<meta property="og:site_name" content="Harbour Times"><meta property="og:title" content="Ferry timetable changes in spring">',
      '<header><h1>Harbour Times</h1></header><aside><h1>Ferry timetable changes in spring and summer</h1></aside>'
        + '<article><h1>Ferry timetable changes this spring</h1>',
      '</article>',
    );
    expect(title(html)).toBe('Ferry timetable changes this spring');
  });

  it('takes an h2 that repeats the metadata title when the h1 is a section label', () => {
    const html = page(
      '<meta property="og:title" content="How to get toddlers to sleep in their own bed | Sleep Shop">',
      '<h1>Toddler sleep training</h1><h2>How to get toddlers to sleep in their own bed</h2>',
    );
    expect(title(html)).toBe('How to get toddlers to sleep in their own bed');
  });

  it('takes the one h1 before the body when the metadata says something else', () => {
    const html = page('<title>Top Tech Conferences 2026 – The Global Events Driving Innovation</title>', '<main><h1>Biggest tech events of the year</h1>', '</main>');
    expect(title(html)).toBe('Biggest tech events of the year');
  });

  it('cuts a site name that another candidate lacks, or that abbreviates og:site_name', () => {
    expect(title(page('<meta property="og:title" content="Five ways to cut energy bills at home | GreenHome">', '<h2>Five ways to cut energy bills at home</h2>')))
      .toBe('Five ways to cut energy bills at home');
    expect(title(page('<meta property="og:site_name" content="World Future Awards"><meta property="og:title" content="2025 Top 100 Web3 Companies | WFA">', '')))
      .toBe('2025 Top 100 Web3 Companies');
  });

  it('drops quotes wrapped around the JSON-LD headline when og:title has it bare', () => {
    const ld = '<script type="application/ld+json">{"@context":"https://schema.org","@type":"Article","headline":"\\"What is Git and how does it work?\\""}</script>';
    expect(title(page(`${ld}<meta property="og:title" content="What is Git and how does it work?">`, ''))).toBe('What is Git and how does it work?');
  });

  it('compares Chinese and Japanese titles character by character', () => {
    const html = page('<meta property="og:title" content="東京都で記録的な大雨">', '<h1>特集</h1><h1>東京で記録的な大雨が続く</h1>');
    expect(title(html)).toBe('東京で記録的な大雨が続く');
  });

  it('keeps the first line of an h1 that swallowed a dateline', () => {
    const html = page('<meta property="og:title" content="Beginner backpacking checklist (by an outdoor guide) | Trail Notes">',
      '<h1>Beginner backpacking checklist (by an outdoor guide)<p>January 1, 2025</p></h1>');
    expect(title(html)).toBe('Beginner backpacking checklist (by an outdoor guide)');
  });
});

describe('stripByAgreement and unquote', () => {
  it('cuts a suffix or prefix only when another candidate agrees without it', () => {
    expect(stripByAgreement('Bridge reopens after repairs | Courier Daily', ['Bridge reopens after repairs'])).toBe('Bridge reopens after repairs');
    expect(stripByAgreement('Courier Daily - Bridge reopens after repairs', ['Bridge reopens after repairs'])).toBe('Bridge reopens after repairs');
    expect(stripByAgreement('War and peace - a review', ['War and peace - a review'])).toBe('War and peace - a review');
    expect(stripByAgreement('War and peace - a review', ['Tolstoy at the theatre'])).toBe('War and peace - a review');
  });

  it('unwraps quotes only when a candidate has the title bare', () => {
    expect(unquote('“Hello world”', ['Hello world'])).toBe('Hello world');
    expect(unquote('“Hello world”', ['“Hello world”'])).toBe('“Hello world”');
  });
});

describe('the headings readPageMeta reads', () => {
  it('spaces words where elements meet, not punctuation, and skips <time>', () => {
    const d = dom('<h1>Best tools<span>Top picks</span></h1><h1>An investor<em>’</em>s guide <time>May 2</time></h1><h1>Title<br>Subtitle</h1>'
      + '<h1>Best tools<x-line>top picks</x-line></h1>');
    const hs = Array.from(d.querySelectorAll('h1')).map((h) => headingLines(h));
    expect(hs).toEqual([['Best tools Top picks'], ['An investor’s guide'], ['Title', 'Subtitle'], ['Best tools top picks']]);
  });

  it('runs an inline drop cap and zero-width characters into the word, as a browser shows them', () => {
    const d = dom('<h1>Cut your planning <span class="dropcap">C</span>ycle</h1><h1>The 10 B\ufeffest projects of 20\u200b23</h1>');
    expect(Array.from(d.querySelectorAll('h1')).map((h) => headingLines(h))).toEqual([['Cut your planning Cycle'], ['The 10 Best projects of 2023']]);
  });

  it('marks headings in the page chrome, inside the article, and after the first paragraphs', () => {
    const d = dom(`<html><body><nav><h2>Menu</h2></nav><article><h1 itemprop="headline">Story</h1>${PARA}<h2>Section</h2></article></body></html>`);
    const hs = readPageMeta(d, []).headings.map(({ text, chrome, inMain, headline, afterText }) => ({ text, chrome, inMain, headline, afterText }));
    expect(hs).toEqual([
      { text: 'Menu', chrome: true, inMain: false, headline: false, afterText: false },
      { text: 'Story', chrome: false, inMain: true, headline: true, afterText: false },
      { text: 'Section', chrome: false, inMain: true, headline: false, afterText: true },
    ]);
  });
});

describe('pickTitle: headings that refer to the article', () => {
  it('skips a comments heading that quotes the title', () => {
    const html = page(
      '<meta property="og:title" content="Open-sourcing the printer CAD files under a new licence - Maker Co">'
        + '<meta property="og:site_name" content="Maker Co">',
      '<div class="entry">',
      '</div><div id="comments"><h2>15 Replies to “Open-sourcing the printer CAD files under a new licence”</h2></div>',
    );
    expect(title(html)).toBe('Open-sourcing the printer CAD files under a new licence');
  });
});

describe('pickTitle: a heading that repeats the metadata title word for word', () => {
  it('wins over a differently worded h1', () => {
    const html = page(
      '<meta property="og:site_name" content="Harbour Times"><meta property="og:title" content="Best ferry passes for students in 2025 | Harbour Times">',
      '<article><h1>Best ferry passes for students</h1><p>Updated weekly.</p><h2>Best ferry passes for students in 2025</h2>',
      '</article>',
    );
    expect(title(html)).toBe('Best ferry passes for students in 2025');
  });
});

describe('pickTitle: a lone h1 that is a section label', () => {
  it('gives way to the metadata titles when it shares no word with them', () => {
    const html = page(
      '<title>Bridge reopens after repairs</title><meta property="og:title" content="Bridge reopens after repairs">',
      '<main><h1>Latest updates</h1>',
      '</main>',
    );
    expect(title(html)).toBe('Bridge reopens after repairs');
  });
});

describe('pickTitle: display type and site labels', () => {
  it('takes the metadata spelling of a headline set in capitals', () => {
    const html = page(
      '<meta property="og:title" content="Best Drip Coffee Maker 2026: Buying Tips From Coffee Pros">',
      '<main><h1>BEST DRIP COFFEE MAKER IN 2026: BUYING TIPS FROM COFFEE PROS</h1>',
      '</main>',
    );
    expect(title(html)).toBe('Best Drip Coffee Maker 2026: Buying Tips From Coffee Pros');
  });

  it('cuts a host name, an aggregator credit and the brand before a site tagline', () => {
    expect(title(page('<title>Game changer | Newegg.com</title>', ''))).toBe('Game changer');
    expect(title(page('<title>Grads find degrees no longer guarantee jobs (latimes.com)</title>', ''))).toBe('Grads find degrees no longer guarantee jobs');
    expect(title(page('<title>Intro to streams | Node.js</title>', ''))).toBe('Intro to streams | Node.js');
    expect(title(page('<meta property="og:site_name" content="MonsGeek - Make Cool Gear"><title>What is a hot-swap keyboard? | MonsGeek</title>', '')))
      .toBe('What is a hot-swap keyboard?');
    expect(title(page('<meta property="og:site_name" content="Thrive Internet Marketing Agency"><title>Website Design Portfolio | Thrive Internet Marketing</title>', '')))
      .toBe('Website Design Portfolio');
  });

  it('cuts a label that metadata titles with different headlines share', () => {
    const html = page(
      '<title>The full impact of meditation on mind and body | Opinion</title><meta property="og:title" content="How meditation rewires brains | Opinion">',
      '<article><h1>How meditation rewires brains | Opinion</h1>',
      '</article>',
    );
    expect(title(html)).toBe('How meditation rewires brains');
  });

  it('cuts a one-word label before a colon that the metadata lacks', () => {
    const html = page(
      '<meta property="og:title" content="Best social media agencies in 2025 (Ranked) | Silverback">',
      '<article><h1>Blog: Best social media agencies in 2025 (Ranked)</h1>',
      '</article>',
    );
    expect(title(html)).toBe('Best social media agencies in 2025 (Ranked)');
  });
});

describe('pickTitle: sections and labels', () => {
  it('cuts a section the URL files the page under', () => {
    const html = page(
      '<link rel="canonical" href="https://news.example/district/343604"><meta property="og:title" content="Gardens make villages self-reliant | District">',
      '<article><h1>Gardens make villages self-reliant | District</h1>',
      '</article>',
    );
    expect(title(html)).toBe('Gardens make villages self-reliant');
    const kept = page('<link rel="canonical" href="https://news.example/world/343604"><title>Gardens make villages self-reliant | District</title>', '');
    expect(title(kept)).toBe('Gardens make villages self-reliant | District');
  });

  it('takes the metadata title over a lone h1 that shares hardly a word with it', () => {
    const html = page(
      '<title>Private VPN service recommendations and comparison, no sponsors or ads</title>'
        + '<meta property="og:title" content="Private VPN service recommendations and comparison, no sponsors or ads">',
      '<main><h1>VPN Services</h1>',
      '</main>',
    );
    expect(title(html)).toBe('Private VPN service recommendations and comparison, no sponsors or ads');
  });
});

describe('pickTitle: kickers, repeated headlines and logos', () => {
  it('takes the line of a two-line h1 that the metadata names', () => {
    const html = page('<meta property="og:title" content="Klatch Coffee | Shopify App Store">', '<main><h1><span>Get that tech stack</span><br>Klatch Coffee</h1>', '</main>');
    expect(title(html)).toBe('Klatch Coffee');
  });

  it('counts an h1 repeated for phones and desktops once', () => {
    const html = page(
      '<title>How do you set up an ergonomic workstation? | Ergo</title><meta property="og:title" content="How do you set up an ergonomic workstation? | Ergo">',
      '<main><h1 class="mobile">Setting up an ergonomic workspace</h1><h1 class="desktop">Setting up an ergonomic workspace</h1>',
      '</main>',
    );
    expect(title(html)).toBe('Setting up an ergonomic workspace');
  });

  it('cuts a host name the logo h1 shows from the start of <title>', () => {
    expect(title(page('<title>davidbau.com Vibe Coding</title>', '<header><h1>davidbau.com</h1></header>'))).toBe('Vibe Coding');
    expect(title(page('<title>Amazon.com raises prices</title>', ''))).toBe('Amazon.com raises prices');
  });
});
