// Body extraction on layouts nobody tuned for: the clean-up steps must not cost the article its own text.
import { parseHTML } from 'linkedom';
import { describe, expect, it } from 'vitest';
import { precleanDom } from '../functions/core/parse/html/cleanup.ts';

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
