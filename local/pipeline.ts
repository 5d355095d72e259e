// The whole pipeline on this machine: embedded S3, the deployed trigger wiring, the real handlers.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { S3ObjectStore } from '../functions/adapters/s3-store.ts';
import type { Edition } from '../functions/core/edition.ts';
import { RejectionSchema, type Rejection } from '../functions/core/schema.ts';
import { DIGEST_FILES, loadArticleRecords, mapLimit } from '../functions/pipeline/digest.ts';
import type { IngestResult } from '../functions/pipeline/ingest.ts';
import { PREFIX, type Trigger } from '../functions/triggers.ts';
import { startEmbeddedS3, type EmbeddedS3 } from './embedded-s3.ts';
import { LocalRunner } from './runner.ts';

export interface LocalPipeline {
  s3: EmbeddedS3;
  runner: LocalRunner;
  bucket: string;
  store: S3ObjectStore;
  env: NodeJS.ProcessEnv;
  /** Every notification the embedded S3 emitted, in order (unless started with `keepEvents: false`). */
  events: S3Event[];
  close(): Promise<void>;
}

export interface LocalPipelineOptions {
  directory: string;
  bucket?: string;
  port?: number;
  /** Start from an empty bucket (default) or keep what an earlier run stored. */
  reset?: boolean;
  batchWindowMs?: number;
  concurrency?: number;
  /** Ingest on this many worker threads (see LocalRunnerOptions.ingestThreads); each gets one parser thread. */
  ingestThreads?: number;
  /** The trigger wiring (default: the declared one, functions/triggers.ts); tests vary a batch size. */
  triggers?: readonly Trigger[];
  /** Run the digest on its own worker thread (see LocalRunnerOptions.digestThread). */
  digestThread?: boolean;
  env?: NodeJS.ProcessEnv;
  onIngest?: (result: IngestResult) => void;
  /** Called as a queue batch goes to its handler (see LocalRunnerOptions.onBatch). */
  onBatch?: (handler: string, messages: number) => void;
  /** Called when a handler invocation fails (also kept in `runner.errors`). */
  onError?: (handler: string, error: unknown) => void;
  /** Leave the S3 notifications to the caller (tests replaying them out of order); they are kept in `events`. */
  manualEvents?: boolean;
  /**
   * Keep every notification in `events` (default true). A load run turns it off: 30,000 notifications are
   * tens of MB of heap nobody reads.
   */
  keepEvents?: boolean;
  /**
   * Return only once every handler is loaded and the ingest parsers are started (see LocalRunner.warm):
   * the first uploads are then handled at once instead of waiting out a cold start of a few seconds.
   */
  warm?: boolean;
}

export async function startLocalPipeline(options: LocalPipelineOptions): Promise<LocalPipeline> {
  if (options.reset !== false) rmSync(options.directory, { recursive: true, force: true });
  const bucket = options.bucket ?? 'newsdigest-local';
  const s3 = await startEmbeddedS3({ directory: options.directory, ...(options.port !== undefined ? { port: options.port } : {}) });
  await s3.createBucket(bucket);
  const env: NodeJS.ProcessEnv = {
    // Log lines go to stderr (see functions/runtime.ts); warnings and errors only, unless LOG_LEVEL says otherwise.
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    // The embedded S3 runs on this thread; two parser threads keep both cores busy (one per ingest thread).
    PARSE_WORKERS: options.ingestThreads ? '1' : '2',
    ...options.env,
    BUCKET: bucket,
    S3_ENDPOINT: s3.endpoint,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
  };
  const runner = new LocalRunner({
    env,
    ...(options.batchWindowMs !== undefined ? { batchWindowMs: options.batchWindowMs } : {}),
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.ingestThreads ? { ingestThreads: options.ingestThreads } : {}),
    ...(options.digestThread ? { digestThread: true } : {}),
    ...(options.triggers ? { triggers: options.triggers } : {}),
    ...(options.onIngest ? { onIngest: options.onIngest } : {}),
    ...(options.onBatch ? { onBatch: options.onBatch } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  const events: S3Event[] = [];
  s3.onEvent((event) => {
    if (options.keepEvents !== false || options.manualEvents) events.push(event);
    if (!options.manualEvents) runner.dispatch(event);
  });
  if (options.warm) await runner.warm();
  return {
    s3,
    runner,
    bucket,
    store: new S3ObjectStore(s3.client, bucket),
    env,
    events,
    close: async () => {
      await runner.close();
      await s3.close();
    },
  };
}

/** Upload with PutObject, as any S3 client would; the S3 notifications do the rest. */
export async function uploadFile(client: S3Client, bucket: string, key: string, body: Uint8Array): Promise<void> {
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

export async function readText(client: S3Client, bucket: string, key: string): Promise<string | null> {
  try {
    const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await res.Body?.transformToString('utf-8')) ?? null;
  } catch (e) {
    if (e instanceof Error && e.name === 'NoSuchKey') return null;
    throw e;
  }
}

export interface PipelineSummary {
  files: number;
  articles: number;
  rejected: Rejection[];
  edition: Edition | null;
  digest: { html: string; text: string; json: string } | null;
}

/** What the bucket holds after a run: counts, rejections and the latest edition. */
export async function summarize(p: LocalPipeline, files: number): Promise<PipelineSummary> {
  const articles = (await loadArticleRecords(p.store)).length;
  const rejectionKeys: string[] = [];
  for await (const o of p.store.list(PREFIX.rejected)) rejectionKeys.push(o.key);
  const rejected = (
    await mapLimit(rejectionKeys, 8, async (k) => {
      const text = await readText(p.s3.client, p.bucket, k);
      return text ? RejectionSchema.parse(JSON.parse(text)) : null;
    })
  ).filter((r): r is Rejection => r !== null);
  const latest = `${PREFIX.digests}latest/`;
  const read = (f: { name: string }) => readText(p.s3.client, p.bucket, latest + f.name);
  const [html, text, json] = await Promise.all([read(DIGEST_FILES.html), read(DIGEST_FILES.text), read(DIGEST_FILES.json)]);
  const digest = html !== null && text !== null && json !== null ? { html, text, json } : null;
  return { files, articles, rejected, edition: digest ? (JSON.parse(digest.json) as Edition) : null, digest };
}

/**
 * Mirror the bucket's `digests/` into a local folder (so the archive's links work offline), and put the
 * latest edition's files at its top: `digest.html|txt|json` and `message.eml`.
 */
export async function exportDigests(p: LocalPipeline, outDir: string, edition: string): Promise<string[]> {
  const written: string[] = [];
  const keys: string[] = [];
  for await (const o of p.store.list(PREFIX.digests)) keys.push(o.key);
  await mapLimit(keys, 8, async (key) => {
    const obj = await p.store.get(key);
    if (!obj) return;
    const rel = key.slice(PREFIX.digests.length);
    const copies = [rel];
    // The web page stays in its folder only: its links to the archive and neighbours are relative.
    if (rel.startsWith(`${edition}/`) && rel !== `${edition}/index.html`) copies.push(rel.slice(edition.length + 1));
    for (const c of copies) {
      const file = path.join(outDir, ...c.split('/'));
      if (!file.startsWith(path.resolve(outDir) + path.sep)) continue; // keys never escape the folder
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, obj.body);
      written.push(file);
    }
  });
  return written.sort();
}
