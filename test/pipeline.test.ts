// End to end through the embedded S3 over HTTP: upload → S3 event → ingest → sources/ → SQS-shaped batch → digest.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SQSEvent } from 'aws-lambda';
import type { Edition } from '../functions/core/edition.ts';
import { RejectionSchema } from '../functions/core/schema.ts';
import { seedFiles, startTestPipeline, type TestPipeline } from './helpers.ts';

const CLUTTER = [
  'Read more at RT',
  'See all',
  'Sign up to our newsletter',
  'Newsletter',
  'All Rights Reserved',
  '©',
  '(Source: Getty Images)',
  'Photographed from TV screen',
  'Related tags',
  'Recommended reading',
  'advertisement',
  '2 min read',
  'Trump wants a deal. Putin wants victory',
  'A white pill on a blue background',
  'VOCO provides you with',
  ' date 2025-04-23 403',
];

describe('the seed articles through the deployed wiring', () => {
  let p: TestPipeline;
  let edition: Edition;

  beforeAll(async () => {
    p = await startTestPipeline();
    for (const seed of seedFiles()) await p.upload(`inbox/${seed.name}`, seed.body);
    await p.runner.idle();
    expect(p.runner.errors).toEqual([]);
    edition = (await p.json<Edition>('digests/latest/digest.json'))!;
  });
  afterAll(() => p.cleanup());

  it('stores one validated article record per seed, with its fingerprint', async () => {
    const records = await p.articles();
    expect(records).toHaveLength(5);
    expect(new Set(records.map((r) => r.source.key))).toEqual(new Set(seedFiles().map((s) => `inbox/${s.name}`)));
    for (const r of records) expect(r.fingerprint).toBeTruthy();
  });

  it('builds one story with four entries, the two syndicated copies collapsed and both credited', () => {
    expect(edition.stories).toHaveLength(1);
    const story = edition.stories[0]!;
    expect(story.entries).toHaveLength(4);
    expect(story.articleCount).toBe(5);
    const withCopy = story.entries.filter((e) => e.copies.length > 0);
    expect(withCopy).toHaveLength(1);
    const pair = [withCopy[0]!.publisher, ...withCopy[0]!.copies.map((c) => c.publisher)].sort();
    expect(pair).toEqual(['MENAFN', 'TROIB News']);
    expect(edition.counts).toMatchObject({ articles: 5, stories: 1, entries: 4, copiesCollapsed: 1 });
  });

  it('credits every outlet the texts name, and guesses none for the seed that names none', async () => {
    const outlets = edition.stories[0]!.outlets.join(' | ');
    for (const name of ['MENAFN', 'TROIB News', 'VOCO', 'RT']) expect(outlets).toContain(name);
    const records = await p.articles();
    const unnamed = records.find((r) => r.source.key.includes('002_'));
    expect(unnamed?.publisher).toBeNull();
  });

  it('keeps page clutter out of every stored body', async () => {
    for (const r of await p.articles()) {
      for (const junk of CLUTTER) expect(r.text, `${r.source.key} holds "${junk}"`).not.toContain(junk);
    }
  });

  it('writes the edition as HTML, text and JSON, in its own folder and in latest/', async () => {
    const keys = await p.keys('digests/');
    for (const folder of [`digests/${edition.edition}/`, 'digests/latest/']) {
      for (const f of ['digest.html', 'digest.txt', 'digest.json']) expect(keys).toContain(folder + f);
    }
    const html = (await p.text('digests/latest/digest.html'))!;
    const text = (await p.text('digests/latest/digest.txt'))!;
    expect(html).toContain(edition.stories[0]!.headline.replace(/'/g, '&#x27;').replace(/"/g, '&quot;'));
    expect(html).toContain('also published by');
    expect(text).toContain('also published by');
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(72);
    expect(await p.text(`digests/${edition.edition}/digest.html`)).toBe(html);
  });
});

describe('idempotency and order', () => {
  let p: TestPipeline;
  afterAll(() => p?.cleanup());

  it('gives the identical digest for events delivered twice, in reverse order, and for the same file uploaded twice', async () => {
    p = await startTestPipeline({ manualEvents: true });
    const seeds = seedFiles();
    for (const seed of seeds) await p.upload(`inbox/${seed.name}`, seed.body);
    const uploadEvents = p.events.filter((e) => e.Records[0]!.s3.object.key.startsWith('inbox/'));
    expect(uploadEvents).toHaveLength(5);
    const sqs: SQSEvent = { Records: [{ messageId: 'm1', body: '{}' } as SQSEvent['Records'][number]] };

    for (const e of uploadEvents) await p.ingest(e);
    await p.digest(sqs);
    const first = await p.text('digests/latest/digest.html');
    const firstJson = await p.text('digests/latest/digest.json');
    const stored = async () => (await p.articles()).map((a) => `${a.id} ${a.source.key}`);
    const firstArticles = await stored();

    // Replay: every event twice, newest first; then the same content under another key.
    for (const e of [...uploadEvents].reverse()) {
      await p.ingest(e);
      await p.ingest(e);
    }
    await p.upload('inbox/again/copy of 000.txt', seeds[0]!.body);
    const copyEvent = p.events.at(-1)!;
    await p.ingest(copyEvent);
    await p.digest(sqs);
    await p.digest(sqs);

    expect(await stored()).toEqual(firstArticles); // the copy under another key adds no article
    expect(await p.text('digests/latest/digest.json')).toBe(firstJson);
    expect(await p.text('digests/latest/digest.html')).toBe(first);
  });
});

describe('awkward keys and bad files', () => {
  let p: TestPipeline;
  beforeAll(async () => {
    p = await startTestPipeline();
  });
  afterAll(() => p.cleanup());

  it('decodes URL-encoded keys with spaces, plus signs and non-ASCII characters', async () => {
    const seeds = seedFiles();
    const keys = ['inbox/with space/envoy news.txt', 'inbox/a+b=c.txt', 'inbox/Zürich – café 東京.txt'];
    for (const [i, key] of keys.entries()) await p.upload(key, seeds[i + 2]!.body);
    await p.runner.idle();
    expect(p.runner.errors).toEqual([]);
    const records = await p.articles();
    expect(records.map((r) => r.source.key).sort()).toEqual([...keys].sort());
    expect(await p.keys('rejected/')).toEqual([]);
  });

  it('puts files whose keys hold XML special characters in the digest', async () => {
    // The digest lists sources/ and reads what it listed: a listing that mangled `&` or `<` lost the file
    // (s3rver's own listings do; this fails with NEWSDIGEST_DEBUG_S3=1, which sends every request through it).
    const key = `inbox/Q&A <draft> it's "quoted".txt`;
    await p.upload(key, seedFiles()[1]!.body); // content not uploaded elsewhere in this pipeline
    await p.runner.idle();
    expect(p.runner.errors).toEqual([]);
    const records = await p.articles();
    expect(records.map((r) => r.source.key)).toContain(key);
    const edition = (await p.json<Edition>('digests/latest/digest.json'))!;
    expect(edition.counts.articles).toBe(records.length);
  });

  it('reports bad files next to the original, keeps the original, and ingests the rest of the batch', async () => {
    const junk = Buffer.alloc(20 * 1024 * 1024);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 2654435761) >>> 24;
    const bad: Record<string, Uint8Array> = {
      'inbox/bad/empty.txt': new Uint8Array(),
      'inbox/bad/photo.txt': Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2000, 7)]),
      'inbox/bad/junk.bin': junk,
      'inbox/bad/latin.txt': Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0xff, 0xfe, 0xfd, 0x80, 0x81]),
    };
    const good = seedFiles()[0]!; // content not uploaded earlier in this pipeline
    const all = Object.entries(bad);
    all.splice(2, 0, [`inbox/good/${good.name}`, good.body]);
    for (const [key, body] of all) await p.upload(key, body);
    await p.runner.idle();
    expect(p.runner.errors).toEqual([]);

    for (const key of Object.keys(bad)) {
      const report = RejectionSchema.parse(await p.json(`rejected/${key}.error.json`));
      expect(report.key).toBe(key);
      expect(report.error.length).toBeGreaterThan(3);
      expect(report.error).not.toContain('\n');
      expect(await p.keys(key)).toEqual([key]); // the original stays where it was
    }
    const records = await p.articles();
    expect(records.some((r) => r.source.key === `inbox/good/${good.name}`)).toBe(true);
    expect(records.some((r) => r.source.key.startsWith('inbox/bad/'))).toBe(false);
  });

  it('ignores events that are not object creations or not S3 notifications at all', async () => {
    const before = (await p.keys('')).sort();
    await expect(p.ingest({ Records: [] })).resolves.toEqual({ results: [] });
    await expect(p.ingest({ Service: 'Amazon S3', Event: 's3:TestEvent' } as never)).resolves.toEqual({ results: [] });
    expect((await p.keys('')).sort()).toEqual(before);
  });
});
