// The embedded S3's own shortcuts keep S3's behaviour: whole-body reads and writes for small objects (and
// streaming for large ones) store exactly the bytes sent with their MD5 ETag, and the kept signing keys (one per
// credential scope) check every signature as before.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client, S3ObjectStore } from '../functions/adapters/s3-store.ts';
import { LOCAL_CREDENTIALS, startEmbeddedS3, type EmbeddedS3 } from '../local/embedded-s3.ts';
import { objectPath, signedRequester, type RawResponse } from '../bench/signed-put.ts';

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
  for (const [label, size] of [['small (read and written whole)', 5_000], ['large (streamed)', 3 << 20]] as const) {
    it(`stores a ${label} object byte for byte, with its MD5 as ETag, and overwrites it`, async () => {
      const key = `objects/${size}.bin`;
      for (const fill of [7, 8]) {
        const body = Buffer.alloc(size, fill);
        body[size - 1] = 1;
        const put = await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
        expect(put.ETag).toBe(md5(body));
        const got = await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
        const bytes = await got.Body!.transformToByteArray();
        expect(Buffer.from(bytes).equals(body)).toBe(true);
        expect(got.ETag).toBe(md5(body));
      }
    });
  }

  it('checks every signature: other credential scopes pass, a wrong secret never does', async () => {
    const client = (region: string, secretAccessKey: string) =>
      createS3Client({ endpoint: s3.endpoint, region, credentials: { accessKeyId: 'S3RVER', secretAccessKey }, maxAttempts: 1 });
    const clients = [client('us-east-1', 'not-the-secret'), client('eu-west-1', 'S3RVER'), client('ap-south-1', 'S3RVER')];
    const [wrong, eu, ap] = clients as [typeof s3.client, typeof s3.client, typeof s3.client];
    const put = (c: typeof s3.client) => c.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'signed.txt', Body: 'x' }));
    try {
      await expect(put(wrong)).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
      for (const c of [s3.client, eu, ap, s3.client, eu]) await put(c); // each scope's signing key, each time
      await expect(put(wrong)).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
    } finally {
      for (const c of clients) c.destroy();
    }
  });

  it('lists keys holding XML special characters as they are, so what is listed can be read', async () => {
    // s3rver escapes listing text twice (`&` is sent as `&amp;amp;` and read as `&amp;`); the fast path's listings escape it once.
    const store = new S3ObjectStore(s3.client, BUCKET);
    const keys = ["xml/Q&A <draft> 'one'.json", 'xml/a`b"c.json', 'xml/plain.json'];
    for (const key of keys) await store.put(key, '{}', 'application/json');
    const listed: string[] = [];
    for await (const o of store.list('xml/')) listed.push(o.key);
    expect(listed).toEqual([...keys].sort());
    for (const key of listed) expect(await store.get(key)).not.toBeNull();
  });

  it('counts the requests it answers by method and key prefix', async () => {
    const before = s3.requests()['GET objects'] ?? 0;
    await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'objects/5000.bin' }));
    expect(s3.requests()['GET objects']).toBe(before + 1);
  });
});

describe("the embedded S3's fast path for plain GetObject, PutObject and ListObjects", () => {
  // The same requests to two servers, one answering plain GETs, PUTs and listings itself (object-fast-path.ts), one sending
  // everything through s3rver: statuses, headers, bodies, events and the files written must not differ.
  type Exchange = { status: number; headers: Record<string, unknown>; body: string };
  const run = async (fast: boolean) => {
    const directory = mkdtempSync(path.join(tmpdir(), `newsdigest-s3-${fast ? 'fast' : 'koa'}-`));
    const server = await startEmbeddedS3({ directory, objectFastPath: fast });
    const events: unknown[] = [];
    server.onEvent((e) => events.push(e));
    await server.createBucket(BUCKET);
    const good = signedRequester(server.endpoint, LOCAL_CREDENTIALS);
    const wrong = signedRequester(server.endpoint, { accessKeyId: LOCAL_CREDENTIALS.accessKeyId, secretAccessKey: 'not-the-secret' });
    const exchanges: Exchange[] = [];
    const keep = (r: RawResponse) => {
      // The clock's and the connection's headers vary between any two answers; a refused signature's string to
      // sign holds the server's address.
      const { date: _d, 'last-modified': lastModified, connection: _c, 'keep-alive': _k, ...headers } = r.headers;
      // Listings hold each object's time: its form is compared.
      const body = r.body.toString('utf8').replace(/<StringToSign>[\s\S]*<\/StringToSignBytes>/, '').replace(/<LastModified>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z<\/LastModified>/g, '<LastModified/>');
      exchanges.push({ status: r.status, headers: { ...headers, 'last-modified': typeof lastModified }, body });
    };
    const key = 'inbox/a b+c (1)!/é ü.json';
    const at = objectPath(BUCKET, key);
    const json = Buffer.from('{"title":"x"}');
    try {
      keep(await good.send('PUT', at, { body: json, headers: { 'content-type': 'application/json', 'x-amz-meta-origin': 'feed' } }));
      keep(await good.send('GET', at));
      keep(await good.send('GET', at, { query: { 'x-id': 'GetObject' } }));
      keep(await good.send('PUT', objectPath(BUCKET, 'inbox/raw.bin'), { body: Buffer.from([0, 1, 2, 255]), query: { 'x-id': 'PutObject' } }));
      keep(await good.send('GET', objectPath(BUCKET, 'inbox/raw.bin')));
      keep(await good.send('PUT', objectPath(BUCKET, 'inbox/unsigned.txt'), { body: Buffer.from('u'), headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } }));
      keep(await good.send('GET', at, { headers: { range: 'bytes=0-3' } }));
      keep(await good.send('GET', at, { headers: { 'if-none-match': '"0"' } }));
      keep(await good.send('GET', objectPath(BUCKET, 'inbox/missing.json')));
      keep(await good.send('GET', objectPath('no-such-bucket', 'x.json')));
      keep(await good.send('PUT', at, { body: json, headers: { 'if-none-match': '*' } }));
      keep(await wrong.send('PUT', objectPath(BUCKET, 'inbox/forged.txt'), { body: Buffer.from('f') }));
      keep(await wrong.send('GET', at));
      keep(await good.send('PUT', at, { body: Buffer.from('{"title":"y"}') })); // overwrite: new type, no metadata
      keep(await good.send('GET', at));
      // Listings (ListObjects v1): pages, markers, prefixes, folders; then what goes to s3rver (v2, bad arguments).
      const bucketPath = `/${BUCKET}`;
      keep(await good.send('GET', bucketPath));
      keep(await good.send('GET', bucketPath, { query: { prefix: 'inbox/' } }));
      keep(await good.send('GET', bucketPath, { query: { prefix: 'inbox/', 'max-keys': '1' } }));
      keep(await good.send('GET', bucketPath, { query: { prefix: 'inbox/', marker: 'inbox/raw.bin' } }));
      keep(await good.send('GET', bucketPath, { query: { delimiter: '/', 'max-keys': '1' } }));
      keep(await good.send('GET', bucketPath, { query: { delimiter: '/', prefix: 'inbox/' } }));
      keep(await good.send('GET', bucketPath, { query: { prefix: 'nothing/' } }));
      keep(await good.send('GET', bucketPath, { query: { 'max-keys': '0' } }));
      keep(await good.send('GET', bucketPath, { query: { 'max-keys': 'ten' } }));
      keep(await good.send('GET', bucketPath, { query: { 'list-type': '2', prefix: 'inbox/' } }));
      keep(await wrong.send('GET', bucketPath));
      keep(await good.send('GET', '/no-such-bucket'));
    } finally {
      good.close();
      wrong.close();
      await server.close();
    }
    const files = readdirSync(path.join(directory, BUCKET), { recursive: true, encoding: 'utf8' }).sort();
    const metadata = files.filter((f) => f.endsWith('metadata.json')).map((f) => {
      const { 'x-newsdigest-mtime': _t, ...m } = JSON.parse(readFileSync(path.join(directory, BUCKET, f), 'utf8')) as Record<string, unknown>;
      return m;
    });
    rmSync(directory, { recursive: true, force: true });
    // Random ids (compared by their form: upper-case hex of a set length), the clock and the server's address
    // (hashed into x-amz-id-2) differ between any two events.
    const stable = JSON.parse(JSON.stringify(events), (k: string, v: unknown) =>
      ['principalId', 'x-amz-request-id'].includes(k) && typeof v === 'string'
        ? v.replace(/[0-9A-F]/g, 'h')
        : ['x-amz-id-2', 'eventTime', 'sequencer'].includes(k) ? typeof v : v) as unknown;
    return { exchanges, events: stable, files, metadata };
  };

  it('answers exactly as s3rver does, and leaves the same files and events', async () => {
    const [fast, koa] = [await run(true), await run(false)];
    expect(fast.exchanges.map((e) => e.status)).toEqual([200, 200, 200, 200, 200, 200, 206, 200, 404, 404, 412, 403, 403, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 400, 200, 403, 404]);
    expect(fast.exchanges.filter((e) => e.body.includes('<Contents>')).length).toBe(6);
    expect(fast).toEqual(koa);
  });
});
