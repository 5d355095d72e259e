// The HTML fallback chain (Readability after pre-clean → Readability on the untouched page → densest text block →
// JSON-LD articleBody → rejection), the densest-block pick on old layouts, and what counts as an article.
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { parseFile } from '../functions/core/parse/index.ts';
import { parseHtml } from '../functions/core/parse/html.ts';
import { densestBlocks } from '../functions/core/parse/html/density.ts';
import { adoptStrayNodes, mergeBodies, revealStreamedSegments } from '../functions/core/parse/html/repair.ts';
import type { Block } from '../functions/core/parse/html/text.ts';
import { cutShort } from '../functions/core/parse/html/verdict.ts';
import { ParsedArticleSchema } from '../functions/core/schema.ts';

const S = [
  'The city council voted on Tuesday to extend the night bus service to the northern suburbs from March, after a long debate.',
  'The decision follows a petition signed by more than four thousand residents, who said the last bus left too early for shift workers.',
  'The extension will cost about two million a year, the council said, and will be reviewed after twelve months of service.',
  'Drivers welcomed the plan but asked for more staff, saying the current rota already stretches the depot at weekends.',
];
const NAV = ['Home', 'News', 'Sports', 'Weather'];
const navCell = NAV.map((n) => `<a href="/${n.toLowerCase()}">${n}</a>`).join('<br>');
const page = (body: string, head = '') => `<!doctype html><html><head><title>Night buses extended</title>${head}</head><body>${body}</body></html>`;
const doc = (html: string) => (parseHTML(html) as unknown as { document: Document }).document;
const texts = (html: string) => densestBlocks(doc(html)).map((b) => b.text);
const bytes = (s: string) => new TextEncoder().encode(s);

describe('densestBlocks: old layouts without <p>', () => {
  it('takes the <br>-separated article from its table cell, not the navigation cell beside it', () => {
    const html = page(`<table><tr><td>${navCell}</td><td><font size="2"><b>Night buses extended</b><br><br>${S.join('<br><br>')}</font></td></tr></table>`);
    const out = texts(html);
    expect(out).toEqual(['Night buses extended', ...S]);
  });

  it('finds an article with no <p> at all: inline runs in nested divs and bold leads', () => {
    const html = page(`<div><a href="/">Home</a> | <a href="/n">News</a></div><div><div><b>TOWNSVILLE</b> — ${S[0]} ${S[1]}<br><br>${S[2]}<br>${S[3]}</div></div><div>© Town Paper</div>`);
    const out = texts(html);
    expect(out.join(' ')).toContain(S[0]);
    expect(out.join(' ')).toContain(S[3]);
    expect(out.join(' ')).not.toMatch(/Home|Town Paper/);
  });

  it('joins sibling cells of the same kind that hold the rest of the article', () => {
    const html = page(`<table><tr><td>${navCell}</td><td><table><tr><td>${S[0]} ${S[1]}</td></tr><tr><td>${S[2]}</td></tr><tr><td>${S[3]}</td></tr></table></td></tr></table>`);
    const out = texts(html).join(' ');
    for (const s of S) expect(out).toContain(s);
    for (const n of NAV) expect(out).not.toContain(n);
  });

  it('leaves out a readers\' comments section, and the main pass is not taken to have cut the article for it', () => {
    const comment = (i: number) => `<li class="comment"><div class="comment-author">Reader ${i}</div><div class="comment-content"><p>I took the night bus for years and the last one always left far too early for anyone working a late shift, comment ${i}.</p></div></li>`;
    // The comments sit inside the article's own container, beside its paragraphs.
    const article = `<h1>Night buses extended</h1>${S.map((x) => `<p>${x}</p>`).join('')}`;
    const html = page(`<div class="postarea">${article}<div id="comments" class="comments-wrapper"><ol class="commentlist">${Array.from({ length: 12 }, (_, i) => comment(i)).join('')}</ol></div></div>`);
    expect(texts(html).join(' ')).not.toContain('Reader');
    const a = parseHtml(html, { fileName: 'c.html' });
    expect(a.extraction).toBe('readability');
    expect(a.text).not.toContain('night bus for years');
    // A class saying the comments are open belongs to the article, which stays.
    expect(texts(page(`<div class="comments-open">${S.join('<br><br>')}</div>`))).toEqual(S);
  });

  it('finds nothing on a page of links only', () => {
    expect(texts(page(`<table><tr><td>${navCell}</td></tr></table>`))).toEqual([]);
  });
});

describe('parseHtml: the fallback chain and the path it records', () => {
  it('uses Readability after the pre-clean when that finds the article', () => {
    const a = parseHtml(page(`<table><tr><td>${navCell}</td><td><font size="2">${S.join('<br><br>')}</font></td></tr></table>`), { fileName: 'x.html' });
    expect(a.extraction).toBe('readability');
    for (const s of S) expect(a.text).toContain(s);
  });

  // Short paragraphs in a container the pre-clean takes for a promotion box, on a page that is mostly a link list.
  const promoPage = (paras: string[]) => page(
    `<ul>${Array.from({ length: 70 }, (_, i) => `<li><a href="/s/${i}">Section number ${i} of the site</a></li>`).join('')}</ul>` +
    `<div class="promo">${paras.map((p) => `<p>${p}</p>`).join('')}</div>`,
  );

  it('falls back to Readability over the untouched page when the pre-clean removed the article', () => {
    const paras = ['Night buses will run later from March, the council said on Tuesday.', 'Residents, who signed a petition, had asked for the change.',
      'It will cost, the council says, two million a year.', 'Drivers, however, want more staff at the depot.',
      'The plan will be reviewed, officials said, after a year.', 'New night routes will reach the northern suburbs, too.'];
    const a = parseHtml(promoPage(paras), { fileName: 'x.html' });
    expect(a.extraction).toBe('readability-untouched');
    expect(a.text.split('\n\n')).toEqual(paras);
  });

  it('falls back to the densest text block when neither Readability pass finds it', () => {
    const paras = ['Buses run late from March.', 'Residents asked for this.', 'It costs two million a year.', 'Drivers want more staff.',
      'The plan is reviewed in a year.', 'Night routes reach the suburbs.'];
    const a = parseHtml(promoPage(paras), { fileName: 'x.html' });
    expect(a.extraction).toBe('densest-block');
    expect(a.text.split('\n\n')).toEqual(paras);
  });

  it('takes the densest block directly on huge pages (Readability skipped), <br> layouts included', () => {
    const html = page(`<div>${'<span></span>'.repeat(41_000)}</div><table><tr><td>${navCell}</td><td><font>${S.join('<br><br>')}</font></td></tr></table>`);
    const a = parseHtml(html, { fileName: 'x.html' });
    expect(a.extraction).toBe('densest-block');
    expect(a.text.split('\n\n')).toEqual(S);
  });

  it('uses the JSON-LD articleBody when the page itself holds no text (a script-rendered shell)', () => {
    const ld = `<script type="application/ld+json">${JSON.stringify({ '@type': 'NewsArticle', headline: 'Night buses extended', articleBody: S.join('\n\n') })}</script>`;
    const a = parseHtml(page('<div id="app"></div>', ld), { fileName: 'x.html' });
    expect(a.extraction).toBe('json-ld');
    expect(a.text.split('\n\n')).toEqual(S);
    expect(a.title).toBe('Night buses extended');
  });

  it('shows streamed server-rendered segments (hidden until a script moves them)', () => {
    const html = page(`<main><div>Loading…</div></main><div hidden id="S:0"><article>${S.map((s) => `<p>${s}</p>`).join('')}</article></div>`);
    const a = parseHtml(html, { fileName: 'x.html' });
    expect(a.text.split('\n\n')).toEqual(S);
    const d = doc(html);
    expect(revealStreamedSegments(d)).toBe(1);
    expect(d.getElementById('S:0')!.hasAttribute('hidden')).toBe(false);
  });

  it('reads content that follows a premature </html>', () => {
    const html = `<!doctype html><html><head><title>Night buses extended</title></head><body><div>Menu</div></body></html><div>${S.map((s) => `<p>${s}</p>`).join('')}</div>`;
    const d = doc(html);
    expect(adoptStrayNodes(d)).toBeGreaterThan(0);
    expect(d.body.textContent).toContain(S[3]);
    expect(parseHtml(html, { fileName: 'x.html' }).text.split('\n\n')).toEqual(S);
  });

  it('reads the real <body> when markup sits between </head> and <body> (an ad slot)', () => {
    const html = `<!doctype html><html><head><title>Night buses extended</title></head><div id="ad-slot"></div><body class="story"><article>${S.map((s) => `<p>${s}</p>`).join('')}</article></body></html>`;
    const d = doc(html);
    expect(mergeBodies(d)).toBeGreaterThan(0);
    expect(d.body.textContent).toContain(S[3]);
    expect(d.body.getAttribute('class')).toBe('story');
    expect(parseHtml(html, { fileName: 'x.html' }).text.split('\n\n')).toEqual(S);
  });
});

describe('cutShort: did the main pass cut the article?', () => {
  const blocks = (texts: string[], linkChars = 0): Block[] =>
    texts.map((text) => ({ text, tag: 'P', linkChars: Math.min(linkChars, text.length), caption: false, heading: false, listItem: false }));
  const comments = ['Great piece, thanks for writing it, I ride that bus every night.', 'I disagree entirely; the money should go to the trams instead of buses.',
    'My daughter works shifts and this will help her a lot, finally some sense.', 'Two million a year is nothing compared with what the ring road cost us.',
    'Will the weekend timetable change as well, or only the weekday services?', 'About time too, the last bus at eleven was a joke for anyone working late.'];

  it('says yes when a much longer prose block holds the main text', () => {
    expect(cutShort(blocks(S.slice(0, 2)), blocks([...S, ...S.map((x) => x.replace('council', 'mayor'))]))).toBe(true);
  });

  it('says no for a longer block elsewhere (comments), a link list, non-prose, or a block not much longer', () => {
    expect(cutShort(blocks(S.slice(0, 2)), blocks([...comments, ...comments]))).toBe(false);
    expect(cutShort(blocks(S.slice(0, 1)), blocks(S, 60))).toBe(false);
    expect(cutShort(blocks(S.slice(0, 1)), blocks(S.map((x) => x.replace(/[.]$/, ''))))).toBe(false);
    expect(cutShort(blocks(S.slice(0, 3)), blocks(S))).toBe(false);
  });
});

describe('parseFile: short articles are articles, furniture is not', () => {
  const brief = `${S[0]} ${S[1]} ${S[2]}`.split(' ').slice(0, 60).join(' ').replace(/[,.]?$/, '.');

  it('accepts a 60-word brief and a one-sentence brief of 15 words', () => {
    expect(brief.split(' ')).toHaveLength(60);
    const one = 'Fire closes the Main Street bridge until Friday while engineers check the damaged railings, police said.';
    for (const text of [brief, one]) {
      const r = parseFile('brief.html', bytes(page(`<nav><a href="/">Home</a></nav><article><h1>Night buses</h1><p>${text}</p></article>`)));
      expect(r.errors).toEqual([]);
      expect(r.articles[0]!.article.text).toBe(text);
      expect(r.articles[0]!.article.extraction).toBe('readability');
    }
  });

  it('rejects an error page, saying it is one, even when it has enough words', () => {
    const html = page('<h1>Page not found</h1><p>Sorry, the page you are looking for may have been moved, renamed or deleted. Please check the address.</p><p><a href="/">Back to home.</a></p>');
    const r = parseFile('gone.html', bytes(html));
    expect(r.articles).toEqual([]);
    expect(r.errors[0]!.error).toMatch(/^no article text found \(an error or notice page \("page not found"\)/i);
  });

  it('rejects a cookie notice standing in for the page', () => {
    const r = parseFile('consent.html', bytes(page('<div><p>We use cookies to give you the best experience on our website. By continuing you agree to our use of cookies.</p></div>')));
    expect(r.errors[0]!.error).toMatch(/an error or notice page \("we use cookies"\)/i);
  });

  it('rejects a short run of labels (no sentence) and a short list of links, with the reason', () => {
    const labels = parseFile('labels.html', bytes(page('<div>Home News Sports Weather Contact About Login Register Search Menu Subscribe Archive</div>')));
    expect(labels.errors[0]!.error).toMatch(/no sentence in 12 words/);
    const links = parseFile('links.html', bytes(page(`<div>${Array.from({ length: 12 }, (_, i) => `<a href="/${i}">Story number ${i}.</a>`).join(' ')}</div>`)));
    expect(links.articles).toEqual([]);
    expect(links.errors[0]!.error).toMatch(/^no article text found \(mostly links/);
  });

  it('records the path for every format; stated bodies say so', () => {
    const text = parseFile('note.txt', bytes(`Night buses extended\n\n${S.join('\n\n')}\n`));
    expect(text.articles[0]!.article.extraction).toBe('stated');
    const json = parseFile('a.json', bytes(JSON.stringify({ title: 'Night buses extended', text: S.join('\n\n') })));
    expect(json.articles[0]!.article.extraction).toBe('stated');
  });

  it('keeps records written before the field existed readable', () => {
    const old = { title: 'T', text: 'Body.', publisher: null, author: null, publishedAt: null, url: null, language: null };
    expect(ParsedArticleSchema.parse(old).extraction).toBeUndefined();
  });
});
