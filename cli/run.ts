// `newsdigest run`: upload files into the embedded S3 and let the deployed wiring build the digest.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { changeLine, oneLine } from '../functions/core/text-format.ts';
import { mapLimit } from '../functions/pipeline/digest.ts';
import { PREFIX } from '../functions/triggers.ts';
import { exportDigests, startLocalPipeline, summarize, uploadFile, type PipelineSummary } from '../local/pipeline.ts';
import { DEV_DEFAULTS } from './dev.ts';
import { collectFiles } from './files.ts';

export interface RunOptions {
  paths: string[];
  out: string;
  data: string;
  keepData: boolean;
  quiet: boolean;
  /** The instant the handlers take as now (their clock stands there); default: the system clock. */
  at?: Date;
}

/** Object key for a local file: `inbox/` plus its path below the input it was found under. */
export function inboxKey(file: string, input: string): string {
  const base = path.resolve(input) === path.resolve(file) ? path.basename(file) : path.relative(input, file);
  return `${PREFIX.inbox}${base.split(path.sep).join('/')}`;
}

export async function runPipeline(options: RunOptions): Promise<PipelineSummary> {
  const inputs = options.paths.flatMap((input) => collectFiles([input]).map((file) => ({ file, key: inboxKey(file, input) })));
  const log = (s: string) => {
    if (!options.quiet) process.stderr.write(`${s}\n`);
  };
  const started = Date.now();
  const showBar = !options.quiet && inputs.length > 5 && process.stderr.isTTY;
  const bar = showBar
    ? new cliProgress.SingleBar(
        { format: 'ingest [{bar}] {value}/{total} files | {rate} files/s | {rejected} rejected', hideCursor: true },
        cliProgress.Presets.shades_classic,
      )
    : null;
  const ingested = new Set<string>();
  let rejected = 0;
  const pipeline = await startLocalPipeline({
    directory: options.data,
    reset: !options.keepData,
    warm: true,
    env: {
      // The archived message.eml's one-click link: the unsubscribe page `newsdigest dev` serves.
      UNSUBSCRIBE_URL: `http://${DEV_DEFAULTS.host}:${DEV_DEFAULTS.subscriptionsPort}/unsubscribe`,
      ...(options.at ? { CLOCK_AT: options.at.toISOString() } : {}),
    },
    onIngest: (r) => {
      if (ingested.has(r.key)) return; // a redelivered event
      ingested.add(r.key);
      if (r.status === 'rejected') rejected++;
      const rate = (ingested.size / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(1);
      bar?.update(ingested.size, { rate, rejected });
      // Without a terminal (CI, a log file) a line every tenth of the way instead of a bar.
      const step = Math.max(1, Math.ceil(inputs.length / 10));
      if (!bar && inputs.length > 5 && (ingested.size % step === 0 || ingested.size === inputs.length)) {
        log(`ingested ${ingested.size}/${inputs.length} files (${rate} files/s, ${rejected} rejected)`);
      }
    },
  });
  log(`embedded S3 at ${pipeline.s3.endpoint} (bucket ${pipeline.bucket}, data in ${options.data})`);
  try {
    bar?.start(inputs.length, 0, { rate: '0', rejected: 0 });
    await mapLimit(inputs, 8, async ({ file, key }) => uploadFile(pipeline.s3.client, pipeline.bucket, key, readFileSync(file)));
    await pipeline.runner.idle();
    bar?.stop();
    if (pipeline.runner.errors.length) {
      const first = pipeline.runner.errors[0]!;
      throw new Error(`${first.handler} failed: ${first.error instanceof Error ? first.error.message : String(first.error)}`);
    }
    const summary = await summarize(pipeline, inputs.length);
    if (summary.edition) await exportDigests(pipeline, path.resolve(options.out), summary.edition.edition);
    log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return summary;
  } finally {
    await pipeline.close();
  }
}

export function formatRunSummary(summary: PipelineSummary, out: string): string {
  const e = summary.edition;
  const lines = [
    `files:            ${summary.files}`,
    `articles:         ${summary.articles}`,
    `stories:          ${e?.counts.stories ?? 0}`,
    `copies collapsed: ${e?.counts.copiesCollapsed ?? 0}`,
    `outlets:          ${e ? e.stories.flatMap((s) => s.outlets).filter((o, i, a) => a.indexOf(o) === i).join(', ') || '—' : '—'}`,
    `rejected:         ${summary.rejected.length}`,
  ];
  for (const r of summary.rejected) lines.push(`  - ${r.key}: ${r.error}`);
  if (e?.previous) {
    const c = e.counts;
    lines.push(`since ${e.previous}: ${c.new} new, ${c.developing} developing, ${c.unchanged} unchanged`);
    for (const s of e.stories.filter((st) => st.status !== 'unchanged')) {
      lines.push(`  ${s.status}: ${oneLine(s.headline, 60)}${s.status === 'developing' ? ` (${changeLine(s)})` : ''}`);
    }
  }
  if (e) {
    lines.push(`edition:          ${e.edition}`);
    lines.push(`digest:           ${path.join(out, 'digest.html')} (email HTML; also digest.txt, digest.json, message.eml)`);
    lines.push(`web edition:      ${path.join(out, e.edition, 'index.html')} (archive of all editions: ${path.join(out, 'index.html')})`);
  } else {
    lines.push('digest:           none (no article in the edition window)');
  }
  return lines.join('\n');
}
