// The reason class of a rejection (the FilesRejected metric's dimension), from what the real parser says.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { defaultParseLimits } from '../functions/core/parse/limits.ts';
import { parseFile } from '../functions/core/parse/index.ts';
import { REJECTION_REASONS, rejectionReason } from '../functions/core/rejection-reason.ts';
import { seedFiles } from './helpers.ts';

/** The first error the parser gives for this file, as ingest reports it (with its line, if any). */
function firstError(name: string, body: string | Uint8Array, limits = defaultParseLimits): string {
  const { errors } = parseFile(name, typeof body === 'string' ? Buffer.from(body) : body, limits);
  const first = errors[0];
  if (!first) throw new Error(`${name} was not rejected`);
  return first.line !== undefined ? `line ${first.line}: ${first.error}` : first.error;
}

describe('rejection reason classes', () => {
  const seed = seedFiles()[0]!;
  const cases: Array<[string, string, () => string]> = [
    ['too-large', 'a file over MAX_FILE_BYTES', () => firstError(seed.name, seed.body, { ...defaultParseLimits, maxFileBytes: 100 })],
    ['too-large', 'one huge line', () => firstError('wall.txt', `Title\n\n${'word '.repeat(400)}`, { ...defaultParseLimits, maxLineChars: 1000 })],
    ['too-large', 'a gzip bomb', () => firstError('bomb.txt.gz', gzipSync(Buffer.alloc(2_000_000, 'a')), { ...defaultParseLimits, maxDecompressedBytes: 1000 })],
    ['empty', 'an empty file', () => firstError('empty.txt', '')],
    ['empty', 'a feed without items', () => firstError('empty-feed.rss', readFileSync('test/fixtures/bad/empty-feed.rss'))],
    ['not-text', 'a binary file', () => firstError('photo.txt', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(500, 0)]))],
    ['malformed', 'broken JSON', () => firstError('export.json', '{"title": "Half an export", "text": ')],
    ['malformed', 'a broken JSON Lines entry', () => firstError('export.jsonl', '{"title": "x", "text"\n')],
    ['malformed', 'XML that is not a feed', () => firstError('sitemap.xml', readFileSync('test/fixtures/bad/sitemap.xml'))],
    ['no-article', 'a text too short to be an article', () => firstError('note.txt', 'Lunch?\n\nAt noon.')],
    ['no-article', 'an HTML page without an article', () => firstError('no-article.html', readFileSync('test/fixtures/html/no-article.html'))],
  ];

  for (const [reason, what, error] of cases) {
    it(`${what} is ${reason}`, () => {
      expect(rejectionReason(error())).toBe(reason);
    });
  }

  it('is one of a few known values, whatever the message', () => {
    expect(REJECTION_REASONS).toEqual(['too-large', 'empty', 'not-text', 'malformed', 'no-article', 'timeout', 'parser-failure', 'other']);
    expect(rejectionReason('something nobody wrote yet')).toBe('other');
    expect(rejectionReason('line 12: invalid JSON: Unexpected end')).toBe('malformed');
  });
});
