// Stories across editions, end to end through the embedded S3: day 1's seeds, then day 2's further coverage
// of the same story and an unrelated one, each day under its own clock (CLOCK_AT) over the same bucket.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { S3Event, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EditionSchema, type Edition } from '../functions/core/edition.ts';
import { encodeEventKey } from '../functions/core/keys.ts';
import { createDigestHandler } from '../functions/digest/handler.ts';
import { createIngestHandler } from '../functions/ingest/handler.ts';
import { EDITION_FILES, editionKey, type EditionPart } from '../functions/pipeline/archive.ts';
import { createRuntime, lazy } from '../functions/runtime.ts';
import { readText, uploadFile, type LocalPipeline } from '../local/pipeline.ts';
import { seedFiles, startPipelineAt } from './helpers.ts';
import { shuffle } from './shuffle.ts';

const DAY1 = '2025-04-23T10:00:00Z';
const DAY2 = '2025-04-24T10:00:00Z';
const UNRELATED = readFileSync(path.resolve(import.meta.dirname, 'fixtures', 'text', 'reuters.txt'));

/** Day 1: seeds 000–002 (MENAFN, TROIB News, an unnamed outlet). Day 2: 003 (VOCO Media), 004 (RT), an oil story (Reuters). */
function uploadsOf(day: 1 | 2): Array<[string, Uint8Array]> {
  const seeds = seedFiles().map((s) => [`inbox/${s.name}`, s.body] as [string, Uint8Array]);
  return day === 1 ? seeds.slice(0, 3) : [...seeds.slice(3), ['inbox/oil.txt', UNRELATED]];
}

function startDay(directory: string, at: string, manualEvents = false): Promise<LocalPipeline> {
  return startPipelineAt(directory, at, { manualEvents });
}

/** Every file of a day's edition folder, as stored. */
async function editionFiles(p: LocalPipeline, day: string): Promise<Record<string, string | null>> {
  const parts = Object.keys(EDITION_FILES) as EditionPart[];
  return Object.fromEntries(await Promise.all(parts.map(async (part) => [part, await readText(p.s3.client, p.bucket, editionKey(day, part))] as const)));
}

/** One day through the deployed wiring: upload, let the notifications run the handlers, read the edition. */
async function runDay(directory: string, at: string, day: 1 | 2) {
  const p = await startDay(directory, at);
  try {
    for (const [key, body] of uploadsOf(day)) await uploadFile(p.s3.client, p.bucket, key, body);
    await p.runner.idle();
    expect(p.runner.errors).toEqual([]);
    const edition = EditionSchema.parse(JSON.parse((await readText(p.s3.client, p.bucket, 'digests/latest/digest.json'))!));
    return { edition, files: await editionFiles(p, edition.edition) };
  } finally {
    await p.close();
  }
}


/** One day with its events shuffled and each delivered twice, straight to the handlers; two digest batches. */
async function runDayShuffled(directory: string, at: string, day: 1 | 2, seed: number) {
  const p = await startDay(directory, at, true);
  try {
    const runtime = lazy(() => createRuntime(p.env));
    const ingest = createIngestHandler(runtime);
    const digest = createDigestHandler(runtime);
    for (const [key, body] of uploadsOf(day)) await uploadFile(p.s3.client, p.bucket, key, body);
    const encoded = (e: S3Event): S3Event => ({
      Records: e.Records.map((r) => ({ ...r, s3: { ...r.s3, object: { ...r.s3.object, key: encodeEventKey(r.s3.object.key) } } })),
    });
    const uploads = p.events.filter((e) => e.Records[0]!.s3.object.key.startsWith('inbox/'));
    for (const e of shuffle([...uploads, ...uploads], seed)) await ingest(encoded(e));
    const sqs = { Records: [{ messageId: 'm1', body: '{}' }] } as SQSEvent;
    await digest(sqs);
    await digest(sqs);
    await ingest(encoded(uploads[0]!)); // a late redelivery, after the publish
    await digest(sqs);
    const edition = EditionSchema.parse(JSON.parse((await readText(p.s3.client, p.bucket, 'digests/latest/digest.json'))!));
    return { edition, files: await editionFiles(p, edition.edition) };
  } finally {
    await p.close();
  }
}

describe('a story across two editions', () => {
  const dirs: string[] = [];
  let day1: Edition;
  let day2: Edition;
  let day2Files: Record<string, string | null>;
  const newDir = () => {
    const d = mkdtempSync(path.join(tmpdir(), 'newsdigest-days-'));
    dirs.push(d);
    return d;
  };

  beforeAll(async () => {
    const dir = newDir();
    day1 = (await runDay(dir, DAY1, 1)).edition;
    ({ edition: day2, files: day2Files } = await runDay(dir, DAY2, 2));
  }, 120_000);
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('publishes day 1 with one new story, compared with nothing', () => {
    expect(day1).toMatchObject({ edition: '2025-04-23', previous: null, counts: { stories: 1, new: 1, developing: 0, unchanged: 0 } });
    expect(day1.stories[0]).toMatchObject({ status: 'new', firstSeen: '2025-04-23', lastUpdated: '2025-04-23', changes: null });
    expect(day1.stories[0]!.outlets).toEqual(expect.arrayContaining(['MENAFN', 'TROIB News']));
  });

  it('keeps the story id on day 2 as the story grows, marks it developing with its new outlets, and the oil story new', () => {
    expect(day2).toMatchObject({ edition: '2025-04-24', previous: '2025-04-23', counts: { stories: 2, new: 1, developing: 1, unchanged: 0 } });
    const [envoy, oil] = day2.stories;
    expect(envoy!.id).toBe(day1.stories[0]!.id);
    expect(envoy).toMatchObject({ status: 'developing', firstSeen: '2025-04-23', lastUpdated: '2025-04-24', mergedFrom: [], splitFrom: null });
    expect(envoy!.changes!.since).toBe('2025-04-23');
    expect([...envoy!.changes!.outletsAdded].sort()).toEqual(['RT', 'VOCO Media']);
    expect(envoy!.changes!.articlesAdded).toHaveLength(2);
    // VOCO's longer article now leads the story, so its headline changed too.
    expect(envoy!.changes!.headlineBefore).toBe(day1.stories[0]!.headline);
    expect(envoy!.headline).not.toBe(day1.stories[0]!.headline);
    expect(oil).toMatchObject({ headline: 'Oil prices steady as traders weigh supply outlook', status: 'new', firstSeen: '2025-04-24', changes: null });
  });

  it('marks each story in the web page and the text, naming what is new', () => {
    const page = day2Files.page!;
    expect(page).toMatch(/class="status status-developing">Developing: \+2 articles since 23 Apr: (VOCO Media, RT|RT, VOCO Media); new headline</);
    expect(page).toContain('class="status status-new">New<');
    expect(page).toContain('since 23 Apr 2025: 1 new, 1 developing, 0 unchanged');
    expect(day2Files.text).toMatch(/Developing: \+2 articles since 23 Apr: (VOCO Media, RT|RT, VOCO Media); new\s+headline/);
  });

  it('gives the same ids, statuses and bytes for shuffled and redelivered events', async () => {
    const dir = newDir();
    const first = await runDayShuffled(dir, DAY1, 1, 7);
    expect(first.edition.stories.map((s) => [s.id, s.status])).toEqual(day1.stories.map((s) => [s.id, s.status]));
    const second = await runDayShuffled(dir, DAY2, 2, 11);
    expect(second.edition.stories.map((s) => [s.id, s.status])).toEqual(day2.stories.map((s) => [s.id, s.status]));
    expect(second.files).toEqual(day2Files);
  }, 120_000);
});
