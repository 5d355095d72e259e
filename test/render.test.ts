import { describe, expect, it } from 'vitest';
import { editionFor, inWindow, summarize, type Edition } from '../functions/core/edition.ts';
import { createRenderer, wrapText } from '../functions/core/render.ts';
import { loadTemplates } from '../functions/templates.ts';

function hostileEdition(): Edition {
  const evil = '<script>alert(1)</script> {{title}} \r\nBcc: victim@example.com';
  return {
    schema: 'newsdigest.edition/1',
    edition: '2026-11-22',
    title: 'News digest',
    updatedAt: '2026-11-22T06:00:00.000Z',
    window: { from: '2026-11-21T00:00:00.000Z', to: '2026-11-23T00:00:00.000Z' },
    language: 'en',
    counts: { articles: 2, stories: 1, entries: 1, copiesCollapsed: 1, outlets: 2 },
    stories: [
      {
        id: 's_1',
        headline: evil,
        summary: `${evil} summary.`,
        language: 'en',
        publishedAt: null,
        outlets: ['<b>Outlet</b>', 'Wire'],
        articleCount: 2,
        entries: [
          {
            id: 'a_1',
            title: evil,
            publisher: '<b>Outlet</b>',
            author: '"><img src=x onerror=alert(1)>',
            url: 'javascript:alert(1)',
            publishedAt: null,
            language: 'en',
            words: 100,
            copies: [{ articleId: 'a_2', publisher: 'Wire', url: 'https://wire.example/story?a=1&b=2' }],
          },
        ],
      },
    ],
  };
}

describe('rendering', () => {
  const render = createRenderer(loadTemplates());

  it('escapes everything that comes from articles and links only http(s)', () => {
    const { html, text, json } = render(hostileEdition());
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>Outlet');
    expect(html).not.toContain('javascript:');
    expect(html).toContain('&lt;script&gt;');
    expect(html).toContain('{{title}}'); // template syntax in data stays text
    expect(html).toContain('href="https://wire.example/story?a&#x3D;1&amp;b&#x3D;2"');
    expect(text).not.toContain('javascript:');
    expect(JSON.parse(json)).toEqual(hostileEdition());
  });

  it('wraps plain text at 72 columns without cutting words', () => {
    const long = 'word '.repeat(60).trim();
    const wrapped = wrapText(long, 72, '   ');
    for (const line of wrapped.split('\n')) expect(line.length).toBeLessThanOrEqual(72);
    expect(wrapped.replace(/\s+/g, ' ')).toBe(long);
    const { text } = render(hostileEdition());
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(72);
  });
});

describe('edition helpers', () => {
  it('summarizes with two or three whole sentences', () => {
    const text = 'First sentence here. Second one follows! Third comes now? Fourth is dropped.\n\nNext paragraph.';
    expect(summarize(text)).toBe('First sentence here. Second one follows! Third comes now?');
    const s = summarize(`${'A long sentence with many words. '.repeat(20)}`);
    expect(s.endsWith('.')).toBe(true);
  });

  it('gives every rebuild of a day the same window, ending at the day end in the edition time zone', () => {
    const morning = editionFor(new Date('2026-11-22T06:00:00Z'), 48);
    const evening = editionFor(new Date('2026-11-22T23:59:00Z'), 48);
    expect(morning).toEqual(evening);
    expect(morning.edition).toBe('2026-11-22');
    expect(morning.window.to.toISOString()).toBe('2026-11-23T00:00:00.000Z');
    expect(morning.window.from.toISOString()).toBe('2026-11-21T00:00:00.000Z');
    const paris = editionFor(new Date('2026-11-22T23:30:00Z'), 24, 'Europe/Paris');
    expect(paris.edition).toBe('2026-11-23');
    expect(paris.window.to.toISOString()).toBe('2026-11-23T23:00:00.000Z');
  });

  it('keeps records published or received inside the window', () => {
    const w = { from: new Date('2026-11-21T00:00:00Z'), to: new Date('2026-11-23T00:00:00Z') };
    const rec = (publishedAt: string | null, receivedAt: string) =>
      ({ publishedAt, source: { key: 'k', index: 0, receivedAt } }) as Parameters<typeof inWindow>[0][number];
    const kept = inWindow([rec('2026-11-22T10:00:00Z', '2020-01-01T00:00:00Z'), rec('2020-01-01T00:00:00Z', '2026-11-21T05:00:00Z'), rec(null, '2026-11-20T23:59:59Z')], w);
    expect(kept).toHaveLength(2);
  });
});
