// Store faults through a failing proxy in front of the embedded S3, overwrites, and hostile keys.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDigestHandler } from '../functions/digest/handler.ts';
import { createRuntime, lazy } from '../functions/runtime.ts';
import { startLocalPipeline } from '../local/pipeline.ts';
import { S3ObjectStore, createS3Client } from '../functions/adapters/s3-store.ts';
import { loadConfig } from '../functions/config.ts';
import { derivedKey, safeKeyPath } from '../functions/core/keys.ts';
import { systemClock } from '../functions/core/ports.ts';
import { noMetrics } from '../functions/core/telemetry.ts';
import { loadArticleRecords } from '../functions/pipeline/digest.ts';
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
      metrics: noMetrics,
      addContext: () => undefined,
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
    const firstIds = (await p.articles()).map((a) => a.id);
    expect(firstIds).toHaveLength(1);

    await p.upload(key, second!.body);
    await p.ingest(s3Event(p.bucket, key));
    await p.ingest(oldEvent); // late, duplicated delivery of the first upload's event
    const records = await p.articles();
    expect(records).toHaveLength(1);
    expect(records.map((a) => a.id)).not.toEqual(firstIds);
    expect(records[0]!.title).toContain('Witkoff May Head to Russia');
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

describe('the embedded S3 stopped in the middle of a run', () => {
  it('converges to the state of a clean run once restarted and the events are replayed', async () => {
    const seeds = seedFiles();
    const handlersFor = (env: NodeJS.ProcessEnv) => {
      const rt = lazy(() => createRuntime(env));
      return { ingest: createIngestHandler(rt, () => inlineParseRunner), digest: createDigestHandler(rt) };
    };
    const storyShape = async (p: Awaited<ReturnType<typeof startLocalPipeline>>) => {
      const records = await loadArticleRecords(p.store);
      const latest = JSON.parse(new TextDecoder().decode((await p.store.get('digests/latest/digest.json'))!.body)) as {
        stories: Array<{ entries: Array<{ id: string; copies: Array<{ articleId: string }> }> }>;
      };
      return {
        articles: records.map((r) => `${r.id} ${r.source.key}`).sort(),
        stories: latest.stories.map((s) => s.entries.map((e) => [e.id, ...e.copies.map((c) => c.articleId)].join('+')).sort()),
      };
    };
    const sqs = { Records: [{ messageId: 'm', body: '{}' }] } as never;
    const dirs = [mkdtempSync(path.join(tmpdir(), 'nd-kill-')), mkdtempSync(path.join(tmpdir(), 'nd-clean-'))];
    try {
      // Interrupted run: two files ingested, the server stopped while the third is being ingested.
      const first = await startLocalPipeline({ directory: dirs[0]!, manualEvents: true });
      for (const s of seeds) await first.s3.client.send(new PutObjectCommand({ Bucket: first.bucket, Key: `inbox/${s.name}`, Body: s.body }));
      const events = first.events.filter((e) => e.Records[0]!.s3.object.key.startsWith('inbox/'));
      const h1 = handlersFor(first.env);
      for (const e of events.slice(0, 2)) await h1.ingest(e);
      const interrupted = h1.ingest(events[2]!).catch((e: unknown) => e);
      await first.close();
      await interrupted;

      // Restarted on the same storage: replaying every event (Lambda's retries) finishes the job.
      const second = await startLocalPipeline({ directory: dirs[0]!, reset: false, manualEvents: true });
      const h2 = handlersFor(second.env);
      for (const e of events) await h2.ingest(e);
      await h2.digest(sqs);

      const clean = await startLocalPipeline({ directory: dirs[1]!, manualEvents: true });
      for (const s of seeds) await clean.s3.client.send(new PutObjectCommand({ Bucket: clean.bucket, Key: `inbox/${s.name}`, Body: s.body }));
      const h3 = handlersFor(clean.env);
      for (const e of clean.events.filter((x) => x.Records[0]!.s3.object.key.startsWith('inbox/'))) await h3.ingest(e);
      await h3.digest(sqs);

      expect(await storyShape(second)).toEqual(await storyShape(clean));
      await second.close();
      await clean.close();
    } finally {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });
});
