// The S3 behaviour the pipeline relies on, held through the product's adapter (S3ObjectStore) against the
// embedded S3 and, when S3_CONTRACT_BUCKET and AWS credentials are set, against real S3: the same suite, so
// the two answer alike. Against real S3 everything goes under a fresh prefix that is deleted afterwards;
// events are checked locally only (S3 would deliver them through a configured notification).
//
//   S3_CONTRACT_BUCKET=my-test-bucket AWS_REGION=eu-west-1 AWS_PROFILE=… npx vitest run test/s3-contract.test.ts
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeleteObjectsCommand, ListObjectsCommand, ListObjectsV2Command, PutObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, S3ObjectStore } from '../functions/adapters/s3-store.ts';
import { decodeEventKey } from '../functions/core/keys.ts';
import { mapLimit } from '../functions/pipeline/digest.ts';
import { startEmbeddedS3 } from '../local/embedded-s3.ts';

interface Target {
  client: S3Client;
  store: S3ObjectStore;
  /** Every key of the suite starts with it. */
  prefix: string;
  /** The notifications seen so far, where the target shows them (the embedded S3). */
  events: S3Event[] | null;
  close(): Promise<void>;
}

async function embeddedTarget(): Promise<Target> {
  const directory = mkdtempSync(path.join(tmpdir(), 'newsdigest-contract-'));
  const s3 = await startEmbeddedS3({ directory });
  await s3.createBucket('contract');
  const events: S3Event[] = [];
  s3.onEvent((e) => events.push(e));
  return {
    client: s3.client,
    store: new S3ObjectStore(s3.client, 'contract'),
    prefix: 'contract/',
    events,
    close: async () => {
      await s3.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

const realBucket = process.env.S3_CONTRACT_BUCKET;
const realCredentials = Boolean(process.env.AWS_ACCESS_KEY_ID || process.env.AWS_PROFILE || process.env.AWS_WEB_IDENTITY_TOKEN_FILE || process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI);

async function realTarget(): Promise<Target> {
  const client = createS3Client({ region: process.env.AWS_REGION });
  const store = new S3ObjectStore(client, realBucket!);
  const prefix = `newsdigest-contract/${new Date().toISOString().slice(0, 10)}-${randomUUID()}/`;
  return {
    client,
    store,
    prefix,
    events: null,
    close: async () => {
      const keys: string[] = [];
      for await (const o of store.list(prefix)) keys.push(o.key);
      for (let i = 0; i < keys.length; i += 1000) {
        await client.send(new DeleteObjectsCommand({ Bucket: realBucket!, Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })) } }));
      }
      client.destroy();
    },
  };
}

const md5 = (b: Uint8Array | string) => `"${createHash('md5').update(b).digest('hex')}"`;
const text = (o: { body: Uint8Array } | null) => (o ? Buffer.from(o.body).toString('utf8') : null);
const status = (e: unknown) => (e instanceof S3ServiceException ? e.$metadata.httpStatusCode : e);
/** S3 lists keys in the order of their UTF-8 bytes. */
const s3Order = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Keys with what S3 allows and URLs, XML and shells do not like, and some that sort next to each other. */
const SPECIAL = ['a', 'a b', 'a/b', 'a+b', 'a-b', 'Q&A.txt', '<tag>.txt', "it's.txt", 'say "hi".txt', 'back`tick.txt', '100%.txt', '%41.txt', 'é ü ß 東京.txt', 'emoji 🗞.txt', 'semi;colon=equals?query#hash.txt'];

/**
 * Keys a walk of folders in file-name order (s3rver stores `<key>._S3rver_object`) puts apart from S3's order: names
 * beside a longer one or a folder, followed by characters on both sides of `.` and `/` (`2024-summary.html` before
 * `2024/…`, `a` after `a b`), a folder holding only folders, and characters above U+FFFF beside U+E000–U+FFFF.
 */
const NEIGHBOURS = ['2024/x', '2024/y/z', '2024 summary.html', '2024-old/q/r.json', '2024-summary.html', '2024', '2024.z', 'a/b', 'a/b/c', 'a b/c', 'a b', 'a!', 'a-b', 'a.JSON', 'a', 'a0', 'latest/digest.json', 'latest.json', 'ｆ/x', 'ｆｕｌｌ.txt', '🗞/x', '🗞.txt'];

/** The keys and common prefixes of each ListObjectsV2 page, in the order listed; truncated pages full and followed by more. */
async function listV2(client: S3Client, input: { Bucket: string; Prefix: string; StartAfter?: string; MaxKeys?: number; Delimiter?: string }): Promise<string[][]> {
  const pages: string[][] = [];
  const truncated: boolean[] = [];
  const keyCounts: Array<number | undefined> = [];
  let ContinuationToken: string | undefined;
  do {
    if (pages.length > 5000) throw new Error('the pages never end');
    const page = await client.send(new ListObjectsV2Command({ ...input, ContinuationToken }));
    const items = [...(page.Contents ?? []).map((o) => o.Key!), ...(page.CommonPrefixes ?? []).map((p) => p.Prefix!)];
    pages.push(items);
    truncated.push(Boolean(page.IsTruncated));
    keyCounts.push(page.KeyCount);
    ContinuationToken = page.NextContinuationToken;
  } while (ContinuationToken);
  expect(truncated).toEqual(pages.map((_, i) => i < pages.length - 1));
  expect(keyCounts).toEqual(pages.map((p) => p.length));
  expect(pages.slice(0, -1).map((p) => p.length)).toEqual(pages.slice(0, -1).map(() => input.MaxKeys ?? 1000));
  expect(pages.slice(1).filter((p) => p.length === 0)).toEqual([]);
  return pages;
}

/**
 * The same with ListObjects (v1), each page starting at the NextMarker (with a delimiter: the last key or common
 * prefix of the page) or the last key of the one before.
 */
async function listV1(client: S3Client, input: { Bucket: string; Prefix: string; Marker?: string; MaxKeys: number; Delimiter?: string }): Promise<string[][]> {
  const pages: string[][] = [];
  const nextMarkers: Array<string | undefined> = [];
  let Marker = input.Marker;
  for (;;) {
    if (pages.length > 5000) throw new Error('the pages never end');
    const page = await client.send(new ListObjectsCommand({ ...input, Marker }));
    const keys = (page.Contents ?? []).map((o) => o.Key!);
    pages.push([...keys, ...(page.CommonPrefixes ?? []).map((p) => p.Prefix!)]);
    if (!page.IsTruncated) break;
    nextMarkers.push(page.NextMarker);
    Marker = input.Delimiter ? page.NextMarker : keys.at(-1);
  }
  const truncated = pages.slice(0, -1);
  expect(truncated.map((p) => p.length)).toEqual(truncated.map(() => input.MaxKeys));
  expect(pages.slice(1).filter((p) => p.length === 0)).toEqual([]);
  expect(nextMarkers).toEqual(truncated.map((p) => (input.Delimiter ? [...p].sort(s3Order).at(-1) : undefined)));
  return pages;
}

function contract(start: () => Promise<Target>) {
  let t: Target;
  beforeAll(async () => {
    t = await start();
  }, 60_000);

  /**
   * 999 keys in a folder `0/` that sorts and walks first, then NEIGHBOURS (stored once, for the tests below): a
   * page of 1,000 from the start ends at the first neighbour in file-name order, from after the i-th key of `0/`
   * at the (i+2)-th.
   */
  let stored: Promise<{ base: string; keys: string[] }> | undefined;
  const neighbours = () =>
    (stored ??= (async () => {
      const base = `${t.prefix}neighbours/`;
      const keys = [...Array.from({ length: 999 }, (_, i) => `${base}0/${String(i).padStart(4, '0')}`), ...NEIGHBOURS.map((k) => base + k)];
      await mapLimit(keys, 16, (key) => t.store.put(key, key, 'text/plain'));
      return { base, keys };
    })());
  afterAll(async () => {
    await t?.close();
  }, 300_000);

  it('creates an object only once with If-None-Match: *', async () => {
    const key = `${t.prefix}create/once.json`;
    expect(await t.store.putIfAbsent(key, 'first', 'application/json')).toBe(true);
    expect(await t.store.putIfAbsent(key, 'second', 'application/json')).toBe(false);
    expect(text(await t.store.get(key))).toBe('first');
  });

  it('overwrites an object with a plain PUT, and its ETag follows the content', async () => {
    const key = `${t.prefix}overwrite/doc.txt`;
    await t.store.put(key, 'one', 'text/plain');
    const first = await t.store.get(key);
    await t.store.put(key, 'two', 'text/plain');
    const second = await t.store.get(key);
    expect([text(first), text(second)]).toEqual(['one', 'two']);
    expect([first!.etag, second!.etag]).toEqual([md5('one'), md5('two')]);
    expect(await t.store.get(`${t.prefix}overwrite/missing.txt`)).toBeNull();
  });

  it('writes with If-Match only over the ETag named, and refuses it on a missing key', async () => {
    const key = `${t.prefix}if-match/doc.txt`;
    const put = (body: string, IfMatch: string) => t.client.send(new PutObjectCommand({ Bucket: t.store.bucket, Key: key, Body: body, IfMatch }));
    await t.store.put(key, 'v1', 'text/plain');
    await put('v2', md5('v1'));
    await expect(put('v3', md5('v1')).catch(status)).resolves.toBe(412);
    expect(text(await t.store.get(key))).toBe('v2');
    await expect(t.client.send(new PutObjectCommand({ Bucket: t.store.bucket, Key: `${t.prefix}if-match/missing.txt`, Body: 'x', IfMatch: md5('x') })).catch(status)).resolves.toBe(404);
  });

  it('lists past 1,000 keys, special characters included, in key order with ETags, and each listed key reads back', async () => {
    const base = `${t.prefix}list/`;
    const keys = [...Array.from({ length: 1100 }, (_, i) => `${base}${String(i).padStart(4, '0')}.json`), ...SPECIAL.map((s) => `${base}special/${s}`)];
    await mapLimit(keys, 16, (key) => t.store.put(key, key, 'text/plain'));
    const listed: Array<{ key: string; size: number; etag: string | null }> = [];
    for await (const o of t.store.list(base)) listed.push(o as (typeof listed)[number]);
    expect(listed.map((o) => o.key)).toEqual([...keys].sort(s3Order));
    const byKey = new Map(listed.map((o) => [o.key, o]));
    for (const key of keys) expect(byKey.get(key)).toEqual({ key, size: Buffer.byteLength(key), etag: md5(key) });
    for (const key of keys.slice(-SPECIAL.length)) expect(text(await t.store.get(key))).toBe(key);
  }, 300_000);

  it('lists keys that a folder walk puts apart, a page boundary falling anywhere among them, each once in S3 order', async () => {
    const { base, keys } = await neighbours();
    const sorted = [...keys].sort(s3Order);
    // Each listing starts below the one before (the embedded S3 goes on from a walk it keeps when a listing starts
    // at or after that walk's start): first after keys above U+FFFF and U+E000, then after the i-th key of `0/`,
    // where s3rver's page of 1,000 ends at the (i+2)-th neighbour in its walk, and from the start (ending at the first).
    const starts = [`${base}🗞`, `${base}ｆｕｌｌ.txt`, `${base}ｆ`, ...keys.slice(0, NEIGHBOURS.length - 1).reverse()];
    for (const StartAfter of starts) {
      const pages = await listV2(t.client, { Bucket: t.store.bucket, Prefix: base, StartAfter });
      expect(pages.flat(), `after ${StartAfter}`).toEqual(sorted.filter((k) => s3Order(k, StartAfter) > 0));
    }
    const listed: string[] = [];
    for await (const o of t.store.list(base)) listed.push(o.key);
    expect(listed).toEqual(sorted);
  }, 300_000);

  it('pages through those keys a few at a time with ListObjectsV2 and ListObjects, each once in S3 order', async () => {
    const { base, keys } = await neighbours();
    const after = keys[998]!;
    const expected = keys.slice(999).sort(s3Order);
    for (const MaxKeys of [1, 2, 3]) {
      expect((await listV2(t.client, { Bucket: t.store.bucket, Prefix: base, StartAfter: after, MaxKeys })).flat(), `pages of ${MaxKeys}`).toEqual(expected);
    }
    expect((await listV1(t.client, { Bucket: t.store.bucket, Prefix: base, Marker: after, MaxKeys: 2 })).flat()).toEqual(expected);
  }, 300_000);

  it('lists folders by a delimiter, those holding only folders too, each common prefix counting toward MaxKeys', async () => {
    const base = `${t.prefix}tree/`;
    await mapLimit(['file.txt', 'only-folders/sub/leaf.txt', 'mixed/x.txt', 'mixed/deeper/y.txt', 'a b/c/d.txt', 'mixed.txt'], 8, (k) => t.store.put(base + k, k, 'text/plain'));
    const all = await t.client.send(new ListObjectsV2Command({ Bucket: t.store.bucket, Prefix: base, Delimiter: '/' }));
    expect(all.Contents?.map((o) => o.Key)).toEqual([`${base}file.txt`, `${base}mixed.txt`]);
    expect(all.CommonPrefixes?.map((p) => p.Prefix)).toEqual([`${base}a b/`, `${base}mixed/`, `${base}only-folders/`]);
    expect([all.KeyCount, all.IsTruncated]).toEqual([5, false]);
    const items = [`${base}a b/`, `${base}file.txt`, `${base}mixed.txt`, `${base}mixed/`, `${base}only-folders/`];
    for (const MaxKeys of [1, 2]) {
      const v2 = await listV2(t.client, { Bucket: t.store.bucket, Prefix: base, Delimiter: '/', MaxKeys });
      expect(v2.map((p) => p.sort(s3Order)).flat(), `v2, pages of ${MaxKeys}`).toEqual(items);
      const v1 = await listV1(t.client, { Bucket: t.store.bucket, Prefix: base, Delimiter: '/', MaxKeys });
      expect(v1.map((p) => p.sort(s3Order)).flat(), `v1, pages of ${MaxKeys}`).toEqual(items);
    }
  });

  it('never lets a GET see half of a PUT of the same key', async () => {
    const key = `${t.prefix}atomic/big.bin`;
    const bodies = ['a', 'b', 'c'].map((c) => Buffer.alloc(3 << 20, c));
    const digests = new Set(bodies.map(md5));
    await t.store.put(key, bodies[0]!, 'application/octet-stream');
    const seen: string[] = [];
    const writes = (async () => {
      for (let i = 1; i <= 6; i++) await t.store.put(key, bodies[i % 3]!, 'application/octet-stream');
    })();
    const reads = Array.from({ length: 4 }, async () => {
      for (let i = 0; i < 6; i++) {
        const o = (await t.store.get(key))!;
        seen.push(md5(o.body));
        expect(o.etag).toBe(md5(o.body));
      }
    });
    await Promise.all([writes, ...reads]);
    expect(seen).toHaveLength(24);
    for (const d of seen) expect(digests.has(d)).toBe(true);
  }, 120_000);

  it('announces created objects with their keys URL-encoded as S3 writes them (embedded S3 only)', async (ctx) => {
    if (!t.events) return ctx.skip();
    const keys = SPECIAL.map((s) => `${t.prefix}events/${s}`);
    const from = t.events.length;
    for (const key of keys) await t.store.put(key, 'x', 'text/plain');
    const records = t.events.slice(from).flatMap((e) => e.Records);
    expect(records.map((r) => r.eventName)).toEqual(keys.map(() => 'ObjectCreated:Put'));
    expect(records.map((r) => decodeEventKey(r.s3.object.key))).toEqual(keys);
    for (const r of records) expect(r.s3.object.key).toMatch(/^[A-Za-z0-9*._\-+%/]+$/);
    expect(records[1]!.s3.object.key).toBe(`${t.prefix}events/a+b`);
    expect(records[3]!.s3.object.key).toBe(`${t.prefix}events/a%2Bb`);
  });
}

describe('S3 contract: the embedded S3', () => {
  contract(embeddedTarget);
});

describe.skipIf(!realBucket || !realCredentials)(`S3 contract: real S3 (${realBucket ? `bucket ${realBucket}` : 'set S3_CONTRACT_BUCKET and AWS credentials to run'})`, () => {
  contract(realTarget);
});
