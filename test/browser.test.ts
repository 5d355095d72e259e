// The edition in a real browser (headless Chromium through playwright-core): the web page and the email at
// desktop and phone widths, no horizontal overflow, every story visible, no request leaves the page, and a
// <script> smuggled into an article never runs. Screenshots land in test-output/ (git-ignored).
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EditionSchema, type Edition } from '../functions/core/edition.ts';
import { createRenderer, type RenderedEdition } from '../functions/core/render.ts';
import { loadTemplates } from '../functions/templates.ts';
import { seedFiles, startTestPipeline } from './helpers.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = path.resolve(import.meta.dirname, '..', 'test-output');
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
const haveChromium = existsSync(CHROMIUM);
const inCI = process.env.CI === 'true' || process.env.CI === '1';

if (!haveChromium && !inCI) {
  console.warn(`browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
}

describe('Chromium is available', () => {
  // In CI a missing browser is a failure with a clear message, not a silent skip.
  it.runIf(inCI)('finds the Chromium binary the browser tests need', () => {
    expect(haveChromium, `Chromium not found at ${CHROMIUM}: .ci/run must install it (apt-get install -y chromium)`).toBe(true);
  });
});

const HOSTILE = '<script>window.__pwned = 1; alert(1)</script>';

/** The seed edition plus one story whose every field tries to inject markup or script. */
function withHostileStory(edition: Edition): Edition {
  const hostile = {
    id: 's_hostile',
    headline: `${HOSTILE} An injected headline`,
    summary: `<img src="x" onerror="window.__pwned = 2"> A summary with a ${HOSTILE} tag. {{title}} stays text.`,
    language: 'fr',
    publishedAt: '2026-11-22T04:15:00.000Z',
    outlets: ['<b onmouseover="window.__pwned=3">Evil outlet</b>'],
    articleCount: 1,
    entries: [
      {
        id: 'a_hostile',
        title: `${HOSTILE} entry ${'averyveryverylongunbrokenwordthatcouldpushthepagewide'.repeat(3)}`,
        publisher: '<b onmouseover="window.__pwned=3">Evil outlet</b>',
        author: '"><svg onload="window.__pwned=4">',
        url: 'javascript:window.__pwned=5',
        publishedAt: null,
        language: 'fr',
        words: 10,
        copies: [{ articleId: 'a_h2', publisher: 'Mirror', url: 'https://mirror.example/a-very-long-path/that/goes/on/and/on/and/on?with=query&and=more' }],
      },
    ],
  };
  // Developing against a previous edition, so its status line (naming the outlet of its added article) shows.
  const marks = {
    status: 'developing' as const,
    firstSeen: '2026-11-21',
    lastUpdated: edition.edition,
    changes: { since: '2026-11-21', articlesAdded: ['a_hostile'], outletsAdded: [hostile.outlets[0]!], headlineBefore: HOSTILE },
    mergedFrom: [],
    splitFrom: null,
  };
  return EditionSchema.parse({
    ...edition,
    previous: '2026-11-21',
    counts: {
      ...edition.counts,
      stories: edition.counts.stories + 1,
      entries: edition.counts.entries + 1,
      articles: edition.counts.articles + 2,
      developing: edition.counts.developing + 1,
    },
    stories: [...edition.stories, { ...hostile, ...marks }],
  });
}

describe.skipIf(!haveChromium)('the edition in headless Chromium', () => {
  let browser: Browser;
  let seed: Edition;
  let seedRendered: RenderedEdition;
  let hostile: Edition;
  let hostileRendered: RenderedEdition;

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    const p = await startTestPipeline();
    try {
      for (const s of seedFiles()) await p.upload(`inbox/${s.name}`, s.body);
      await p.runner.idle();
      seed = EditionSchema.parse(await p.json('digests/latest/digest.json'));
    } finally {
      await p.cleanup();
    }
    const render = createRenderer(loadTemplates(), { publicBaseUrl: 'https://news.example.com/digests/' });
    seedRendered = render(seed, { prev: '2026-11-21' });
    hostile = withHostileStory(seed);
    hostileRendered = render(hostile, { prev: '2026-11-21' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 60_000 });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  async function open(html: string, width: number, colorScheme: 'light' | 'dark' = 'light') {
    const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme, javaScriptEnabled: true });
    const page = await context.newPage();
    const requests: string[] = [];
    const dialogs: string[] = [];
    const pageErrors: string[] = [];
    await page.route('**/*', (route) => {
      requests.push(route.request().url());
      return route.abort();
    });
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.setContent(html, { waitUntil: 'load' });
    return { page, requests, dialogs, pageErrors, close: () => context.close() };
  }

  async function layout(page: Page, ids: string[]) {
    return page.evaluate((storyIds) => {
      const vw = document.documentElement.clientWidth;
      return {
        viewport: vw,
        scrollWidth: Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
        stories: storyIds.map((id) => {
          const el = document.getElementById(id);
          const r = el?.getBoundingClientRect();
          const style = el ? getComputedStyle(el) : null;
          return {
            id,
            found: Boolean(el),
            visible: Boolean(r && r.width > 0 && r.height > 0 && style?.visibility !== 'hidden' && style?.display !== 'none'),
            inside: Boolean(r && r.left >= 0 && r.right <= vw + 0.5),
          };
        }),
      };
    }, ids);
  }

  for (const width of [1200, 390]) {
    for (const kind of ['page', 'email'] as const) {
      it(`shows every story of the seed ${kind} at ${width} px without horizontal overflow`, async () => {
        const view = await open(seedRendered[kind === 'page' ? 'page' : 'html'], width);
        try {
          const l = await layout(view.page, seed.stories.map((s) => s.id));
          expect(l.scrollWidth, `horizontal overflow at ${width} px`).toBeLessThanOrEqual(l.viewport);
          for (const s of l.stories) expect(s, s.id).toEqual({ id: s.id, found: true, visible: true, inside: true });
          expect(await view.page.getByText(seed.stories[0]!.headline, { exact: false }).first().isVisible(), 'the top headline is visible').toBe(true);
          expect(view.requests, 'the page fetched something').toEqual([]);
          await view.page.screenshot({ path: path.join(OUT, `seed-${kind}-${width}.png`), fullPage: true });
        } finally {
          await view.close();
        }
      });
    }
  }

  it('renders the dark-mode email readably (screenshot) and with dark colours', async () => {
    const view = await open(seedRendered.html, 390, 'dark');
    try {
      const bg = await view.page.evaluate(() => getComputedStyle(document.querySelector('.column')!).backgroundColor);
      expect(bg).toBe('rgb(28, 28, 26)');
      await view.page.screenshot({ path: path.join(OUT, 'seed-email-390-dark.png'), fullPage: true });
    } finally {
      await view.close();
    }
  });

  for (const width of [1200, 390]) {
    it(`never runs a script smuggled into an article, and shows it as text (${width} px)`, async () => {
      for (const html of [hostileRendered.page, hostileRendered.html]) {
        const view = await open(html, width);
        try {
          // Give any handler (onerror, onload) the chance to fire.
          await view.page.waitForTimeout(200);
          await view.page.hover('#s_hostile h2').catch(() => undefined);
          const hrefs = await view.page.evaluate(() => [...document.querySelectorAll('a')].map((a) => a.getAttribute('href') ?? ''));
          for (const href of hrefs) expect(href).toMatch(/^(https?:\/\/|\.\.\/)/);
          expect(await view.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
          expect(view.dialogs).toEqual([]);
          expect(view.pageErrors).toEqual([]);
          expect(await view.page.evaluate(() => [...document.querySelectorAll('script')].map((s) => s.outerHTML))).toEqual([]);
          const headline = await view.page.locator('#s_hostile h2').innerText();
          expect(headline).toContain('<script>window.__pwned = 1; alert(1)</script>');
          const l = await layout(view.page, hostile.stories.map((s) => s.id));
          expect(l.scrollWidth, `horizontal overflow at ${width} px`).toBeLessThanOrEqual(l.viewport);
          for (const s of l.stories) expect(s.visible && s.inside, s.id).toBe(true);
          await view.page.screenshot({ path: path.join(OUT, `hostile-${html === hostileRendered.page ? 'page' : 'email'}-${width}.png`), fullPage: true });
        } finally {
          await view.close();
        }
      }
    });
  }
});
