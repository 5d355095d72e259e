// How the digest treats batches that change nothing, and records that arrive while it reads: through the real
// handler and the embedded S3, with the notifications the embedded S3 sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Event, S3EventRecord, SQSEvent } from 'aws-lambda';
import type { ObjectStore } from '../functions/core/ports.ts';
import { SourceRecordSchema } from '../functions/core/schema.ts';
import { changedSources } from '../functions/digest/handler.ts';
import { loadSources } from '../functions/pipeline/digest.ts';
import { sqsMessage } from '../local/runner.ts';
import { s3Event, seedFiles, startTestPipeline, type TestPipeline } from './helpers.ts';

function records(events: S3Event[], prefix: string) {
  return events.flatMap((e) => e.Records).filter((r) => decodeURIComponent(r.s3.object.key.replace(/\+/g, ' ')).startsWith(prefix));
}

/** An SQS batch as Lambda hands it over, one message per S3 notification. */
function batchOf(notifications: S3EventRecord[]): SQSEvent {
  return { Records: notifications.map((r, i) => sqsMessage(r, 'digest-queue', `m${i}`)) };
}

describe('digest batches', () => {
  let p: TestPipeline;
  beforeAll(async () => {
    p = await startTestPipeline({ manualEvents: true });
  });
  afterAll(() => p.cleanup());

  /** Objects the digest wrote since `from` (one notification per PUT under digests/). */
  const digestWrites = (from: number) => records(p.events.slice(from), 'digests/').length;

  it('skips a batch whose sources are all published at the same ETag; rebuilds for a new ETag or a foreign pointer', async () => {
    const seeds = seedFiles();
    for (const [i, seed] of seeds.slice(0, 3).entries()) {
      await p.upload(`inbox/s${i}.txt`, seed.body);
      await p.ingest(s3Event(p.bucket, `inbox/s${i}.txt`));
    }
    const sourceEvents = records(p.events, 'sources/');
    expect(sourceEvents).toHaveLength(3);
    const bodies = sourceEvents.map((r) => JSON.stringify({ Records: [r] }));
    expect(changedSources(bodies)?.map((c) => c.key)).toEqual(['sources/inbox/s0.txt.json', 'sources/inbox/s1.txt.json', 'sources/inbox/s2.txt.json']);

    let mark = p.events.length;
    await p.digest(batchOf(sourceEvents));
    expect(digestWrites(mark)).toBeGreaterThan(0);
    const pointer = await p.text('digests/latest.json');

    // Redelivered: nothing is written.
    mark = p.events.length;
    await p.digest(batchOf(sourceEvents));
    expect(digestWrites(mark)).toBe(0);

    // A message that is not a notification: the sources are listed, and they are the same: still nothing.
    const testEvent = { ...batchOf(sourceEvents.slice(0, 1)).Records[0]!, body: JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: p.bucket }) };
    expect(changedSources([testEvent.body])).toBeNull();
    await p.digest({ Records: [testEvent] });
    expect(digestWrites(mark)).toBe(0);

    // Someone else wrote the pointer: the same batch publishes again, and the pointer is ours again.
    await p.store.put('digests/latest.json', '{}', 'application/json');
    mark = p.events.length;
    await p.digest(batchOf(sourceEvents));
    expect(digestWrites(mark)).toBeGreaterThan(0);
    expect(await p.text('digests/latest.json')).toBe(pointer);

    // The same key with new content: a new ETag, a new edition holding the new article.
    mark = p.events.length;
    await p.upload('inbox/s0.txt', seeds[3]!.body);
    await p.ingest(s3Event(p.bucket, 'inbox/s0.txt'));
    const changed = records(p.events.slice(mark), 'sources/');
    expect(changed).toHaveLength(1);
    expect(changed[0]!.s3.object.eTag).not.toBe(sourceEvents[0]!.s3.object.eTag);
    mark = p.events.length;
    await p.digest(batchOf(changed));
    expect(digestWrites(mark)).toBeGreaterThan(0);
    const edition = await p.json<{ counts: { articles: number } }>('digests/latest/digest.json');
    expect(edition?.counts.articles).toBe((await p.articles()).length);
  });

  const idOf = (n: number) => `a_${n.toString(16).padStart(16, '0')}`;
  /** A source record of one article, `n` giving its key and id (the article itself is copied from a stored one). */
  const recordMaker = async () => {
    // Run alone (vitest -t), no earlier test has stored a source to copy: store one first.
    if ((await p.keys('sources/')).length === 0) {
      await p.upload('inbox/template.txt', seedFiles()[0]!.body);
      await p.ingest(s3Event(p.bucket, 'inbox/template.txt'));
    }
    const [template] = (await p.keys('sources/')).slice(0, 1);
    const base = SourceRecordSchema.parse(JSON.parse((await p.text(template!))!));
    return (n: number) =>
      JSON.stringify({ ...base, key: `inbox/bulk/${n}.txt`, articles: base.articles.slice(0, 1).map((a) => ({ ...a, id: idOf(n) })) });
  };
  /**
   * Tops the bucket up to 100 sources (earlier tests leave more), so that a fresh instance's first listing reads
   * enough records to list again, whichever test runs alone.
   */
  const atLeastHundredSources = async (recordFor: (n: number) => string) => {
    const have = (await p.keys('sources/')).length;
    for (let n = 1000; n < 1000 + 100 - have; n++) await p.store.put(`sources/inbox/earlier/${n}.txt.json`, recordFor(n), 'application/json');
  };
  /**
   * The bucket's store, counting listings; after the listing numbered `n` has been read through, `afterListing(n)`
   * runs (records landing while the digest reads).
   */
  const listingStore = (afterListing: (n: number) => Promise<void>) => {
    const counter = { listings: 0 };
    const store: ObjectStore = {
      get: (k) => p.store.get(k),
      put: (k, b, t) => p.store.put(k, b, t),
      putIfAbsent: (k, b, t) => p.store.putIfAbsent(k, b, t),
      delete: (k) => p.store.delete(k),
      async *list(prefix) {
        const n = ++counter.listings;
        yield* p.store.list(prefix);
        await afterListing(n);
      },
    };
    return { store, counter };
  };

  it('reads the records that arrived while a large load was reading (one more listing)', async () => {
    const recordFor = await recordMaker();
    for (let n = 1; n <= 120; n++) await p.store.put(`sources/inbox/bulk/${n}.txt.json`, recordFor(n), 'application/json');

    // A fresh store object (a cold instance): its first listing reads all 120+; one more record lands meanwhile.
    const { store, counter } = listingStore(async (n) => {
      if (n === 1) await p.store.put('sources/inbox/bulk/late.txt.json', recordFor(999), 'application/json');
    });
    const { records: loaded } = await loadSources(store);
    expect(loaded.map((r) => r.id)).toContain(idOf(999));
    expect(counter.listings).toBe(2); // the second listing read one record: no third
  });

  it('keeps reading while a burst goes on (each listing brings 100 or more new records), then stops', async () => {
    const recordFor = await recordMaker();
    await atLeastHundredSources(recordFor);
    // Five more rounds of 100 records, each landing while the previous listing's records are read.
    let next = 2000;
    const { store, counter } = listingStore(async (n) => {
      if (n > 5) return;
      for (let i = 0; i < 100; i++, next++) await p.store.put(`sources/inbox/burst/${next}.txt.json`, recordFor(next), 'application/json');
    });
    const { records: loaded } = await loadSources(store);
    const ids = new Set(loaded.map((r) => r.id));
    for (let n = 2000; n < 2500; n++) expect(ids.has(idOf(n))).toBe(true);
    // Listing 6 reads the fifth round (100, so one more); listing 7 finds nothing new.
    expect(counter.listings).toBe(7);
  });

  it('stops catching up once the time budget is spent, even while records keep arriving', async () => {
    const recordFor = await recordMaker();
    await atLeastHundredSources(recordFor);
    let clock = 0;
    let next = 3000;
    // Every listing takes 25 s on this clock and is followed by 100 new records: the burst never ends.
    const { store, counter } = listingStore(async () => {
      clock += 25_000;
      for (let i = 0; i < 100; i++, next++) await p.store.put(`sources/inbox/stream/${next}.txt.json`, recordFor(next), 'application/json');
    });
    const { records: loaded } = await loadSources(store, { now: () => clock, catchUpMs: 60_000 });
    // 25 s, 50 s: list again; 75 s: past the budget, so the rebuild goes on with what it read.
    expect(counter.listings).toBe(3);
    const ids = new Set(loaded.map((r) => r.id));
    expect(ids.has(idOf(3199))).toBe(true); // landed during listing 2, read by listing 3
    expect(ids.has(idOf(3200))).toBe(false); // landed during listing 3: the next batch's
  });
});
