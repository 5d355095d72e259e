// The Lambda handlers invoked directly with event shapes as AWS sends them, against the embedded S3.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SQSEvent } from 'aws-lambda';
import { loadConfig } from '../functions/config.ts';
import { warmAtLambdaInit } from '../functions/runtime.ts';
import { s3Event, seedFiles, startTestPipeline, type TestPipeline } from './helpers.ts';

describe('ingest and digest handlers with AWS event shapes', () => {
  let p: TestPipeline;
  beforeAll(async () => {
    p = await startTestPipeline({ manualEvents: true });
  });
  afterAll(() => p.cleanup());

  it('decodes the URL-encoded key of a real S3 notification (+ for space, %XX for the rest)', async () => {
    const key = 'inbox/wire copy+1 (ü).txt';
    await p.upload(key, seedFiles()[1]!.body);
    const event = s3Event(p.bucket, key);
    expect(event.Records[0]!.s3.object.key).toBe('inbox/wire+copy%2B1+(%C3%BC).txt');
    const { results } = await p.ingest(event);
    expect(results).toEqual([expect.objectContaining({ key, status: 'ingested' })]);
    const [record] = await p.articles();
    if (!record) throw new Error('no article stored');
    expect(record.source.key).toBe(key);
    expect(record.publisher).toBe('TROIB News');
  });

  it('treats an event for an object deleted since as done, not as a failure', async () => {
    const { results } = await p.ingest(s3Event(p.bucket, 'inbox/gone.txt'));
    expect(results).toEqual([{ key: 'inbox/gone.txt', status: 'missing' }]);
  });

  it('ignores other buckets, removals and keys outside inbox/', async () => {
    expect((await p.ingest(s3Event('someone-elses-bucket', 'inbox/x.txt'))).results).toEqual([]);
    expect((await p.ingest(s3Event(p.bucket, 'inbox/x.txt', 'ObjectRemoved:Delete'))).results).toEqual([]);
    expect((await p.ingest(s3Event(p.bucket, 'digests/latest/digest.json'))).results).toEqual([
      expect.objectContaining({ status: 'ignored' }),
    ]);
  });

  it('rebuilds the digest from an SQS batch of S3 notifications, whatever the bodies say', async () => {
    const body = JSON.stringify(s3Event(p.bucket, 'sources/inbox/a.txt.json'));
    const testEvent = JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: p.bucket });
    const event = {
      Records: [body, testEvent].map((b, i) => ({ messageId: `m${i}`, receiptHandle: `r${i}`, body: b, eventSource: 'aws:sqs' })),
    } as unknown as SQSEvent;
    await expect(p.digest(event)).resolves.toEqual({ batchItemFailures: [] });
    expect(await p.keys('digests/latest/')).toHaveLength(3);
  });

  it('throws on a store fault so that Lambda retries (the bucket is gone)', async () => {
    const broken = await startTestPipeline({ manualEvents: true });
    await broken.close();
    await expect(broken.ingest(s3Event(broken.bucket, 'inbox/a.txt'))).rejects.toThrow();
    await broken.cleanup().catch(() => undefined);
  });
});

describe('configuration', () => {
  it('names what is wrong in the environment', () => {
    expect(() => loadConfig({})).toThrow(/invalid configuration: BUCKET/);
    expect(() => loadConfig({ BUCKET: 'b-1', EDITION_WINDOW_HOURS: 'soon' })).toThrow(/EDITION_WINDOW_HOURS/);
    expect(loadConfig({ BUCKET: 'b-1' })).toMatchObject({ bucket: 'b-1', windowHours: 48, title: 'News digest', clockAt: undefined });
    expect(() => loadConfig({ BUCKET: 'b-1', CLOCK_AT: '23 April 2025' })).toThrow(/CLOCK_AT/);
    expect(loadConfig({ BUCKET: 'b-1', CLOCK_AT: '2025-04-23T12:00:00+02:00' }).clockAt).toEqual(new Date('2025-04-23T10:00:00Z'));
  });
});

describe('the handlers under a clock set in the past (CLOCK_AT)', () => {
  let p: TestPipeline;
  beforeAll(async () => {
    p = await startTestPipeline({ manualEvents: true, env: { CLOCK_AT: '2025-04-23T10:00:00Z' } });
  });
  afterAll(() => p.cleanup());

  it('receive a file at the clock\'s instant, not later, and name the edition after its day', async () => {
    // 002 names no date: only its arrival puts it in the replayed day's window.
    await p.upload('inbox/undated.txt', seedFiles()[2]!.body);
    expect((await p.ingest(s3Event(p.bucket, 'inbox/undated.txt'))).results).toEqual([expect.objectContaining({ status: 'ingested' })]);
    const [record] = await p.articles();
    expect(record).toMatchObject({ publishedAt: null, source: { receivedAt: '2025-04-23T10:00:00.000Z' } });
    const body = JSON.stringify(s3Event(p.bucket, 'sources/inbox/undated.txt.json'));
    await p.digest({ Records: [{ messageId: 'm0', receiptHandle: 'r0', body, eventSource: 'aws:sqs' }] } as unknown as SQSEvent);
    expect(await p.json('digests/latest.json')).toMatchObject({ edition: '2025-04-23', stories: 1, updatedAt: '2025-04-23T10:00:00.000Z' });
  });
});

describe('warmAtLambdaInit (a handler module warming up in the Lambda init phase)', () => {
  const lambda = { AWS_LAMBDA_FUNCTION_NAME: 'newsdigest-ingest' };
  const counting = (warm: () => Promise<void> = async () => undefined) => {
    const handler = { calls: 0, warm: async () => { handler.calls++; await warm(); } };
    return handler;
  };

  it('warms once and logs it, in Lambda on the main thread', async () => {
    const handler = counting();
    const logs: Array<Record<string, unknown>> = [];
    await warmAtLambdaInit(handler, lambda, (e) => logs.push(e), true);
    expect(handler.calls).toBe(1);
    expect(logs).toMatchObject([{ msg: 'init', warmed: true }]);
  });

  it('does nothing outside Lambda (tests, the CLI, the local runner) or on a parser thread running the same bundle', async () => {
    const handler = counting();
    const logs: unknown[] = [];
    await warmAtLambdaInit(handler, {}, (e) => logs.push(e), true);
    await warmAtLambdaInit(handler, lambda, (e) => logs.push(e), false);
    expect(handler.calls).toBe(0);
    expect(logs).toEqual([]);
  });

  it('never fails the init: a runtime that cannot start is logged, and fails the first event instead', async () => {
    const handler = counting(async () => {
      throw new Error('invalid configuration: BUCKET');
    });
    const logs: Array<Record<string, unknown>> = [];
    await expect(warmAtLambdaInit(handler, lambda, (e) => logs.push(e), true)).resolves.toBeUndefined();
    expect(logs).toMatchObject([{ level: 'warn', msg: 'init', warmed: false, error: 'Error: invalid configuration: BUCKET' }]);
  });
});
