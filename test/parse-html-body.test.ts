// Body extraction on layouts nobody tuned for: the clean-up steps must not cost the article its own text.
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { precleanDom } from '../functions/core/parse/html/cleanup.ts';
import { toBlocks } from '../functions/core/parse/html/text.ts';
import { isProseBlock, spareProse } from '../functions/core/parse/html/spare-prose.ts';
import { isFragment, recoverFragment, surveyProse } from '../functions/core/parse/html/recover.ts';
import { parseHtml } from '../functions/core/parse/html.ts';

const doc = (html: string) => (parseHTML(`<!doctype html><html><body>${html}</body></html>`) as unknown as { document: Document }).document;
const sentence = (topic: string, i: number) =>
  `<p>Paragraph ${i} about ${topic} explains in plain words what happened, who decided it, and why it matters to readers here.</p>`;
const prose = (topic: string, n: number) => Array.from({ length: n }, (_, i) => sentence(topic, i)).join('');
const menu = '<nav><a href="/a">Home</a> <a href="/b">World</a> <a href="/c">Sport</a></nav>';

describe('precleanDom: class words never cost the article its prose', () => {
  it('keeps an article split over sibling blocks whose class says "nav"', () => {
    const topics = ['budgets', 'savings', 'loans', 'pensions', 'taxes'];
    const sections = topics.map((t) => `<div class="content-nav-section">${prose(t, 3)}</div>`).join('');
    const d = doc(`${menu}${sections}<div class="related"><a href="/x">Other story one</a> <a href="/y">Other story two</a></div>`);
    precleanDom(d);
    const text = d.body.textContent ?? '';
    for (const topic of topics) expect(text).toContain(topic);
    expect(text).not.toContain('Other story one');
    expect(text).not.toContain('Sport');
  });

  it('reads a long id as a heading slug, not as a role', () => {
    const d = doc(`<div>${prose('meditation', 10)}<div id="3-heading-how-popular-is-meditation-today">${prose('surveys', 1)}</div>${prose('safety', 10)}</div>`);
    precleanDom(d);
    expect(d.body.textContent).toContain('surveys');
  });

  it('still removes a prose box that is a small part of the page (a disclosure modal)', () => {
    const d = doc(`<div class="disclosure-modal">${prose('compensation', 2)}</div><div>${prose('car rentals', 20)}</div>`);
    precleanDom(d);
    expect(d.body.textContent).not.toContain('compensation');
    expect(d.body.textContent).toContain('car rentals');
  });
});

describe('toBlocks: what a figure frames is content, its loose text a caption', () => {
  const blocks = (html: string) => toBlocks(doc(html).body);
  it('keeps tables, quotes and lists inside <figure> as body', () => {
    const b = blocks('<figure class="table"><table><tr><td>Rank</td><td>Insurer</td></tr></table></figure>' +
      '<figure><blockquote><p>A quoted customer said the service was fast.</p></blockquote><figcaption>Jane Roe, customer</figcaption></figure>' +
      '<figure><ul><li>First step</li></ul></figure>');
    expect(b.filter((x) => !x.caption).map((x) => x.text)).toEqual(['Rank Insurer', 'A quoted customer said the service was fast.', 'First step']);
    expect(b.find((x) => x.text === 'Jane Roe, customer')?.caption).toBe(true);
  });

  it('still marks the loose text of a figure (a photo credit) as a caption', () => {
    const b = blocks('<figure><img src="a.jpg"><p>Photo by a studio</p></figure><p>Body text.</p>');
    expect(b.map((x) => [x.text, x.caption])).toEqual([['Photo by a studio', true], ['Body text.', false]]);
  });
});

describe('spareProse: class words do not condemn prose before Readability', () => {
  const card = (name: string) => `<div class="col widget"><img src="${name}.jpg"><img src="${name}-2.jpg"><h6>${name}</h6>` +
    `<p>The ${name} grows slowly in low light and needs water only when the soil is dry, which makes it a forgiving choice for a dark corner of a flat.</p>` +
    `<p>Its leaves are broad and glossy, and it rarely suffers from pests, although it dislikes cold draughts and direct afternoon sun in summer.</p></div>`;
  const page = `<html><head><title>Plants for dark rooms</title></head><body><article><h1>Plants for dark rooms</h1>${prose('winter light', 6)}` +
    `<div class="grid widget">${card('snake plant')}${card('zz plant')}${card('cast-iron plant')}</div></article></body></html>`;

  it('keeps prose cards whose class Readability distrusts (without the fragment recovery)', () => {
    const a = parseHtml(page, { fileName: 'plants.html' }, { recover: false });
    for (const name of ['snake plant', 'zz plant', 'cast-iron plant']) expect(a.text).toContain(`The ${name} grows slowly`);
  });

  it('still drops a comment thread', () => {
    const comments = `<div class="comments">${Array.from({ length: 3 }, (_, i) => `<div class="comment widget"><img src="a${i}.png"><img src="b${i}.png"><p>Comment ${i}: I tried this at home and it worked well for me, although my flat is brighter than most and the plant is still small after a year.</p></div>`).join('')}</div>`;
    const a = parseHtml(page.replace('</article>', `${comments}</article>`), { fileName: 'plants.html' });
    expect(a.text).not.toContain('I tried this at home');
  });

  it('drops the distrusted words of prose blocks only', () => {
    const d = doc(`<div class="ck-widget row" id="media-1"><div class="col">${prose('gardens', 3)}</div></div>` +
      `<div class="widget teaser"><h3><a href="/x">Another story about something else entirely</a></h3><p>A standfirst that sells another story to the reader, long enough to pass for prose.</p></div>`);
    expect(spareProse(d)).toBe(1);
    const [cards, teaser] = Array.from(d.body.children);
    expect(cards!.getAttribute('class')).toBe('row');
    expect(cards!.hasAttribute('id')).toBe(false);
    expect(teaser!.getAttribute('class')).toBe('widget teaser');
  });

  it('isProseBlock: a teaser with a linked headline is not prose', () => {
    const teaser = doc('<div><h3><a href="/x">Another story about something else entirely</a></h3><p>A one-sentence standfirst that sells another story to the reader, long enough to pass for a paragraph of prose in a count.</p></div>');
    expect(isProseBlock(teaser.body.firstElementChild!)).toBe(false);
    const text = doc(`<div>${prose('budgets', 3)}</div>`);
    expect(isProseBlock(text.body.firstElementChild!)).toBe(true);
  });
});

describe('recoverFragment: Readability\'s pick checked against where the prose is', () => {
  // Sections of one article, each nested deep in its own builder block: Readability scores them apart.
  const section = (topic: string, n: number) => `<div class="row"><div class="inner"><div class="block"><h2>${topic}</h2>${prose(topic, n)}</div></div></div>`;
  const blocksOf = (html: string) => toBlocks(doc(html).body);
  const builderPage = `<html><head><title>Choosing a CRM</title></head><body><header><a href="/">Home</a></header>` +
    `<div class="body-field">${section('contacts', 2)}${section('pipelines', 3)}${section('reports', 9)}${section('pricing', 2)}${section('support', 2)}</div>` +
    '<footer><a href="/privacy">Privacy</a></footer></body></html>';

  it('takes the whole container when Readability kept one section of it', () => {
    const html = `<!doctype html><html><body>${builderPage.replace(/^.*<body>|<\/body>.*$/g, '')}</body></html>`;
    const fragment = blocksOf(section('reports', 9));
    const fresh = () => {
      const copy = (parseHTML(html) as unknown as { document: Document }).document;
      precleanDom(copy);
      return copy;
    };
    const out = recoverFragment(fragment, surveyProse(doc(builderPage.replace(/^.*<body>|<\/body>.*$/g, ''))), fresh).map((b) => b.text).join(' ');
    for (const topic of ['contacts', 'pipelines', 'reports', 'pricing', 'support']) expect(out).toContain(`Paragraph 1 about ${topic}`);
    expect(out).not.toContain('Privacy');
  });

  it('finds the container again on a page whose markup before <body> the parse repairs', () => {
    const para = (topic: string, n: number) => Array.from({ length: n }, (_, i) => `<p>Paragraph ${i + 1} about ${topic}: a sentence long enough to count as prose, with words about ${topic} and the choices a small team makes when it picks one.</p>`).join('');
    const part = (topic: string, n: number) => `<div class="row"><div class="inner"><div class="block"><h2>${topic}</h2>${para(topic, n)}</div></div></div>`;
    const body = `<header><a href="/">Home</a></header><div class="body-field">${part('contacts', 2)}${part('pipelines', 3)}${part('reports', 9)}${part('pricing', 2)}${part('support', 2)}</div><footer><a href="/privacy">Privacy</a></footer>`;
    const a = parseHtml(`<html><head><title>Choosing a CRM</title></head><div id="ad-slot"></div><body>${body}</body></html>`, { fileName: 'crm.html' });
    expect(a.extraction).toBe('prose-container');
    for (const topic of ['contacts', 'pipelines', 'reports', 'pricing', 'support']) expect(a.text).toContain(`Paragraph 1 about ${topic}`);
  });

  const survey = (html: string) => surveyProse(doc(html));

  it('isFragment: not when the rest of the prose is a column of teasers or a comment thread', () => {
    const article = `<div class="story">${prose('budgets', 4)}</div>`;
    const teasers = `<div class="more">${Array.from({ length: 8 }, (_, i) => `<div><a href="/s${i}">Headline of another story number ${i} in the column</a><p>Standfirst ${i} of another story, with enough words to be read as a sentence of prose.</p></div>`).join('')}</div>`;
    expect(isFragment(blocksOf(article), survey(`<div>${article}${teasers}</div>`))).toBe(false);
    const comments = `<ol class="comment-list">${Array.from({ length: 6 }, (_, i) => `<li>${sentence('my own view', i)}</li>`).join('')}</ol>`;
    expect(isFragment(blocksOf(article), survey(`<div>${article}${comments}</div>`))).toBe(false);
  });

  it('isFragment: yes when Readability found none of the prose', () => {
    expect(isFragment([], survey(`<table><tr><td>${prose('harbour', 12)}</td></tr></table>`))).toBe(true);
  });
});
