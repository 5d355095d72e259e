// Body extraction on layouts nobody tuned for: the clean-up steps must not cost the article its own text.
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { precleanDom } from '../functions/core/parse/html/cleanup.ts';
import { toBlocks } from '../functions/core/parse/html/text.ts';

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
