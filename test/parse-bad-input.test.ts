// Every bad input ends as a clear one-line reason in `errors` (or as articles): never a throw, never a hang.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parseFile, type ParseOutcome } from '../functions/core/parse/index.ts';
import { defaultParseLimits } from '../functions/core/parse/limits.ts';

const bad = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', 'bad', name));

/** A rejected file: no article, exactly one whole-file reason on one line. */
function expectRejected(out: ParseOutcome, reason: RegExp): void {
  expect(out.articles).toEqual([]);
  expect(out.errors).toHaveLength(1);
  const error = out.errors[0]!.error;
  expect(error).toMatch(reason);
  expect(error).not.toContain('\n');
  expect(error.length).toBeLessThan(300);
}

const article = (title: string) => ({
  title,
  text: 'This body has more than twenty words so that it counts as an article for the pipeline, which needs a minimum amount of text.',
});

describe('bad input', () => {
  it('empty file', () => {
    expectRejected(parseFile('empty.txt', new Uint8Array()), /^empty file/);
    expectRejected(parseFile('empty.json.gz', gzipSync(Buffer.alloc(0))), /^empty file/);
  });

  it('binary files are refused with their kind', () => {
    const cases: Array<[string, number[], RegExp]> = [
      ['doc.txt', [...Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj', 'latin1')], /PDF document/],
      ['img.html', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13], /PNG image/],
      ['a.out', [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0], /ELF executable/],
      ['x.zip', [0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0], /ZIP archive/],
    ];
    for (const [name, bytes, reason] of cases) {
      expectRejected(parseFile(name, Uint8Array.from([...bytes, ...randomBytes(2000)])), reason);
    }
  });

  it('20 MB of random junk', () => {
    expectRejected(parseFile('junk.txt', randomBytes(20 * 1024 * 1024)), /binary file|not text/);
    // The same without NUL or control bytes, so only the plausibility of the text can refuse it.
    const junk = randomBytes(20 * 1024 * 1024).map((b) => 0x20 + (b % 0xe0));
    expectRejected(parseFile('junk.txt', junk), /^not text: invalid UTF-8 and not plausible 8-bit text/);
  });

  it('invalid UTF-8 without a charset', () => {
    const bytes = Buffer.from([...Buffer.from('Title\n\nSome text '), 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0xff, 0xfe, 0xfd, 0xc0, 0xaf, 0xe0, 0x80, 0xaf]);
    expectRejected(parseFile('broken.txt', bytes), /^not text: invalid UTF-8/);
  });

  it('a file over maxFileBytes', () => {
    const limits = { ...defaultParseLimits, maxFileBytes: 1000 };
    expectRejected(parseFile('big.txt', Buffer.alloc(1001, 'a'), limits), /^file too large: 1001 bytes \(limit 1000\)/);
  });

  it('gzip bomb', () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 'a'));
    expect(bomb.length).toBeLessThan(100 * 1024);
    const limits = { ...defaultParseLimits, maxDecompressedBytes: 1024 * 1024 };
    expectRejected(parseFile('bomb.json.gz', bomb, limits), /^decompressed size exceeds 1048576 bytes/);
  });

  it('corrupt gzip', () => {
    const gz = gzipSync(Buffer.from('hello world '.repeat(100)));
    expectRejected(parseFile('cut.txt.gz', gz.subarray(0, gz.length - 20)), /^corrupt gzip data/);
  });

  it('billion laughs and external entities: parsed harmlessly, nothing expanded or fetched', () => {
    const out = parseFile('laughs.xml', bad('billion-laughs.xml'));
    expect(out.format).toBe('feed');
    expect(out.articles).toEqual([]);
    expect(out.errors).toHaveLength(1);
    expect(out.errors[0]!.error).toMatch(/no article text found/);
    expect(JSON.stringify(out)).not.toMatch(/lollol|root:/);
  });

  it('a feed with 0 items', () => {
    expectRejected(parseFile('empty-feed.rss', bad('empty-feed.rss')), /^feed has no items/);
  });

  it('malformed XML', () => {
    expectRejected(parseFile('deep.xml', Buffer.from(`<rss>${'<a>'.repeat(100_000)}</rss>`)), /^malformed XML/);
  });

  it('JSONL with one bad line among good ones', () => {
    const lines = [JSON.stringify(article('One')), '{"title": "oops", ', JSON.stringify(article('Three')), '', JSON.stringify(article('Five'))];
    const out = parseFile('export.ndjson', Buffer.from(lines.join('\r\n')));
    expect(out.articles.map((a) => a.article.title)).toEqual(['One', 'Three', 'Five']);
    expect(out.errors).toEqual([{ index: 1, line: 2, error: expect.stringMatching(/^invalid JSON/) }]);
  });

  it('deeply nested JSON (100,000 levels)', () => {
    expectRejected(parseFile('deep.json', Buffer.from('['.repeat(100_000))), /^invalid JSON|too complex/);
    const closed = parseFile('deep.json', Buffer.from('['.repeat(100_000) + ']'.repeat(100_000)));
    expect(closed.articles).toEqual([]);
    expect(closed.errors).toHaveLength(1);
    expect(closed.errors[0]!.error).toMatch(/not an article object|too complex/);
    const inField = parseFile('deep.json', Buffer.from(`{"title": "Deep", "text": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`));
    expect(inField.errors[0]!.error).toMatch(/^entry has no text/);
  });

  it('JSON of the wrong shape', () => {
    expectRejected(parseFile('n.json', Buffer.from('"just a string"')), /JSON holds a string/);
    expectRejected(parseFile('n.json', Buffer.from('[]')), /no entries/);
    const huge = parseFile('n.json', Buffer.from(`{"title": "Huge numbers", "publishedAt": 1e400, "wordCount": 123456789012345678901234567890, "text": ${JSON.stringify(article('x').text)}}`));
    expect(huge.articles[0]?.article.publishedAt).toBeNull();
  });

  it('a single 50 MB line of text ends as a rejection', () => {
    const line = Buffer.alloc(50 * 1000 * 1000, 'word ');
    expectRejected(parseFile('one-line.txt', line), /^line too long/);
  });

  it('a line over a custom maxLineChars', () => {
    const limits = { ...defaultParseLimits, maxLineChars: 100 };
    expectRejected(parseFile('t.txt', Buffer.from(`Title\n\n${'word '.repeat(50)}\n`), limits), /^line too long: a line of 250 characters/);
  });
});
