// Lambda: S3 ObjectCreated on inbox/ → parse → a sources/ record with the articles (or a rejected/ report).
import type { S3Event } from 'aws-lambda';
import * as z from 'zod';
import { decodeEventKey } from '../core/keys.ts';
import { ingestObject, type IngestResult } from '../pipeline/ingest.ts';
import { ingestTelemetry } from '../pipeline/outcome-telemetry.ts';
import { workerParseRunner, type ParseRunner } from '../pipeline/parse-runner.ts';
import { createRuntime, invoked, lazy, warmAtLambdaInit, type Runtime } from '../runtime.ts';

const S3EventSchema = z.object({
  Records: z.array(
    z.object({
      eventName: z.string(),
      s3: z.object({ bucket: z.object({ name: z.string() }), object: z.object({ key: z.string() }) }),
    }),
  ),
});

/**
 * The parser is built here, not in the shared runtime, so only this function's bundle carries it.
 * By default it runs in bounded worker threads (`PARSE_TIMEOUT_MS`, `PARSE_WORKERS`).
 */
export function createIngestHandler(getRuntime: () => Runtime, getParser?: () => ParseRunner) {
  const parser = getParser ?? lazy(() => workerParseRunner(getRuntime().config.parse));
  const handle = async (event: S3Event): Promise<{ results: IngestResult[] }> => {
    const rt = getRuntime();
    const parsed = S3EventSchema.safeParse(event);
    if (!parsed.success) {
      // Not an S3 notification (e.g. s3:TestEvent): nothing to do, and retrying would not help.
      rt.log({ level: 'warn', msg: 'ignored event that is not an S3 notification' });
      return { results: [] };
    }
    const results: IngestResult[] = [];
    for (const record of parsed.data.Records) {
      if (!record.eventName.startsWith('ObjectCreated')) continue;
      if (record.s3.bucket.name !== rt.config.bucket) {
        rt.log({ level: 'warn', msg: 'event for another bucket ignored', bucket: record.s3.bucket.name });
        continue;
      }
      const key = decodeEventKey(record.s3.object.key);
      // Store faults propagate: Lambda retries the event, and ingestion is idempotent.
      const result = await ingestObject({ store: rt.store, clock: rt.clock, limits: rt.config.limits, parser: parser() }, key);
      const { entry, points } = ingestTelemetry(result);
      rt.log(entry);
      for (const point of points) rt.metrics.add(point);
      results.push(result);
    }
    return { results };
  };
  /** Build the runtime and load the parser before the first event (a local runner starting up warm). */
  const warm = async (): Promise<void> => {
    getRuntime();
    await parser().warm();
  };
  return Object.assign(invoked(getRuntime, handle), { warm });
}

export const handler = createIngestHandler(lazy(() => createRuntime()));
// In Lambda: the parser thread starts during init, not with the first file.
await warmAtLambdaInit(handler);
