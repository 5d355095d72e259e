// A story page in a real browser (headless Chromium through playwright-core), JavaScript off: its timeline is
// all there, nothing is fetched, a hostile headline stays text, and the page fits a phone's width.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStoryRenderer } from '../functions/core/render-story.ts';
import { changedStories, nextStoryPage, type StoryPage } from '../functions/core/story-page.ts';
import { loadTemplates } from '../functions/templates.ts';
import { editionOf } from './edition-fixture.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HOSTILE = '<script>window.__pwned = 1</script><img src="https://tracker.example/x.gif">';

function pages(): StoryPage {
  const entry = (id: string, title: string, publisher: string) => ({ id, title, publisher, author: null, url: `https://news.example/${id}`, publishedAt: null, language: 'en', words: 10, copies: [] });
  const base = { summary: 'A summary. Two sentences.', language: 'en', publishedAt: null };
  const day1 = editionOf([{ ...base, id: 's_1', headline: `First ${HOSTILE}`, outlets: ['Alpha'], articleCount: 1, entries: [entry('a_1', `First ${HOSTILE}`, 'Alpha')] }], { edition: '2026-11-21' });
  const day2 = editionOf(
    [
      {
        ...base,
        id: 's_1',
        headline: 'Second headline',
        outlets: ['Alpha', 'Beta'],
        articleCount: 2,
        entries: [entry('a_1', `First ${HOSTILE}`, 'Alpha'), entry('a_2', 'Beta reports', 'Beta')],
        status: 'developing',
        firstSeen: '2026-11-21',
        changes: { since: '2026-11-21', articlesAdded: ['a_2'], outletsAdded: ['Beta'], headlineBefore: `First ${HOSTILE}` },
      },
    ],
    { edition: '2026-11-22', previous: '2026-11-21' },
  );
  const facts = new Map([
    ['a_1', { title: 'x', receivedAt: '2026-11-21T08:00:00Z' }],
    ['a_2', { title: 'y', receivedAt: '2026-11-22T08:00:00Z' }],
  ]);
  let page: StoryPage | null = null;
  for (const e of [day1, day2]) page = nextStoryPage(e, changedStories(e)[0]!, page, facts);
  return page!;
}

describe.runIf(existsSync(CHROMIUM))('a story page in Chromium, without JavaScript', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'], timeout: 60_000 });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
  });

  it('shows the whole timeline, fetches nothing, keeps a hostile headline as text, and fits 390 px', async () => {
    const html = createStoryRenderer(loadTemplates())!(pages());
    const context = await browser.newContext({ viewport: { width: 390, height: 900 }, javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      const requests: string[] = [];
      await page.route('**/*', (route) => {
        requests.push(route.request().url());
        return route.abort();
      });
      await page.setContent(html, { waitUntil: 'load' });
      const text = await page.innerText('body');
      expect(text).toContain('Second headline');
      expect(text).toContain('Developing: new outlets Beta');
      expect(text).toContain('Beta reports');
      expect(text).toContain(`First ${HOSTILE}`); // as text, in the headline change and the first entry
      expect(await page.locator('img').count()).toBe(0);
      expect(requests).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    } finally {
      await context.close();
    }
  }, 60_000);
});
