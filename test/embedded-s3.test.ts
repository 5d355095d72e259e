// The embedded S3's own shortcuts keep S3's behaviour: whole-body reads and writes for small objects (and
// streaming for large ones) store exactly the bytes sent with their MD5 ETag, and the kept signing keys (one per
// credential scope) check every signature as before.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../functions/adapters/s3-store.ts';
import { startEmbeddedS3, type EmbeddedS3 } from '../local/embedded-s3.ts';

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

  it('counts the requests it answers by method and key prefix', async () => {
    const before = s3.requests()['GET objects'] ?? 0;
    await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'objects/5000.bin' }));
    expect(s3.requests()['GET objects']).toBe(before + 1);
  });
});
