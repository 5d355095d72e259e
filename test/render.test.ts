import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { editionFor, editionJsonSchema, inWindow, summarize, type Edition } from '../functions/core/edition.ts';
import { composeEditionMessage } from '../functions/core/email.ts';
import { createArchiveRenderer, createRenderer, largestFitting } from '../functions/core/render.ts';
import { oneLine, wrapText } from '../functions/core/text-format.ts';
import { loadTemplates } from '../functions/templates.ts';
import { editionOf } from './edition-fixture.ts';

function hostileEdition(): Edition {
  const evil = '<script>alert(1)</script> {{title}} \r\nBcc: victim@example.com';
  return editionOf([
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
  ]);
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

  it('keeps hostile text inert in the web page, the subject, the preheader and the archive', () => {
    const r = render(hostileEdition(), { prev: '2026-11-21', next: null });
    for (const out of [r.page, createArchiveRenderer(loadTemplates())('News digest', [{ edition: '2026-11-22', title: 'T', stories: 1, articles: 2, outlets: 2, headline: hostileEdition().stories[0]!.headline }])]) {
      expect(out).not.toContain('<script>');
      expect(out).not.toContain('<img');
      expect(out).not.toContain('javascript:');
      expect(out).toContain('&lt;script&gt;');
      // No script can run even if something slipped through: the page forbids scripts outright.
      expect(out).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'`);
    }
    expect(r.subject).not.toMatch(/[\r\n]/);
    expect(r.subject).toContain('<script>alert(1)</script> {{title}} Bcc: victim@example.com');
    expect(r.preheader).not.toMatch(/[\r\n]/);
    expect(r.html).toContain('&lt;script&gt;');
  });

  it('puts CRLF from a headline into no header of the message', async () => {
    const r = render(hostileEdition());
    const raw = (await composeEditionMessage(hostileEdition(), r, { from: 'Digest <d@example.com>', to: { email: 'x@example.org', name: 'X\r\nBcc: y@example.org' } })).toString();
    const head = raw.split('\r\n\r\n')[0]!;
    expect(head).not.toMatch(/^Bcc:/im);
    expect(head.match(/^Subject:/gm)).toHaveLength(1);
    for (const line of head.split('\r\n')) expect(line === '' || /^[\x21-\x7e]+:|^[ \t]/.test(line)).toBe(true);
  });

  it('makes email HTML table-based, inlined, with a preheader, dark-mode styles and no external resources', () => {
    const { html, page } = render(hostileEdition());
    expect(html).toMatch(/<table role="presentation"[^>]*class="column"[^>]*style="[^"]*max-width: 600px/);
    expect(html).toContain('class="preheader"');
    expect(html).toContain('@media (prefers-color-scheme: dark)');
    expect(html).toMatch(/<h2 style="[^"]*font-size: 21px/); // inlined
    expect(html).not.toMatch(/<link\b|@import|@font-face|<script\b|<img\b/i);
    expect(page).not.toContain('class="preheader"');
  });

  it('links the web page to its neighbours and the archive, and the email to the public edition', () => {
    const withBase = createRenderer(loadTemplates(), { publicBaseUrl: 'https://news.example.com/digests' });
    const r = withBase(hostileEdition(), { prev: '2026-11-21', next: '2026-11-23' });
    expect(r.page).toContain('href="../2026-11-21/index.html"');
    expect(r.page).toContain('href="../2026-11-23/index.html"');
    expect(r.page).toContain('href="../index.html"');
    expect(r.html).toContain('href="https://news.example.com/digests/index.html"');
    expect(r.text).toContain('https://news.example.com/digests/2026-11-22/index.html');
    // Without a public URL, no link that could not work in a mailbox.
    const plain = render(hostileEdition());
    expect(plain.html).not.toContain('index.html');
  });

  it("clips a large edition's email to its top stories under the size budget, with a link to the rest", () => {
    const big = manyStories(300);
    const r = createRenderer(loadTemplates(), { publicBaseUrl: 'https://news.example.com/digests/', maxEmailBytes: 60_000 })(big);
    expect(Buffer.byteLength(r.html)).toBeLessThanOrEqual(60_000);
    expect(r.emailStories).toBeGreaterThan(5);
    expect(r.emailStories).toBeLessThan(300);
    expect(r.html).toContain(`${300 - r.emailStories} more stories in this edition`);
    expect(r.html).toContain('href="https://news.example.com/digests/2026-11-22/index.html"');
    expect(r.html).toContain('Story 0 headline');
    expect(r.html).not.toContain(`Story ${r.emailStories} headline`);
    // The web page and the text keep every story.
    expect(r.page).toContain('Story 299 headline');
    expect(r.text).toContain('Story 299 headline');
    // The email's plain-text part carries the HTML part's stories, and says how many more there are.
    expect(r.emailText).toContain(`Story ${r.emailStories - 1} headline`);
    expect(r.emailText).not.toContain(`Story ${r.emailStories} headline`);
    expect(r.emailText).toContain(`${300 - r.emailStories} more stories in this edition`);
    expect(r.emailText).toContain('https://news.example.com/digests/2026-11-22/index.html');
    expect(r.text).not.toContain('more stories in this edition');
    // A small edition is not clipped.
    const small = render(manyStories(3));
    expect(small.emailStories).toBe(3);
    expect(small.emailText).toBe(small.text);
  });

  it('clips the email to the most top stories that fit: one more would not', () => {
    const big = manyStories(300);
    const runs = [20_000, 27_000, 34_000, 41_000, 48_000, 55_000, 62_000].map((budget) => {
      const r = createRenderer(loadTemplates(), { maxEmailBytes: budget })(big);
      return { budget, stories: r.emailStories, bytes: Buffer.byteLength(r.html) };
    });
    for (const run of runs) {
      expect(run.bytes).toBeLessThanOrEqual(run.budget);
      // The email one story longer, wherever another budget produced it, is over this budget.
      for (const other of runs) if (other.stories === run.stories + 1) expect(other.bytes).toBeGreaterThan(run.budget);
    }
    expect(new Set(runs.map((r) => r.stories)).size).toBeGreaterThan(3);
    expect(runs.map((r) => r.stories)).toEqual(runs.map((r) => r.stories).sort((a, b) => a - b));
    // Exactly the email's own size still fits it; a byte less does not.
    const at = runs[3]!;
    expect(createRenderer(loadTemplates(), { maxEmailBytes: at.bytes })(big).emailStories).toBe(at.stories);
    expect(createRenderer(loadTemplates(), { maxEmailBytes: at.bytes - 1 })(big).emailStories).toBe(at.stories - 1);
    // When not even the top story fits, it goes alone: the same email as under a budget it just fits.
    const tight = createRenderer(loadTemplates(), { maxEmailBytes: 1_000 })(big);
    expect(tight.emailStories).toBe(1);
    expect(Buffer.byteLength(tight.html)).toBeGreaterThan(1_000);
    expect(createRenderer(loadTemplates(), { maxEmailBytes: Buffer.byteLength(tight.html) })(big).html).toBe(tight.html);
  });

  it('mails new stories, then developing ones, and only counts the unchanged, even when clipped', () => {
    const marks = (i: number) => {
      if (i % 3 === 0) return { status: 'developing' as const, firstSeen: '2026-11-20', changes: { since: '2026-11-21', articlesAdded: [`a_${i}c`], outletsAdded: [], headlineBefore: null } };
      return i % 3 === 1 ? { status: 'unchanged' as const, firstSeen: '2026-11-20', lastUpdated: '2026-11-21' } : {};
    };
    const edition = editionOf(manyStories(30).stories.map((s, i) => ({ ...s, ...marks(i) })), { previous: '2026-11-21' });
    const r = render(edition);
    expect(r.emailStories).toBe(20);
    const order = (out: string) => [...out.matchAll(/Story (\d+) headline/g)].map((m) => Number(m[1])).filter((n, i, a) => a.indexOf(n) === i);
    const expected = [...[...Array(30).keys()].filter((i) => i % 3 === 2), ...[...Array(30).keys()].filter((i) => i % 3 === 0)];
    expect(order(r.html)).toEqual(expected);
    expect(order(r.emailText)).toEqual(expected);
    expect(order(r.page)).toEqual([...Array(30).keys()]); // the web page keeps the ranking, every story
    expect(r.subject).toContain('Story 2 headline');
    expect(r.subject).toContain('(+19 more)');
    expect(r.preheader).toMatch(/^10 new, 10 developing since 21 Nov: Story 2 headline/);
    const flat = (out: string) => out.replace(/\s+/g, ' ');
    for (const out of [r.html, r.emailText]) expect(flat(out)).toContain('10 stories unchanged since 21 Nov 2026, not repeated here');

    const clipped = createRenderer(loadTemplates(), { maxEmailBytes: 30_000 })(edition);
    expect(clipped.emailStories).toBeLessThan(20);
    expect(order(clipped.html)).toEqual(expected.slice(0, clipped.emailStories));
    const more = 20 - clipped.emailStories;
    for (const out of [clipped.html, clipped.emailText]) {
      expect(flat(out)).toContain(`${more} more stories in this edition, and 10 stories unchanged since 21 Nov 2026, not repeated here`);
    }
  });

  it('says there is nothing new in an email whose stories are all unchanged', () => {
    const same = editionOf(manyStories(2).stories.map((s) => ({ ...s, status: 'unchanged' as const, firstSeen: '2026-11-20', lastUpdated: '2026-11-21' })), { previous: '2026-11-21' });
    const r = render(same);
    expect(r.emailStories).toBe(0);
    for (const out of [r.html, r.emailText]) {
      expect(out).toContain('Nothing new or developing since 21 Nov 2026.');
      expect(out).not.toContain('Story 0 headline');
    }
    expect(r.page).toContain('Story 0 headline');
    expect(r.subject).toBe('News digest — 22 Nov 2026');
  });

  it('finds the largest count that fits without trying counts far past it', () => {
    for (let hi = 1; hi <= 40; hi++) {
      for (let answer = 0; answer < hi; answer++) expect(largestFitting(0, hi, (c) => c <= answer)).toBe(answer);
    }
    expect(largestFitting(10, 11, () => false)).toBe(10);
    expect(largestFitting(5, 30, (c) => c <= 17)).toBe(17);
    const tried: number[] = [];
    expect(largestFitting(0, 1_000_001, (c) => (tried.push(c), c <= 37))).toBe(37);
    expect(Math.max(...tried)).toBeLessThan(2 * 37 + 16);
    expect(tried.length).toBeLessThan(12);
  });

  it("names the language of a story or entry only when it is not the edition's", () => {
    const e = manyStories(2);
    e.stories[1]!.language = 'fr';
    e.stories[1]!.entries[0]!.language = 'fr';
    const r = render(e);
    expect(r.html.match(/in French/g)).toHaveLength(2);
    expect(r.text).toContain('in French');
    expect(r.html).not.toContain('in English');
  });

  it('marks each story against the previous edition, and nothing in an edition compared with none', () => {
    const entry = (id: string, publisher: string | null) => ({ id, title: id, publisher, author: null, url: null, publishedAt: null, language: 'en', words: 100, copies: [] });
    const base = { summary: 'A summary.', language: 'en', publishedAt: null, articleCount: 2 };
    const stories = [
      { ...base, id: 's_n', headline: 'Fresh', outlets: ['A'], entries: [entry('a_1', 'A'), entry('a_2', 'A')] },
      {
        ...base,
        id: 's_d',
        headline: 'Grown',
        outlets: ['B', 'C'],
        entries: [entry('b_1', 'B'), { ...entry('b_2', null), copies: [{ articleId: 'b_3', publisher: 'C', url: null }] }],
        articleCount: 3,
        status: 'developing' as const,
        firstSeen: '2026-11-20',
        changes: { since: '2026-11-21', articlesAdded: ['b_2', 'b_3'], outletsAdded: ['C'], headlineBefore: null },
      },
      { ...base, id: 's_h', headline: 'Renamed', outlets: ['D'], entries: [entry('d_1', 'D')], articleCount: 1, status: 'developing' as const, firstSeen: '2026-11-21', changes: { since: '2026-11-21', articlesAdded: [], outletsAdded: [], headlineBefore: 'Named' } },
      { ...base, id: 's_u', headline: 'Same', outlets: ['E'], entries: [entry('e_1', 'E')], articleCount: 1, status: 'unchanged' as const, firstSeen: '2026-11-19', lastUpdated: '2026-11-20' },
    ];
    const marked = render(editionOf(stories, { previous: '2026-11-21' }));
    expect(marked.page).toContain('class="status status-new">New<');
    expect(marked.page).toContain('class="status status-developing">Developing: +2 articles since 21 Nov: C<');
    expect(marked.page).toContain('class="status status-developing">Developing: New headline since 21 Nov<');
    expect(marked.page).toContain('class="status status-unchanged">Unchanged since 20 Nov<');
    expect(marked.page).toContain('since 21 Nov 2026: 1 new, 2 developing, 1 unchanged');
    expect(marked.text).toContain('   Developing: +2 articles since 21 Nov: C\n');
    const first = render(editionOf(stories.map((s) => ({ ...s, status: 'new' as const, changes: null }))));
    for (const out of [first.page, first.text]) {
      expect(out).not.toMatch(/class="status|Developing|Unchanged since|>New<|^ +New$/m);
    }
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

function manyStories(n: number): Edition {
  return editionOf(
    Array.from({ length: n }, (_, i) => ({
      id: `s_${i}`,
      headline: `Story ${i} headline about something that happened today`,
      summary: 'A first sentence of a plausible length for a news summary. A second one follows it with detail. '.repeat(2).trim(),
      language: 'en',
      publishedAt: '2026-11-22T05:30:00.000Z',
      outlets: [`Outlet ${i}`, 'Wire'],
      articleCount: 2,
      entries: [
        {
          id: `a_${i}`,
          title: `Story ${i} as one outlet titled it`,
          publisher: `Outlet ${i}`,
          author: 'A. Reporter',
          url: `https://outlet${i}.example/news/2026/11/22/story-${i}`,
          publishedAt: '2026-11-22T05:30:00.000Z',
          language: 'en',
          words: 600,
          copies: [{ articleId: `a_${i}c`, publisher: 'Wire', url: `https://wire.example/${i}` }],
        },
      ],
    })),
  );
}

describe('the edition JSON Schema', () => {
  it('is committed up to date in docs/edition.schema.json (UPDATE_SCHEMA=1 rewrites it)', () => {
    const file = path.resolve(import.meta.dirname, '..', 'docs', 'edition.schema.json');
    const current = `${JSON.stringify(editionJsonSchema(), null, 2)}\n`;
    if (process.env.UPDATE_SCHEMA) writeFileSync(file, current);
    expect(readFileSync(file, 'utf8'), 'docs/edition.schema.json is stale: run UPDATE_SCHEMA=1 npx vitest run test/render.test.ts').toBe(current);
  });
});

describe('helpers for headers', () => {
  it('flattens control characters and caps length at a word', () => {
    expect(oneLine('a\r\nBcc: x\u0000\t b')).toBe('a Bcc: x b');
    const long = oneLine('word '.repeat(100), 30);
    expect(long.length).toBeLessThanOrEqual(30);
    expect(long.endsWith('word…')).toBe(true);
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
