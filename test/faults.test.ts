// Store faults through a failing proxy in front of the embedded S3, overwrites, and hostile keys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStore, createS3Client } from '../functions/adapters/s3-store.ts';
import { loadConfig } from '../functions/config.ts';
import { derivedKey, safeKeyPath } from '../functions/core/keys.ts';
import { systemClock } from '../functions/core/ports.ts';
import { ArticleRecordSchema } from '../functions/core/schema.ts';
import { createIngestHandler } from '../functions/ingest/handler.ts';
import { inlineParseRunner } from '../functions/pipeline/parse-runner.ts';
import type { Runtime } from '../functions/runtime.ts';
import { startFaultProxy, type Fault, type FaultProxy } from './fault-proxy.ts';
import { s3Event, seedFiles, startTestPipeline, type TestPipeline } from './helpers.ts';

describe('S3 faults', () => {
  let p: TestPipeline;
  let proxy: FaultProxy;
  let ingest: ReturnType<typeof createIngestHandler>;

  beforeAll(async () => {
    p = await startTestPipeline({ manualEvents: true });
    proxy = await startFaultProxy(p.s3.endpoint);
    const client = createS3Client({
      endpoint: proxy.endpoint,
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      maxAttempts: 4,
      requestTimeoutMs: 400,
    });
    const runtime: Runtime = {
      config: loadConfig({ BUCKET: p.bucket, S3_ENDPOINT: proxy.endpoint }),
      store: new S3ObjectStore(client, p.bucket),
      clock: systemClock,
      log: () => undefined,
    };
    ingest = createIngestHandler(() => runtime, () => inlineParseRunner);
  });
  afterAll(async () => {
    await proxy.close();
    await p.cleanup();
  });

  /** Fail the first `times` requests with `fault`, then pass everything. */
  const failFirst = (fault: Fault, times: number) => {
    const start = proxy.seen.length;
    proxy.rule = ({ n }) => (n - start < times ? fault : 'pass');
  };

  for (const fault of ['slowdown', 'internal', 'reset', 'hang'] as const) {
    it(`retries through ${fault} and ingests the file`, async () => {
      const key = `inbox/faults/${fault}.txt`;
      await p.upload(key, seedFiles()[1]!.body);
      failFirst(fault, 2);
      const before = proxy.seen.length;
      const { results } = await ingest(s3Event(p.bucket, key));
      expect(results).toEqual([expect.objectContaining({ key, status: 'ingested' })]);
      expect(proxy.seen.slice(before, before + 2).map((s) => s.fault)).toEqual([fault, fault]);
      expect(await p.keys(`sources/${key}`)).toHaveLength(1);
    });
  }

  it('throws when retries run out, so Lambda retries the event, and converges on the next attempt', async () => {
    const key = 'inbox/faults/down.txt';
    await p.upload(key, seedFiles()[3]!.body);
    proxy.rule = () => 'slowdown';
    await expect(ingest(s3Event(p.bucket, key))).rejects.toThrow(/reduce your request rate|SlowDown/);
    expect(await p.keys(`sources/${key}`)).toEqual([]); // not recorded as done
    proxy.rule = () => 'pass';
    const { results } = await ingest(s3Event(p.bucket, key));
    expect(results).toEqual([expect.objectContaining({ key, status: 'ingested' })]);
  });
});

describe('overwrites and redelivery', () => {
  let p: TestPipeline;
  beforeAll(async () => {
    p = await startTestPipeline({ manualEvents: true });
  });
  afterAll(() => p.cleanup());

  it('lets the newest content of a key win, even when the old event arrives last', async () => {
    const [first, , second] = seedFiles();
    const key = 'inbox/rewritten.txt';
    await p.upload(key, first!.body);
    const oldEvent = s3Event(p.bucket, key);
    await p.ingest(oldEvent);
    const firstIds = await p.keys('articles/');
    expect(firstIds).toHaveLength(1);

    await p.upload(key, second!.body);
    await p.ingest(s3Event(p.bucket, key));
    await p.ingest(oldEvent); // late, duplicated delivery of the first upload's event
    const ids = await p.keys('articles/');
    expect(ids).toHaveLength(1);
    expect(ids).not.toEqual(firstIds);
    const record = ArticleRecordSchema.parse(await p.json(ids[0]!));
    expect(record.title).toContain('Witkoff May Head to Russia');
  });

  it('clears a rejection report when its key is fixed by a new upload', async () => {
    const key = 'inbox/fixed-later.txt';
    await p.upload(key, '');
    await p.ingest(s3Event(p.bucket, key));
    expect(await p.keys(`rejected/${key}`)).toHaveLength(1);
    await p.upload(key, seedFiles()[4]!.body);
    await p.ingest(s3Event(p.bucket, key));
    expect(await p.keys(`rejected/${key}`)).toEqual([]);
  });
});

describe('hostile keys', () => {
  it('keeps derived keys under their prefix and within 1,024 bytes', () => {
    const cases = ['inbox/../../etc/passwd', '/abs/path.txt', 'inbox/./a//b\\..\\c.txt', `inbox/${'é'.repeat(600)}.txt`, 'inbox/e\u0301.txt'];
    for (const key of cases) {
      const out = derivedKey('rejected/', key, '.error.json');
      expect(out.startsWith('rejected/')).toBe(true);
      expect(Buffer.byteLength(out)).toBeLessThanOrEqual(1024);
      expect(out.split('/')).not.toContain('..');
      expect(out.split('/')).not.toContain('.');
      expect(out).not.toContain('//');
    }
    // Canonically equal names map to the same derived key.
    expect(safeKeyPath('inbox/e\u0301.txt')).toBe(safeKeyPath('inbox/\u00e9.txt'));
  });
});
