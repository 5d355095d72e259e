// A load run of the local pipeline, wired as deployed: N article files in a mix of formats (with injected
// syndicated copies and some junk) uploaded concurrently, then a full count check of what the bucket holds.
// Shared by `npm run bench:load` (10,000 files) and test/load.test.ts (500 files).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Edition } from '../functions/core/edition.ts';
import { ArticleRecordSchema, RejectionSchema, SourceManifestSchema } from '../functions/core/schema.ts';
import { mapLimit } from '../functions/pipeline/digest.ts';
import { readText, startLocalPipeline, uploadFile } from '../local/pipeline.ts';
import { generateCorpus, mulberry32, type CorpusArticle } from './corpus.ts';

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
  /** Ingest worker threads in the local runner (default 2; 0 runs ingest on the embedded S3's thread). */
  ingestThreads?: number;
  /** Where the embedded S3 stores the bucket (a fresh folder under it; default: the OS temp folder). */
  dataDir?: string;
  log?: (s: string) => void;
}): Promise<LoadReport> {
  const seed = options.seed ?? 7;
  const log = options.log ?? (() => undefined);
  // About 1.15 articles per file on average (JSON Lines and feeds hold two).
  const articles = generateCorpus({ n: Math.ceil(options.files * 1.15), seed, sourceDir: options.sourceDir, copyRate: 0.1 });
  const files = buildLoadFiles(articles, seed).slice(0, options.files);
  const directory = mkdtempSync(path.join(options.dataDir ?? tmpdir(), 'newsdigest-load-'));
  const putAt = new Map<string, number>();
  const latencies: number[] = [];
  let digestRuns = 0;
  const p = await startLocalPipeline({
    directory,
    concurrency: 8,
    ingestThreads: options.ingestThreads ?? 2,
    batchWindowMs: 1000,
    onError: (handler, e) => log(`  ${handler} failed: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)} ${JSON.stringify((e as { $metadata?: unknown }).$metadata ?? {})}`),
    onIngest: (r) => {
      const t = putAt.get(r.key);
      if (t !== undefined && (r.status === 'ingested' || r.status === 'rejected')) latencies.push(performance.now() - t);
    },
  });
  p.s3.onEvent((e) => {
    if (e.Records.some((r) => r.s3.object.key.startsWith('digests/latest/digest.json'))) digestRuns++;
  });
  try {
    log(`uploading ${files.length} files (${options.concurrency} in flight) to ${p.s3.endpoint}`);
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    let done = 0;
    await mapLimit(files, options.concurrency, async (f) => {
      putAt.set(f.key, performance.now());
      await uploadFile(p.s3.client, p.bucket, f.key, f.body);
      if (++done % 1000 === 0) log(`  uploaded ${done}`);
    });
    await p.runner.idle();
    const wallSeconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    if (p.runner.errors.length) throw new Error(`handler failed: ${String(p.runner.errors[0]!.error)}`);

    // Count check: every file is one or more article records, or one rejection report.
    const lost: string[] = [];
    const duplicated: string[] = [];
    let rejected = 0;
    const recordsByKey = new Map<string, Set<number>>();
    const recordKeys: string[] = [];
    for await (const o of p.store.list('articles/')) recordKeys.push(o.key);
    const records = await mapLimit(recordKeys, 32, async (k) => ArticleRecordSchema.parse(JSON.parse((await readText(p.s3.client, p.bucket, k))!)));
    for (const r of records) {
      const seen = recordsByKey.get(r.source.key) ?? new Set<number>();
      if (seen.has(r.source.index)) duplicated.push(`${r.source.key}#${r.source.index}`);
      seen.add(r.source.index);
      recordsByKey.set(r.source.key, seen);
    }
    await mapLimit(files, 32, async (f) => {
      const manifestText = await readText(p.s3.client, p.bucket, `sources/${f.key}.json`);
      const manifest = manifestText ? SourceManifestSchema.parse(JSON.parse(manifestText)) : null;
      const rejectionText = await readText(p.s3.client, p.bucket, `rejected/${f.key}.error.json`);
      if (rejectionText) {
        RejectionSchema.parse(JSON.parse(rejectionText));
        rejected++;
      }
      const produced = manifest?.articles.length ?? 0;
      if (f.articles === 0 ? !rejectionText : produced === 0) lost.push(f.key);
    });
    const edition = JSON.parse((await readText(p.s3.client, p.bucket, 'digests/latest/digest.json')) ?? 'null') as Edition | null;
    const inDigest = new Set(edition?.stories.flatMap((s) => s.entries.flatMap((e) => [e.id, ...e.copies.map((c) => c.articleId)])) ?? []);
    for (const r of records) if (!inDigest.has(r.id)) lost.push(`digest is missing ${r.id}`);
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
      records: records.length,
      expectedArticles: files.reduce((n, f) => n + f.articles, 0),
      rejected,
      lost,
      duplicated,
      storiesInDigest: edition?.stories.length ?? 0,
      articlesInDigest: inDigest.size,
      digestRuns,
    };
  } finally {
    await p.close();
    rmSync(directory, { recursive: true, force: true });
  }
}
