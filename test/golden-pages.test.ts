// Golden pages: parseFile's output on each real page under test/pages/ must equal the committed expected.json.
// An intended change is recorded with `npm run fixtures:update` (see test/pages/README.md), and its diff read.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  EXPECTED_FILE, PAGES_DIR, articleSnapshot, describeDifference, listPages, readSnapshot, serializeSnapshot, snapshotOf,
  snapshotText,
} from './golden-pages.ts';

const pages = listPages();

describe('golden pages', () => {
  it('has pages, each with an expected.json as fixtures:update writes it', () => {
    expect(pages.length).toBeGreaterThan(0);
    expect(pages.filter((p) => !readSnapshot(p))).toEqual([]);
    const stored = (p: string) => readFileSync(join(PAGES_DIR, p, EXPECTED_FILE), 'utf8');
    expect(pages.filter((p) => serializeSnapshot(readSnapshot(p)!) !== stored(p))).toEqual([]);
  });

  it.each(pages)('%s', (page) => {
    const expected = readSnapshot(page);
    if (!expected) return; // reported by the test above
    const difference = describeDifference(expected, snapshotOf(page));
    const hint = `\nIf intended: npm run fixtures:update -- --page ${page}, then read the diff before committing.\n`;
    expect(difference === null, `${page}:\n${difference}${hint}`).toBe(true);
  });
});

describe('golden page snapshots', () => {
  const article = { url: null, text: 'One.\n\nTwo\nlines.\n\n\n\nThree.', title: 'T', author: null, publishedAt: null, publisher: 'P', language: 'en' };

  it('keep every field, metadata first, a later field by name, the text last as its paragraphs', () => {
    const s = articleSnapshot({ ...article, extraction: { path: 'main', score: 1 } });
    expect(Object.keys(s)).toEqual(['title', 'author', 'publishedAt', 'publisher', 'url', 'language', 'extraction', 'text']);
    expect(s.text).toEqual(['One.', 'Two\nlines.', '', 'Three.']);
    expect(snapshotText({ format: 'html', article: s })).toBe(article.text);
  });

  it('name the field that differs and the first differing paragraph', () => {
    const before = { format: 'html', article: articleSnapshot(article) };
    const after = { format: 'html', article: articleSnapshot({ ...article, title: 'U', text: 'One.\n\nTwo\nlines!' }) };
    const d = describeDifference(before, after)!;
    expect(d).toContain('title: expected "T", got "U"');
    expect(d).toContain('text: paragraph 2 differs (expected 4 paragraphs, got 2), from character 10');
    expect(describeDifference(before, { format: 'html', rejected: 'no article text found' })).toContain('rejected: expected (absent), got "no article text found"');
    expect(describeDifference(before, before)).toBeNull();
  });
});
