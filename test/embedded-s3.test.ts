// The embedded S3's own duties, beyond the S3 contract (s3-contract.test.ts): objects stored byte for byte with
// their MD5 as ETag, signatures checked as S3 checks them, streamed uploads unwrapped, listings read back from
// s3rver and what they keep between pages given up on each write, request counts, and s3rver used through its
// package entry only.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { CreateBucketCommand, GetObjectCommand, ListObjectsCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, S3ObjectStore } from '../functions/adapters/s3-store.ts';
import { mapLimit } from '../functions/pipeline/digest.ts';
import { LOCAL_CREDENTIALS, s3EventKey, startEmbeddedS3, type EmbeddedS3 } from '../local/embedded-s3.ts';
import { objectPath, signedRequester } from '../bench/signed-put.ts';

const BUCKET = 'embedded-s3-test';
let s3: EmbeddedS3;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'newsdigest-s3-'));
  s3 = await startEmbeddedS3({ directory: dir });
  await s3.createBucket(BUCKET);
});
afterAll(async () => {
  await s3.close();
  rmSync(dir, { recursive: true, force: true });
});

const md5 = (b: Uint8Array) => `"${createHash('md5').update(b).digest('hex')}"`;

describe('embedded S3', () => {
  for (const [label, size] of [['small', 5_000], ['large', 3 << 20]] as const) {
    it(`stores a ${label} object byte for byte, with its MD5 as ETag, and overwrites it`, async () => {
      const key = `objects/${size}.bin`;
      for (const fill of [7, 8]) {
        const body = Buffer.alloc(size, fill);
        body[size - 1] = 1;
        const put = await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
        expect(put.ETag).toBe(md5(body));
        const got = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
        expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
        expect(got.ETag).toBe(md5(body));
      }
    });
  }

  it('stores a streamed upload (aws-chunked, with the SDK checksum trailer) as its bytes', async () => {
    const parts = [Buffer.alloc(70_000, 'a'), Buffer.from('middle'), Buffer.alloc(90_000, 'z')];
    const body = Buffer.concat(parts);
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'objects/streamed.bin', Body: Readable.from(parts), ContentLength: body.length }));
    const got = await new S3ObjectStore(s3.client, BUCKET).get('objects/streamed.bin');
    expect(Buffer.from(got!.body).equals(body)).toBe(true);
    expect(got!.etag).toBe(md5(body));
  });

  it('checks every signature: other regions pass, a wrong secret or an unknown key never does', async () => {
    const client = (region: string, accessKeyId: string, secretAccessKey: string) =>
      createS3Client({ endpoint: s3.endpoint, region, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
    const clients = [client('us-east-1', 'S3RVER', 'not-the-secret'), client('eu-west-1', 'S3RVER', 'S3RVER'), client('us-east-1', 'NOBODY', 'S3RVER')];
    const [wrong, eu, unknown] = clients as [typeof s3.client, typeof s3.client, typeof s3.client];
    const put = (c: typeof s3.client) => c.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'signed.txt', Body: 'x' }));
    const list = (c: typeof s3.client) => c.send(new ListObjectsCommand({ Bucket: BUCKET, Prefix: 'signed' }));
    try {
      await expect(put(wrong)).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
      await expect(list(wrong)).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
      await expect(put(unknown)).rejects.toMatchObject({ name: 'InvalidAccessKeyId' });
      for (const c of [s3.client, eu]) await put(c);
      // Bucket-level calls, which the SDK signs as `/bucket/` (s3rver alone refuses those).
      expect((await list(eu)).Contents?.map((o) => o.Key)).toEqual(['signed.txt']);
      await eu.send(new CreateBucketCommand({ Bucket: 'embedded-s3-second' }));
    } finally {
      for (const c of clients) c.destroy();
    }
  });

  it('lists with ListObjects v1 too, keys holding XML special characters escaped once', async () => {
    const keys = ["v1/Q&A <draft> 'one'.json", 'v1/a`b"c.json', 'v1/&amp; as text.json'];
    const store = new S3ObjectStore(s3.client, BUCKET);
    for (const key of keys) await store.put(key, '{}', 'application/json');
    const page = await s3.client.send(new ListObjectsCommand({ Bucket: BUCKET, Prefix: 'v1/', MaxKeys: 2 }));
    expect(page.Contents?.map((o) => o.Key)).toEqual([...keys].sort().slice(0, 2));
    expect(page.IsTruncated).toBe(true);
    const rest = await s3.client.send(new ListObjectsCommand({ Bucket: BUCKET, Prefix: 'v1/', Marker: page.Contents![1]!.Key }));
    expect(rest.Contents?.map((o) => o.Key)).toEqual([...keys].sort().slice(2));
  });

  it('sees writes made between two pages of a listing', async () => {
    const store = new S3ObjectStore(s3.client, BUCKET);
    for (const key of ['pages/1', 'pages/3', 'pages/5']) await store.put(key, 'x', 'text/plain');
    const page = (ContinuationToken?: string) => s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'pages/', MaxKeys: 2, ContinuationToken }));
    const first = await page();
    expect(first.Contents?.map((o) => o.Key)).toEqual(['pages/1', 'pages/3']);
    await store.put('pages/4', 'x', 'text/plain');
    await store.delete('pages/5');
    expect((await page(first.NextContinuationToken)).Contents?.map((o) => o.Key)).toEqual(['pages/4']);
  });

  it('lists a key created beside a folder of 1,000 objects after a listing found nothing there', async () => {
    // s3rver cuts its page of 1,000 inside `big/f/` (`big/g` follows in its walk), and the listing asks whether
    // names such as `big/f-…` exist beside the folder; the answer is kept until a write creates one.
    const store = new S3ObjectStore(s3.client, BUCKET);
    const keys = Array.from({ length: 1000 }, (_, i) => `big/f/${String(i).padStart(4, '0')}`);
    await mapLimit([...keys, 'big/g'], 16, (key) => store.put(key, 'x', 'text/plain'));
    const list = async () => {
      const listed: string[] = [];
      for await (const o of store.list('big/')) listed.push(o.key);
      return listed;
    };
    expect(await list()).toEqual([...keys, 'big/g']);
    await store.put('big/f-new', 'x', 'text/plain');
    expect(await list()).toEqual(['big/f-new', ...keys, 'big/g']);
    // Without `big/g` the 1,001 keys fill 143 pages of 7: the last is full and nothing follows it, although
    // s3rver cut its walk short (at `big/f/0999`, `big/f-new` following).
    await store.delete('big/g');
    const pages: string[][] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'big/', MaxKeys: 7, ContinuationToken }));
      pages.push((page.Contents ?? []).map((o) => o.Key!));
      ContinuationToken = page.NextContinuationToken;
    } while (ContinuationToken);
    expect(pages.map((p) => p.length)).toEqual(Array.from({ length: 143 }, () => 7));
    expect(pages.flat()).toEqual(['big/f-new', ...keys]);
  }, 60_000);

  it('refuses a continuation token it did not issue', async () => {
    const requester = signedRequester(s3.endpoint, LOCAL_CREDENTIALS);
    try {
      const res = await requester.send('GET', `/${BUCKET}/`, { query: { 'list-type': '2', 'continuation-token': '***' } });
      expect(res.status).toBe(400);
      expect(res.body.toString()).toContain('<Code>InvalidArgument</Code>');
      // An anonymous request is s3rver's to judge, as before the shim (it serves it).
      const anonymous = await fetch(`${s3.endpoint}${objectPath(BUCKET, 'signed.txt')}`);
      expect(await anonymous.text()).toBe('x');
    } finally {
      requester.close();
    }
  });

  it('writes event keys as S3 does: form-encoded, slashes kept', () => {
    expect(s3EventKey("inbox/a b+c (1)!/é'~*.txt")).toBe('inbox/a+b%2Bc+%281%29%21/%C3%A9%27%7E*.txt');
  });

  it('leaves conditional reads to s3rver: a GET naming the current ETag in If-None-Match is 304', async () => {
    const store = new S3ObjectStore(s3.client, BUCKET);
    await store.put('objects/conditional.txt', 'same', 'text/plain');
    const etag = (await store.get('objects/conditional.txt'))!.etag!;
    const read = (IfNoneMatch: string) => s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'objects/conditional.txt', IfNoneMatch }));
    await expect(read(etag)).rejects.toMatchObject({ $metadata: { httpStatusCode: 304 } });
    expect(await (await read('"0"')).Body!.transformToString()).toBe('same');
  });

  it('counts the requests it answers by method and key prefix', async () => {
    const before = s3.requests()['GET objects'] ?? 0;
    await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'objects/5000.bin' }));
    expect(s3.requests()['GET objects']).toBe(before + 1);
  });
});

it('uses s3rver through its package entry only: no import of its lib/ files anywhere in the project', () => {
  const root = path.resolve(import.meta.dirname, '..');
  const offenders: string[] = [];
  for (const folder of ['functions', 'local', 'cli', 'bench', 'test', 'infra', 'bin']) {
    for (const file of readdirSync(path.join(root, folder), { recursive: true, encoding: 'utf8' })) {
      if (!/\.(ts|js|mjs)$/.test(file)) continue;
      const text = readFileSync(path.join(root, folder, file), 'utf8');
      if (/['"]@20minutes\/s3rver\/|['"]@aws-sdk\/[^'"]+\/dist-|['"]@smithy\/[^'"]+\/dist-/.test(text)) offenders.push(`${folder}/${file}`);
    }
  }
  expect(offenders.filter((f) => f !== 'test/embedded-s3.test.ts')).toEqual([]);
});
