// The Lambda handlers invoked directly with event shapes as AWS sends them, against the embedded S3.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Context, SQSEvent } from 'aws-lambda';
import { loadConfig } from '../functions/config.ts';
import { createDigestHandler } from '../functions/digest/handler.ts';
import { createIngestHandler } from '../functions/ingest/handler.ts';
import { inlineParseRunner } from '../functions/pipeline/parse-runner.ts';
import { createRuntime, lazy, warmAtLambdaInit } from '../functions/runtime.ts';
import { PREFIX } from '../functions/triggers.ts';
import { sqsMessage } from '../local/runner.ts';
import { s3Event, seedFiles, startTestPipeline, type TestPipeline } from './helpers.ts';
import { lineSink, metricsLines } from './log-lines.ts';

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
    await expect(broken.ingest(s3Event(broken.bucket, 'inbox/a.txt'))).rejects.toThrow(/ECONNREFUSED/);
    await broken.cleanup().catch(() => undefined);
  });
});

/** A Lambda context as the Node.js runtime passes it. */
function lambdaContext(functionName: string, awsRequestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '1536',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

describe('handler logs and metrics, as they run outside Lambda (JSON lines on one stream, metrics at debug)', () => {
  let p: TestPipeline;
  beforeAll(async () => {
    p = await startTestPipeline({ manualEvents: true });
  });
  afterAll(() => p.cleanup());

  const handlersAt = (level: string) => {
    const sink = lineSink();
    const runtime = lazy(() => createRuntime({ ...p.env, LOG_LEVEL: level }, { logStream: sink.stream }));
    // The parser runs inline: what is checked here is the handler's output, not the parser's threads.
    return { ...sink, ingest: createIngestHandler(runtime, () => inlineParseRunner), digest: createDigestHandler(runtime) };
  };
  it('ingest: one line per file with its outcome, reason and request id, and its metrics', async () => {
    const h = handlersAt('debug');
    const good = `${PREFIX.inbox}wire.txt`;
    const bad = `${PREFIX.inbox}export.json`;
    await p.upload(good, seedFiles()[1]!.body);
    await p.upload(bad, '{"title": "Half an export", "text": ');

    await h.ingest(s3Event(p.bucket, good), lambdaContext('newsdigest-ingest', 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6'));
    expect(h.lines.find((l) => l.message === 'ingest')).toMatchObject({
      level: 'INFO',
      service: 'newsdigest',
      function_name: 'newsdigest-ingest',
      function_request_id: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
      key: good,
      outcome: 'ingested',
      articles: 1,
      errors: 0,
    });
    expect(metricsLines(h.lines)).toMatchObject([{ _aws: { CloudWatchMetrics: [{ Namespace: 'newsdigest', Dimensions: [['service']] }] }, FilesIngested: 1, ArticlesIngested: 1 }]);

    h.lines.length = 0;
    await h.ingest(s3Event(p.bucket, bad), lambdaContext('newsdigest-ingest', '9b2c0d3e-0000-4000-8000-000000000002'));
    const line = h.lines.find((l) => l.message === 'ingest');
    expect(line).toMatchObject({ function_request_id: '9b2c0d3e-0000-4000-8000-000000000002', key: bad, outcome: 'rejected', reason: 'malformed' });
    expect(String(line!.error)).toMatch(/^invalid JSON/);
    const [total, byReason, ...rest] = metricsLines(h.lines);
    expect(rest).toEqual([]);
    expect(total).toMatchObject({ _aws: { CloudWatchMetrics: [{ Dimensions: [['service']] }] }, FilesRejected: 1 });
    expect(total).not.toHaveProperty('FilesIngested');
    expect(byReason).toMatchObject({ _aws: { CloudWatchMetrics: [{ Dimensions: [['service', 'reason']] }] }, reason: 'malformed', FilesRejected: 1 });

    // The same file again: a duplicate event, counted as such.
    h.lines.length = 0;
    await h.ingest(s3Event(p.bucket, good), lambdaContext('newsdigest-ingest', '9b2c0d3e-0000-4000-8000-000000000003'));
    expect(h.lines.find((l) => l.message === 'ingest')).toMatchObject({ outcome: 'unchanged', articles: 1 });
    expect(metricsLines(h.lines)).toMatchObject([{ FilesUnchanged: 1 }]);
  });

  it('digest: the edition\'s counts and build time as metrics', async () => {
    const h = handlersAt('debug');
    const sources = await p.keys(PREFIX.sources);
    const event: SQSEvent = { Records: sources.map((k, i) => sqsMessage(s3Event(p.bucket, k).Records[0]!, 'digest-queue', `00000000-0000-4000-8000-00000000000${i}`)) };
    await h.digest(event, lambdaContext('newsdigest-digest', '1e5f5e5e-0000-4000-8000-000000000001'));
    const edition = (await p.json<{ counts: { articles: number; stories: number; copiesCollapsed: number } }>(`${PREFIX.digests}latest/digest.json`))!;
    const [emf, ...rest] = metricsLines(h.lines);
    expect(rest).toEqual([]);
    expect(emf).toMatchObject({ EditionArticles: edition.counts.articles, Stories: edition.counts.stories, CopiesCollapsed: edition.counts.copiesCollapsed });
    expect(emf!.DigestBuildMs).toEqual(expect.any(Number));
    expect(h.lines.find((l) => l.message === 'digest')).toMatchObject({ function_request_id: '1e5f5e5e-0000-4000-8000-000000000001', status: 'published' });
  });

  it('logs at LOG_LEVEL: no metrics above debug, no file lines at warn', async () => {
    const key = `${PREFIX.inbox}levels.txt`;
    await p.upload(key, seedFiles()[2]!.body);
    const info = handlersAt('info');
    await info.ingest(s3Event(p.bucket, key));
    expect(info.lines.map((l) => [l.message, l.outcome])).toEqual([['ingest', 'ingested']]);
    const warn = handlersAt('warn');
    await warn.ingest(s3Event(p.bucket, key));
    await warn.ingest({ Records: 'not an S3 notification' } as never);
    expect(warn.lines.map((l) => [l.level, l.message])).toEqual([['WARN', 'ignored event that is not an S3 notification']]);
  });
});

describe('configuration', () => {
  it('names what is wrong in the environment', () => {
    expect(() => loadConfig({})).toThrow(/invalid configuration: BUCKET/);
    expect(() => loadConfig({ BUCKET: 'b-1', EDITION_WINDOW_HOURS: 'soon' })).toThrow(/EDITION_WINDOW_HOURS/);
    expect(loadConfig({ BUCKET: 'b-1' })).toMatchObject({ bucket: 'b-1', windowHours: 48, title: 'News digest' });
    expect(loadConfig({ BUCKET: 'b-1' }).telemetry).toEqual({ logLevel: 'info', serviceName: 'newsdigest', namespace: 'newsdigest' });
    expect(loadConfig({ BUCKET: 'b-1', LOG_LEVEL: 'DEBUG' }).telemetry.logLevel).toBe('debug');
    expect(() => loadConfig({ BUCKET: 'b-1', LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
    expect(loadConfig({ BUCKET: 'b-1' }).clockAt).toBeUndefined();
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
