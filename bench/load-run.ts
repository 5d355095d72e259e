// A load run of the local pipeline, wired as deployed: N article files in a mix of formats (with injected
// syndicated copies and some junk) uploaded concurrently, then a full count check of what the bucket holds.
// Shared by `npm run bench:load` (10,000 files) and test/load.test.ts (500 files).
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Edition } from '../functions/core/edition.ts';
import { RejectionSchema, SourceRecordSchema } from '../functions/core/schema.ts';
import { mapLimit } from '../functions/pipeline/digest.ts';
import { LOCAL_CREDENTIALS } from '../local/embedded-s3.ts';
import { readText, startLocalPipeline } from '../local/pipeline.ts';
import { loadUploader, now, uploadFromThread } from './upload-thread.ts';
import { generateCorpus, mulberry32, type CorpusArticle } from './corpus.ts';
import { calibrate, type Calibration } from './calibrate.ts';

export interface LoadFile {
  key: string;
  body: Buffer;
  /** Articles the file holds (0 for junk that must be rejected). */
  articles: number;
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Turn generated articles into upload files: plain text, JSON, JSON Lines, HTML, RSS and some junk. */
export function buildLoadFiles(articles: CorpusArticle[], seed: number): LoadFile[] {
  const rnd = mulberry32(seed ^ 0x5eed);
  const files: LoadFile[] = [];
  let i = 0;
  const date = (a: CorpusArticle) => a.publishedAt ?? a.receivedAt;
  while (i < articles.length) {
    const roll = rnd();
    const n = files.length;
    if (roll < 0.02) {
      const junk = Buffer.alloc(512 + Math.floor(rnd() * 4096));
      for (let b = 0; b < junk.length; b++) junk[b] = Math.floor(rnd() * 256);
      files.push({ key: `inbox/load/${n}.bin`, body: junk, articles: 0 });
      continue;
    }
    const a = articles[i++]!;
    const paragraphs = a.text.split('\n\n');
    if (roll < 0.6) {
      const body = `${a.title}\n${date(a).slice(0, 10)}\n\n${a.text}\n\nCopyright 2025 ${a.publisher}. All rights reserved.\n`;
      files.push({ key: `inbox/load/${n}.txt`, body: Buffer.from(body), articles: 1 });
    } else if (roll < 0.72) {
      const doc = { headline: a.title, articleBody: a.text, publisher: a.publisher, datePublished: date(a), url: `https://${a.publisher}.example/${a.id}` };
      files.push({ key: `inbox/load/${n}.json`, body: Buffer.from(JSON.stringify(doc)), articles: 1 });
    } else if (roll < 0.8 && i < articles.length) {
      const b = articles[i++]!;
      const lines = [a, b].map((x) => JSON.stringify({ title: x.title, text: x.text, source: x.publisher, publishedAt: date(x) }));
      files.push({ key: `inbox/load/${n}.jsonl`, body: Buffer.from(`${lines.join('\n')}\n`), articles: 2 });
    } else if (roll < 0.93) {
      const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeXml(a.title)} | ${a.publisher}</title>
<meta property="og:site_name" content="${a.publisher}"><meta property="article:published_time" content="${date(a)}"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav><article><h1>${escapeXml(a.title)}</h1>
${paragraphs.map((p) => `<p>${escapeXml(p)}</p>`).join('\n')}</article><footer>© 2025 ${a.publisher}</footer></body></html>`;
      files.push({ key: `inbox/load/${n}.html`, body: Buffer.from(html), articles: 1 });
    } else {
      const items = [a, ...(i < articles.length ? [articles[i++]!] : [])];
      const rss = `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Feed ${a.publisher}</title><link>https://${a.publisher}.example/</link><description>news</description>
${items.map((x) => `<item><title>${escapeXml(x.title)}</title><link>https://${x.publisher}.example/${x.id}</link><pubDate>${new Date(date(x)).toUTCString()}</pubDate><description>${escapeXml(x.text.split('\n\n').map((p) => `<p>${p}</p>`).join(''))}</description></item>`).join('\n')}
</channel></rss>`;
      files.push({ key: `inbox/load/${n}.xml`, body: Buffer.from(rss), articles: items.length });
    }
  }
  return files;
}

/**
 * Ingest invocations in flight by default: as many as uploads in flight. With 16, files waited for an instance
 * while the embedded S3 had time to spare (154-161 against 139 files/s back to back).
 */
export const DEFAULT_INGEST_CONCURRENCY = 64;

export interface LoadReport {
  files: number;
  uploaded: number;
  wallSeconds: number;
  ingestPerSecond: number;
  latencyP50Ms: number;
  latencyP95Ms: number;
  peakRssMb: number;
  /** CPU time of the whole process (every thread) from the first upload to idle, per file. */
  cpuMsPerFile: number;
  records: number;
  expectedArticles: number;
  rejected: number;
  lost: string[];
  duplicated: string[];
  storiesInDigest: number;
  articlesInDigest: number;
  digestRuns: number;
  digestBatches: number[];
  /** Requests the embedded S3 answered from the first upload to idle, per file, by kind (`PUT inbox`, …). */
  requestsPerFile: Record<string, number>;
  /** Where the embedded S3 kept the bucket, and how much its files held at the end (not in the RSS when on tmpfs). */
  bucket: { directory: string; mb: number };
  /** The machine's speed on a fixed workload (see calibrate.ts), before the pipeline starts and after the check. */
  calibration: { before: Calibration; after: Calibration } | null;
}

/** Bytes in the files under `dir`. */
function folderBytes(dir: string): number {
  let bytes = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) bytes += statSync(path.join(e.parentPath, e.name)).size;
  }
  return bytes;
}

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(0)} MB`;

/**
 * Where the memory goes, phase by phase: the process's peak RSS (every thread) reached by the end of each phase,
 * and this thread's own peak heap and off-heap buffers sampled during it (the rest is the worker threads and V8).
 */
class MemoryPeaks {
  private heap = 0;
  private external = 0;
  private readonly lines: string[] = [];
  sample(): void {
    const m = process.memoryUsage();
    this.heap = Math.max(this.heap, m.heapUsed);
    this.external = Math.max(this.external, m.external);
  }
  mark(phase: string): void {
    this.sample();
    const peak = process.resourceUsage().maxRSS * 1024;
    this.lines.push(`  memory after ${phase.padEnd(17)} peak RSS ${mb(peak).padStart(7)}, main thread heap ${mb(this.heap).padStart(6)}, buffers ${mb(this.external).padStart(6)}`);
    this.heap = 0;
    this.external = 0;
  }
  report(): string[] {
    return this.lines;
  }
}

/** CPU seconds of each thread of this process (Linux: /proc/self/task), by thread id; empty elsewhere. */
function threadCpu(): Map<number, number> {
  const cpu = new Map<number, number>();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpu.set(Number(tid), (Number(f[11]) + Number(f[12])) / 100); // utime + stime, in clock ticks (USER_HZ = 100)
    }
  } catch {
    // not Linux
  }
  return cpu;
}

/**
 * Where the CPU went between two snapshots: the main thread (the embedded S3, the runner, the digest, the
 * uploads), the pipeline's worker threads (ingest instances and their parsers, in creation order) and
 * Node's own helpers (V8's GC and compiler threads, libuv's pool for file I/O), in ms per file.
 */
function cpuByThread(before: Map<number, number>, after: Map<number, number>, files: number, workers: number): string[] {
  if (after.size === 0) return [];
  const delta = [...after].map(([tid, s]) => [tid, s - (before.get(tid) ?? 0)] as const).filter(([, s]) => s > 0.05);
  const main = process.pid;
  const perFile = (s: number) => `${((s * 1000) / files).toFixed(1)}`;
  const others = delta.filter(([t]) => t !== main).sort((a, b) => b[1] - a[1]);
  // The busiest threads are the ingest instances and their parsers (one parser per ingest thread); the rest are
  // V8's GC and compiler threads, libuv's file I/O pool and the module loader threads.
  const busy = Math.min(others.length, 2 * Math.max(1, workers));
  const rest = others.slice(busy).reduce((n, [, s]) => n + s, 0);
  return [
    `  CPU by thread (upload to idle, ms per file): main ${perFile(delta.find(([t]) => t === main)?.[1] ?? 0)}; ` +
      `busiest ${busy} others ${others.slice(0, busy).map(([, s]) => perFile(s)).join(' + ')}; the other ${others.length - busy} threads ${perFile(rest)}`,
  ];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function runLoad(options: {
  files: number;
  concurrency: number;
  sourceDir: string;
  seed?: number;
  /** Ingest worker threads in the local runner (default 1; 0 runs ingest on the embedded S3's thread). */
  ingestThreads?: number;
  /** Ingest invocations in flight, as concurrent Lambda instances would run them (default DEFAULT_INGEST_CONCURRENCY). */
  ingestConcurrency?: number;
  /** The digest on its own worker thread, as its own Lambda function would run (default: on the embedded S3's thread). */
  digestThread?: boolean;
  /** Upload from a worker thread of its own, as a client on another machine would (default: this thread). */
  uploadThread?: boolean;
  /** Upload with the AWS SDK's PutObject (default: signed HTTP PUTs, see signed-put.ts). */
  sdkUploads?: boolean;
  /** Print each thread's CPU use every 5 s (where a run waits, and on what). */
  trace?: boolean;
  /** Where the embedded S3 stores the bucket (a fresh folder under it; default: the OS temp folder). */
  dataDir?: string;
  log?: (s: string) => void;
  /** Time the fixed workloads of calibrate.ts before and after the run (about 1.5 s each). */
  calibrate?: boolean;
}): Promise<LoadReport> {
  const seed = options.seed ?? 7;
  const log = options.log ?? (() => undefined);
  // About 1.15 articles per file on average (JSON Lines and feeds hold two). The generated articles (text and
  // fingerprint each) are dropped as soon as the files are built: only the file bodies stay, each until its upload.
  const built = ((): LoadFile[] => {
    const articles = generateCorpus({ n: Math.ceil(options.files * 1.15), seed, sourceDir: options.sourceDir, copyRate: 0.1 });
    return buildLoadFiles(articles, seed).slice(0, options.files);
  })();
  const files = built.map((f) => ({ key: f.key, articles: f.articles }));
  let bodies: Array<Buffer | null> = built.map((f) => f.body);
  built.length = 0;
  const memory = new MemoryPeaks();
  memory.mark('files built');
  const calibrationBefore = options.calibrate ? await calibrate() : null;
  const directory = mkdtempSync(path.join(options.dataDir ?? tmpdir(), 'newsdigest-load-'));
  const putAt = new Map<string, number>();
  const latencies: number[] = [];
  /** Files the ingest function has finished with (any outcome). */
  const settled = new Set<string>();
  let digestRuns = 0;
  /** Messages in each batch the digest was handed. */
  const digestBatches: number[] = [];
  /** When the last file was ingested and the last digest published (performance.now()). */
  let lastIngestAt = 0;
  let lastDigestAt = 0;
  const startingAt = performance.now();
  const p = await startLocalPipeline({
    directory,
    // Measured from the first upload on, with the handlers loaded and the parser started (timed apart below).
    warm: true,
    concurrency: options.ingestConcurrency ?? DEFAULT_INGEST_CONCURRENCY,
    ingestThreads: options.ingestThreads ?? 1,
    digestThread: options.digestThread ?? false,
    keepEvents: false,
    onBatch: (_, n) => digestBatches.push(n),
    batchWindowMs: 1000,
    onError: (handler, e) => log(`  ${handler} failed: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} ${JSON.stringify((e as { $metadata?: unknown }).$metadata ?? {})}`),
    onIngest: (r) => {
      settled.add(r.key);
      lastIngestAt = performance.now();
      const t = putAt.get(r.key);
      if (t !== undefined && (r.status === 'ingested' || r.status === 'rejected')) {
        latencies.push(now() - t);
      }
    },
  });
  p.s3.onEvent((e) => {
    if (e.Records.some((r) => r.s3.object.key.startsWith('digests/latest/digest.json'))) {
      digestRuns++;
      lastDigestAt = performance.now();
    }
  });
  const sampler = setInterval(() => memory.sample(), 250);
  sampler.unref();
  try {
    memory.mark('pipeline started');
    log(`pipeline ready in ${((performance.now() - startingAt) / 1000).toFixed(1)} s (embedded S3 up, handlers loaded, parser started)`);
    log(`uploading ${files.length} files (${options.concurrency} in flight) to ${p.s3.endpoint}`);
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    const threadsStart = threadCpu();
    const requestsStart = p.s3.requests();
    let prevCpu = threadsStart;
    const tracer = options.trace ? setInterval(() => {
      const now = threadCpu();
      const d = [...now].map(([t, s]) => [t, s - (prevCpu.get(t) ?? 0)] as const).filter(([, s]) => s > 0.05).sort((a, b) => b[1] - a[1]);
      prevCpu = now;
      log(`  t=${((performance.now() - started) / 1000).toFixed(0)} s, ${settled.size} files ingested, RSS ${(process.memoryUsage.rss() / 1048576).toFixed(0)} MB; CPU per thread (cores): ${d.map(([t, s]) => `${t === process.pid ? 'main' : t} ${(s / 5).toFixed(2)}`).join(', ')}`);
    }, 5000) : null;
    let done = 0;
    if (options.uploadThread) {
      const job = { endpoint: p.s3.endpoint, bucket: p.bucket, credentials: LOCAL_CREDENTIALS, concurrency: options.concurrency, sdk: options.sdkUploads ?? false, keys: files.map((f) => f.key), bodies: bodies as Buffer[] };
      bodies = [];
      await uploadFromThread(job, (e) => {
        if (e.kind === 'start') putAt.set(files[e.index]!.key, e.at);
        else if (e.kind === 'uploaded' && (done = e.done) % 1000 === 0) log(`  uploaded ${done}`);
      });
    } else {
      const uploader = loadUploader(p.s3.endpoint, LOCAL_CREDENTIALS, options.sdkUploads ?? false);
      await mapLimit(
        files.map((f, i) => ({ f, i })),
        options.concurrency,
        async ({ f, i }) => {
          putAt.set(f.key, now());
          const body = bodies[i]!;
          bodies[i] = null; // uploaded bodies are the bucket's now
          await uploader.put(p.bucket, f.key, body);
          if (++done % 1000 === 0) log(`  uploaded ${done}`);
        },
      ).finally(() => uploader.close());
    }
    memory.mark('uploaded');
    const uploadedAt = performance.now();
    await p.runner.idle();
    if (tracer) clearInterval(tracer);
    const wallSeconds = (performance.now() - started) / 1000;
    const at = (t: number) => `${((t - started) / 1000).toFixed(1)} s`;
    log(`  timeline: uploads done at ${at(uploadedAt)}, last file ingested at ${at(lastIngestAt)}, last digest published at ${at(lastDigestAt)}, idle at ${wallSeconds.toFixed(1)} s`);
    const cpu = process.cpuUsage(cpuStart);
    for (const line of cpuByThread(threadsStart, threadCpu(), files.length, options.ingestThreads ?? 1)) log(line);
    const requestsEnd = p.s3.requests();
    const requestsPerFile = Object.fromEntries(
      Object.entries(requestsEnd)
        .map(([k, n]) => [k, (n - (requestsStart[k] ?? 0)) / files.length] as const)
        .filter(([, n]) => n > 0)
        .sort((a, b) => b[1] - a[1]),
    );
    memory.mark('pipeline idle');
    if (p.runner.errors.length) throw new Error(`handler failed: ${String(p.runner.errors[0]!.error)}`);
    // The pipeline's work is done: its ingest instances (threads with their parsers) go before the check
    // reads the bucket back, as idle Lambda instances would.
    await p.runner.close();

    // Count check: every file is a source record with one or more articles, or one rejection report; every
    // article is in the digest, once. Source records are checked one at a time as they are read, never all held.
    const lost: string[] = [];
    const duplicated: string[] = [];
    let rejected = 0;
    const edition = JSON.parse((await readText(p.s3.client, p.bucket, 'digests/latest/digest.json')) ?? 'null') as Edition | null;
    const digestIds = edition?.stories.flatMap((s) => s.entries.flatMap((e) => [e.id, ...e.copies.map((c) => c.articleId)])) ?? [];
    const inDigest = new Set<string>();
    for (const id of digestIds) {
      if (inDigest.has(id)) duplicated.push(`digest lists ${id} twice`);
      inDigest.add(id);
    }
    const articleIds = new Set<string>();
    await mapLimit(files, 8, async (f) => {
      const sourceText = await readText(p.s3.client, p.bucket, `sources/${f.key}.json`);
      const source = sourceText ? SourceRecordSchema.parse(JSON.parse(sourceText)) : null;
      const rejectionText = await readText(p.s3.client, p.bucket, `rejected/${f.key}.error.json`);
      if (rejectionText) {
        RejectionSchema.parse(JSON.parse(rejectionText));
        rejected++;
      }
      const produced = source?.articles ?? [];
      if (f.articles === 0 ? !rejectionText : produced.length === 0) lost.push(f.key);
      const indexes = new Set<number>();
      for (const a of produced) {
        if (indexes.has(a.source.index)) duplicated.push(`${f.key}#${a.source.index}`);
        indexes.add(a.source.index);
        articleIds.add(a.id);
        if (!inDigest.has(a.id)) lost.push(`digest is missing ${a.id}`);
      }
    });
    const records = articleIds.size;
    memory.mark('count check');
    const calibrationAfter = calibrationBefore ? await calibrate() : null;
    for (const line of memory.report()) log(line);
    latencies.sort((a, b) => a - b);
    return {
      files: files.length,
      uploaded: done,
      wallSeconds,
      ingestPerSecond: files.length / wallSeconds,
      latencyP50Ms: percentile(latencies, 50),
      latencyP95Ms: percentile(latencies, 95),
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      cpuMsPerFile: (cpu.user + cpu.system) / 1000 / files.length,
      records,
      expectedArticles: files.reduce((n, f) => n + f.articles, 0),
      rejected,
      lost,
      duplicated,
      storiesInDigest: edition?.stories.length ?? 0,
      articlesInDigest: inDigest.size,
      digestRuns,
      digestBatches,
      requestsPerFile,
      bucket: { directory: path.dirname(directory), mb: folderBytes(directory) / 1048576 },
      calibration: calibrationBefore && calibrationAfter ? { before: calibrationBefore, after: calibrationAfter } : null,
    };
  } finally {
    clearInterval(sampler);
    await p.close();
    rmSync(directory, { recursive: true, force: true });
  }
}
