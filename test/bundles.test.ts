// The synthesized Lambda bundles run: each is executed in a fresh `node` process, from a folder outside the
// repository where, as in Lambda, only the runtime's AWS SDK can be resolved, against the embedded S3, with the
// S3/SQS event shapes AWS delivers. Their output must equal what the TypeScript handlers produce from the same uploads.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { S3Event, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeEventKey } from '../functions/core/keys.ts';
import { PREFIX } from '../functions/triggers.ts';
import { bareImports, functionBundles, provideRuntimeSdk, sdkClientsLoadedBy, type FunctionBundle } from '../infra/assets.ts';
import { buildApp } from '../infra/build.ts';
import { LAMBDA_TASK_ROOT, REPO_ROOT, type HandlerName } from '../infra/functions.ts';
import { s3Event, seedFiles, startTestPipeline, type TestPipeline } from './helpers.ts';
import { sqsMessage } from '../local/runner.ts';

const run = promisify(execFile);

/** Runs in the child: import the bundle once (a cold start), then invoke it for each event in order. */
const INVOKER = `
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [bundle, eventsFile, outFile] = process.argv.slice(2);
const { handler } = await import(pathToFileURL(bundle).href);
const results = [];
for (const [i, event] of JSON.parse(readFileSync(eventsFile, 'utf8')).entries()) {
  const context = { functionName: 'bundle-test', awsRequestId: \`request-\${i}\`, getRemainingTimeInMillis: () => 60000 };
  results.push(await handler(event, context));
}
writeFileSync(outFile, JSON.stringify(results));
`;


interface Snapshot {
  ingest: unknown[];
  /** Source records by key (less their ingest time). */
  sources: Record<string, unknown>;
  articles: number;
  rejected: Record<string, unknown>;
  digest: Record<string, string | null>;
}

let outdir: string;
let scratch: string;
let bundles: Map<HandlerName, FunctionBundle>;
let p: TestPipeline;
let fromBundles: Snapshot;
let fromSources: Snapshot;

function sqsEventFor(bucket: string, keys: string[]): SQSEvent {
  return {
    Records: keys.map((key, i) => sqsMessage(s3Event(bucket, key).Records[0]!, 'digest-queue', `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`)),
  };
}

/** The JSON lines of each bundle's last run on stdout: Powertools' log lines and EMF metric blobs, as in Lambda. */
const lastLogs = new Map<HandlerName, Array<Record<string, unknown>>>();
/** The stdout lines of the first runs, on the seeds (see beforeAll). */
const seedRunLines = new Map<HandlerName, Array<Record<string, unknown>>>();

async function invokeBundle(name: HandlerName, events: Array<S3Event | SQSEvent>): Promise<unknown[]> {
  const b = bundles.get(name)!;
  const eventsFile = path.join(scratch, `${name}-events.json`);
  const outFile = path.join(scratch, `${name}-results.json`);
  writeFileSync(eventsFile, JSON.stringify(events));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    ...b.env,
    ...p.env,
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    // As in Lambda: the handlers warm up at init (see warmAtLambdaInit) and log it; the first invocation is a cold start.
    AWS_LAMBDA_FUNCTION_NAME: `newsdigest-${name}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    LOG_LEVEL: 'info',
  };
  // The configured template folder is the bundle's own (LAMBDA_TASK_ROOT is where Lambda unpacks it).
  if (b.env.TEMPLATES_DIR) env.TEMPLATES_DIR = b.env.TEMPLATES_DIR.replace(LAMBDA_TASK_ROOT, b.dir);
  // A working directory with no templates/ or node_modules/: the bundle must carry what it needs.
  // A script file, not `node -e`: flags like --input-type would pass to the parser's worker threads.
  const invoker = path.join(scratch, 'invoke.mjs');
  writeFileSync(invoker, INVOKER);
  const { stdout } = await run(process.execPath, [invoker, path.join(b.dir, 'index.mjs'), eventsFile, outFile], {
    cwd: scratch,
    env,
    timeout: 120_000,
    maxBuffer: 64 << 20,
  });
  lastLogs.set(
    name,
    stdout.split('\n').flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    }),
  );
  return JSON.parse(readFileSync(outFile, 'utf8')) as unknown[];
}

interface EmfBlob {
  namespace: string;
  dimensions: string[][];
  /** Metric name → [unit, value]. */
  metrics: Record<string, [string, unknown]>;
  line: Record<string, unknown>;
}

/** The CloudWatch EMF blobs among a run's stdout lines. */
function emfBlobs(lines: Array<Record<string, unknown>>): EmfBlob[] {
  type Directive = { Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> };
  return lines.flatMap((line) => {
    const aws = line._aws as { CloudWatchMetrics: Directive[] } | undefined;
    if (!aws) return [];
    expect(aws.CloudWatchMetrics).toHaveLength(1);
    const d = aws.CloudWatchMetrics[0]!;
    return [{ namespace: d.Namespace, dimensions: d.Dimensions, metrics: Object.fromEntries(d.Metrics.map((m) => [m.Name, [m.Unit, line[m.Name]]])), line }];
  });
}

async function snapshot(ingest: unknown[]): Promise<Snapshot> {
  const sources: Record<string, unknown> = {};
  let articles = 0;
  for (const k of await p.keys(PREFIX.sources)) {
    const { ingestedAt: _, ...record } = (await p.json<{ ingestedAt: string; articles: unknown[] }>(k))!;
    sources[k] = record;
    articles += record.articles.length;
  }
  const rejected: Record<string, unknown> = {};
  for (const k of await p.keys(PREFIX.rejected)) {
    const { rejectedAt: _, ...report } = (await p.json<Record<string, unknown>>(k))!;
    rejected[k] = report;
  }
  const digest: Record<string, string | null> = {};
  for (const f of ['digest.html', 'digest.txt', 'digest.json']) digest[f] = await p.text(`${PREFIX.digests}latest/${f}`);
  return { ingest, sources, articles, rejected, digest };
}

async function clearOutputs(): Promise<void> {
  for (const prefix of [PREFIX.sources, PREFIX.rejected, PREFIX.digests]) {
    for (const k of await p.keys(prefix)) await p.store.delete(k);
  }
}

beforeAll(async () => {
  outdir = mkdtempSync(path.join(tmpdir(), 'newsdigest-bundles-'));
  scratch = mkdtempSync(path.join(tmpdir(), 'newsdigest-invoke-'));
  const { app, stack } = buildApp({ appProps: { outdir }, nag: false });
  bundles = functionBundles(app.synth(), stack);
  provideRuntimeSdk(outdir);

  // The source handlers get the same configuration the stack gives the functions.
  const shared = bundles.get('digest')!.env;
  p = await startTestPipeline({
    manualEvents: true,
    env: { EDITION_WINDOW_HOURS: shared.EDITION_WINDOW_HOURS, DIGEST_TITLE: shared.DIGEST_TITLE, EDITION_TIME_ZONE: shared.EDITION_TIME_ZONE },
  });
  const keys = seedFiles().map((s) => `${PREFIX.inbox}${s.name}`);
  for (const [i, s] of seedFiles().entries()) await p.upload(keys[i]!, s.body);

  // 1. The bundles, as Lambda would run them: one S3 event per upload, then one SQS batch for the source records.
  const bundledIngest = await invokeBundle('ingest', keys.map((k) => s3Event(p.bucket, k)));
  seedRunLines.set('ingest', lastLogs.get('ingest')!);
  await invokeBundle('digest', [sqsEventFor(p.bucket, await p.keys(PREFIX.sources))]);
  seedRunLines.set('digest', lastLogs.get('digest')!);
  fromBundles = await snapshot(bundledIngest);

  // 2. The TypeScript handlers, on the same uploads.
  await clearOutputs();
  const sourceIngest: unknown[] = [];
  for (const k of keys) sourceIngest.push(await p.ingest(s3Event(p.bucket, k)));
  await p.digest(sqsEventFor(p.bucket, await p.keys(PREFIX.sources)));
  fromSources = await snapshot(sourceIngest);
}, 300_000);

afterAll(async () => {
  await p?.cleanup();
  for (const d of [outdir, scratch]) if (d) rmSync(d, { recursive: true, force: true });
});

describe('the synthesized Lambda bundles', () => {
  it('are one ESM index.mjs (with its source map) per function', () => {
    expect(bundles.has('ingest') && bundles.has('digest')).toBe(true);
    for (const [name, b] of bundles) {
      const code = readFileSync(path.join(b.dir, 'index.mjs'), 'utf8');
      expect(code.startsWith('import{createRequire as __ndCreateRequire}'), name).toBe(true);
      expect(code).toMatch(/\bexport\s*\{[^}]*\bhandler\b/);
      expect(existsSync(path.join(b.dir, 'index.mjs.map')), name).toBe(true);
    }
  });

  it('carry the templates next to index.mjs where they render, byte for byte', () => {
    const list = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => (statSync(path.join(dir, f)).isDirectory() ? list(path.join(dir, f)).map((x) => `${f}/${x}`) : [f])).sort();
    const repo = path.join(REPO_ROOT, 'templates');
    const bundled = path.join(bundles.get('digest')!.dir, 'templates');
    expect(list(bundled)).toEqual(list(repo));
    for (const f of list(repo)) expect(readFileSync(path.join(bundled, f), 'utf8'), f).toBe(readFileSync(path.join(repo, f), 'utf8'));
    expect(existsSync(path.join(bundles.get('ingest')!.dir, 'templates'))).toBe(false);
  });

  it("run where no node_modules but the runtime's AWS SDK can be reached", () => {
    for (const b of bundles.values()) {
      for (let d = b.dir; d !== path.dirname(d); d = path.dirname(d)) {
        const nm = path.join(d, 'node_modules');
        if (d === outdir) expect(readdirSync(nm)).toEqual(['@aws-sdk']);
        else expect(existsSync(nm), d).toBe(false);
      }
    }
    expect(existsSync(path.join(scratch, 'templates'))).toBe(false);
  });

  it('import nothing but Node builtins and the AWS SDK the Lambda runtime provides', () => {
    for (const [name, b] of bundles) {
      const code = readFileSync(path.join(b.dir, 'index.mjs'), 'utf8');
      expect(bareImports(code), name).toEqual([]);
      // The SDK is loaded by name through the require() stubs (infra/bundle-stubs), not bundled.
      // deliver and subscriptions also send mail and read the link key.
      const sends = name === 'deliver' || name === 'subscriptions';
      expect(sdkClientsLoadedBy(path.join(b.dir, 'index.mjs')), name).toEqual(sends ? ['@aws-sdk/client-s3', '@aws-sdk/client-secrets-manager', '@aws-sdk/client-sesv2'] : ['@aws-sdk/client-s3']);
    }
    expect(bareImports('import{a}from"zod";import"@aws-sdk/x";require("fs");import("node:path")')).toEqual(['@aws-sdk/x', 'zod']);
  });

  it('every bundle, deliver included, loads in a fresh node process', async () => {
    for (const name of bundles.keys()) expect(await invokeBundle(name, []), name).toEqual([]);
  });

  it('ingest and digest warm up during init, once (not again in the parser thread, which runs the same bundle)', async () => {
    for (const name of bundles.keys()) {
      await invokeBundle(name, []);
      const inits = lastLogs.get(name)!.filter((l) => l.message === 'init');
      if (name === 'ingest' || name === 'digest') expect(inits.map((l) => l.warmed), name).toEqual([true]);
      else expect(inits, name).toEqual([]);
    }
  });

  it('ingest: the bundle stores the same article records and rejections as the source handler', () => {
    expect(fromBundles.ingest).toHaveLength(seedFiles().length);
    expect(fromBundles.ingest).toEqual(fromSources.ingest);
    expect(fromBundles.articles).toBeGreaterThan(0);
    expect(fromBundles.sources).toEqual(fromSources.sources);
    expect(fromBundles.rejected).toEqual(fromSources.rejected);
  });

  it('digest: the bundle publishes the same edition, rendered from its bundled templates', () => {
    const { digest } = fromBundles;
    expect(digest['digest.html']).toBeTruthy();
    expect(digest['digest.txt']).toBeTruthy();
    const edition = JSON.parse(digest['digest.json']!) as { title: string; counts: { articles: number } };
    expect(edition.title).toBe(bundles.get('digest')!.env.DIGEST_TITLE);
    expect(edition.counts.articles).toBe(fromBundles.articles);
    expect(digest).toEqual(fromSources.digest);
  });

  it('ingest logs one line per file with its outcome, the request id of its invocation, and the cold start of the first', () => {
    const lines = seedRunLines.get('ingest')!;
    const files = lines.filter((l) => l.message === 'ingest');
    const keys = seedFiles().map((f) => `${PREFIX.inbox}${f.name}`);
    expect(files.map((l) => l.key)).toEqual(keys);
    expect(files.map((l) => l.function_request_id)).toEqual(keys.map((_, i) => `request-${i}`));
    expect(files.map((l) => l.cold_start)).toEqual(keys.map((_, i) => i === 0));
    for (const l of files) {
      expect(l).toMatchObject({ level: 'INFO', service: 'newsdigest', function_name: 'bundle-test', outcome: 'ingested', errors: 0 });
      expect(l.articles).toBeGreaterThan(0);
    }
    // The init line comes before any invocation: no request id.
    const [init] = lines.filter((l) => l.message === 'init');
    expect(init).toMatchObject({ level: 'INFO', service: 'newsdigest', warmed: true });
    expect(init).not.toHaveProperty('function_request_id');
  });

  it('ingest and digest publish EMF metrics in the newsdigest namespace, once per invocation', () => {
    const ingest = emfBlobs(seedRunLines.get('ingest')!);
    expect(ingest).toHaveLength(seedFiles().length);
    for (const b of ingest) {
      expect(b).toMatchObject({ namespace: 'newsdigest', dimensions: [['service']], line: { service: 'newsdigest' } });
      expect(b.metrics.FilesIngested).toEqual(['Count', 1]);
      expect(b.metrics).not.toHaveProperty('FilesRejected');
    }
    const articles = ingest.reduce((sum, b) => sum + (b.metrics.ArticlesIngested![1] as number), 0);
    expect(articles).toBe(fromBundles.articles);

    const digest = emfBlobs(seedRunLines.get('digest')!);
    expect(digest).toHaveLength(1);
    const edition = JSON.parse(fromBundles.digest['digest.json']!) as { counts: { articles: number; stories: number; copiesCollapsed: number } };
    const { metrics } = digest[0]!;
    expect(digest[0]!.dimensions).toEqual([['service']]);
    expect(metrics.EditionArticles).toEqual(['Count', edition.counts.articles]);
    expect(metrics.Stories).toEqual(['Count', edition.counts.stories]);
    expect(metrics.CopiesCollapsed).toEqual(['Count', edition.counts.copiesCollapsed]);
    expect(metrics.DigestBuildMs![0]).toBe('Milliseconds');
    expect(metrics.DigestPublishMs![1]).toBeGreaterThanOrEqual(metrics.DigestBuildMs![1] as number);
    // The digest's own line carries the same counts.
    expect(seedRunLines.get('digest')!.find((l) => l.message === 'digest')).toMatchObject({ status: 'published', counts: edition.counts });
  });

  it('ingest logs a rejected file with its reason class, and counts it in total and by reason', async () => {
    const key = `${PREFIX.inbox}broken export.json`;
    await p.upload(key, '{"title": "Half an export", "text": ');
    await invokeBundle('ingest', [s3Event(p.bucket, key)]);
    const lines = lastLogs.get('ingest')!;
    const line = lines.find((l) => l.message === 'ingest');
    expect(line).toMatchObject({ level: 'INFO', key, outcome: 'rejected', reason: 'malformed', function_request_id: 'request-0' });
    expect(String(line!.error)).toMatch(/^invalid JSON/);
    const blobs = emfBlobs(lines);
    expect(blobs.map((b) => b.dimensions)).toEqual([[['service']], [['service', 'reason']]]);
    expect(blobs[0]!.metrics).toEqual({ FilesRejected: ['Count', 1] });
    expect(blobs[1]!.metrics).toEqual({ FilesRejected: ['Count', 1] });
    expect(blobs[1]!.line.reason).toBe('malformed');
  });

  it('decode URL-encoded event keys as AWS sends them', () => {
    expect(encodeEventKey('inbox/a b.txt')).toBe('inbox/a+b.txt');
    const keys = (fromBundles.ingest as Array<{ results: Array<{ key: string }> }>).flatMap((r) => r.results.map((x) => x.key));
    expect(keys.sort()).toEqual(seedFiles().map((s) => `${PREFIX.inbox}${s.name}`).sort());
  });
});
