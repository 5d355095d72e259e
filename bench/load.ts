// `npm run bench:load`: 10,000 files through the local pipeline wired as deployed; prints throughput,
// latency, memory, the count check and the machine's speed on fixed workloads before and after the run
// (bench/calibrate.ts: on a VM whose speed drifts, the figures are read against it).
//
// Options:
//   --files N               files to upload (default 10,000)
//   --concurrency N         uploads in flight (default 64)
//   --source DIR            sentences to build articles from (default the ECB+ development set, else seeds/)
//   --seed N                corpus seed (default 7)
//   --data DIR              where the embedded S3 keeps the bucket (default /dev/shm where it exists: the
//                           benchmark measures the pipeline, not this disk's journal)
//   --threads N             ingest worker threads (default 1; 0 = on the embedded S3's thread). One, with its
//                           parser thread, measured 14.4 ms of CPU per file against 17.3 with two: on two cores
//                           every extra isolate adds its own GC, compiler and message-passing work
//   --ingest-concurrency N  ingest invocations in flight (default DEFAULT_INGEST_CONCURRENCY)
//   --digest-thread         the digest on a worker thread of its own instead of the embedded S3's (159 and 197
//                           files/s against 184 and 164 for the default, within this VM's noise, for 805-952 MB
//                           of peak RSS against 652-712; with the young generation below, 207 and 169 against
//                           177 and 184 at 948-1,003 MB)
//   --upload-thread         uploads from a worker thread, as clients on other machines would
//   --sdk-uploads           upload with the SDK's PutObject instead of signed HTTP PUTs (see signed-put.ts)
//   --trace                 each thread's CPU and the RSS every 5 s
//
// The npm script starts node with --single-threaded-gc. Three isolates (the embedded S3 with the runner and
// the digest, ingest, the parser) already keep both cores busy; V8's parallel GC helper threads only add
// coordination work on top (alternating runs: 162 and 164 files/s with the flag, 153 and 159 without; the
// helper threads' CPU fell from ~2.0 to ~1.2 ms per file). And with --max-semi-space-size=32: every request
// allocates short-lived objects (HTTP, SDK, JSON), and a young generation twice V8's default size lets more of
// them die before a scavenge copies them (alternating runs on the same code: 201, 174, 176, 190 and 150 files/s
// against 151, 162, 135, 142 and 144; 64 MB gave 153 and 174 at up to 965 MB of RSS).
import { accessSync, constants, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_INGEST_CONCURRENCY, runLoad } from './load-run.ts';

const root = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '64' },
    source: { type: 'string', default: path.join(root, '..', 'shared', 'eval', 'ecb-dev', 'files') },
    seed: { type: 'string', default: '7' },
    threads: { type: 'string', default: '1' },
    'ingest-concurrency': { type: 'string', default: String(DEFAULT_INGEST_CONCURRENCY) },
    'digest-thread': { type: 'boolean', default: false },
    'upload-thread': { type: 'boolean', default: false },
    'sdk-uploads': { type: 'boolean', default: false },
    trace: { type: 'boolean', default: false },
    data: { type: 'string' },
  },
});
/**
 * Where the embedded S3 keeps the benchmark's bucket: a RAM-backed folder when the machine has one. s3rver writes
 * three small files per object on the thread that answers every request, and a disk's journal would be measured
 * with them. The bucket is deleted at the end.
 */
function defaultDataDir(): string | undefined {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return undefined;
  }
}
const dataDir = values.data ?? defaultDataDir();
// Real sentences to recombine: the ECB+ development set when present, else the seeds.
const sourceDir = existsSync(values.source) ? values.source : path.join(root, 'seeds');
const report = await runLoad({
  files: Number(values.files),
  concurrency: Number(values.concurrency),
  sourceDir,
  seed: Number(values.seed),
  ingestThreads: Number(values.threads),
  ingestConcurrency: Number(values['ingest-concurrency']),
  digestThread: values['digest-thread'],
  uploadThread: values['upload-thread'],
  sdkUploads: values['sdk-uploads'],
  trace: values.trace,
  ...(dataDir ? { dataDir } : {}),
  log: (s) => console.error(s),
  calibrate: true,
});
const cal = report.calibration;
const ok = report.lost.length === 0 && report.duplicated.length === 0;
console.log(`files                 ${report.files} (sentences from ${path.relative(root, sourceDir)})
store                 the embedded S3 over HTTP (s3rver behind local/s3-shim.ts), SigV4-signed requests
wall time             ${report.wallSeconds.toFixed(1)} s
end to end            ${report.ingestPerSecond.toFixed(0)} files/s
latency put→record    p50 ${report.latencyP50Ms.toFixed(0)} ms, p95 ${report.latencyP95Ms.toFixed(0)} ms
peak RSS              ${report.peakRssMb.toFixed(0)} MB
bucket                ${report.bucket.mb.toFixed(0)} MB of files in ${report.bucket.directory}
CPU (all threads)     ${report.cpuMsPerFile.toFixed(1)} ms per file (load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores)
S3 requests           ${Object.values(report.requestsPerFile).reduce((a, b) => a + b, 0).toFixed(2)} per file: ${Object.entries(report.requestsPerFile).map(([k, n]) => `${k} ${n.toFixed(2)}`).join(', ')}
article records       ${report.records} (files hold ${report.expectedArticles}; exact copies share one record)
rejected              ${report.rejected}
digest                ${report.storiesInDigest} stories, ${report.articlesInDigest} articles, ${report.digestRuns} published from ${report.digestBatches.length} batches (${report.digestBatches.join(', ')} messages)
lost                  ${report.lost.length}${report.lost.length ? ` e.g. ${report.lost.slice(0, 3).join(', ')}` : ''}
duplicated            ${report.duplicated.length}
count check           ${ok ? 'PASS' : 'FAIL'}
machine speed         ${cal ? `compute ${cal.before.computeMs.toFixed(0)} → ${cal.after.computeMs.toFixed(0)} ms, loopback ${cal.before.loopbackMs.toFixed(0)} → ${cal.after.loopbackMs.toFixed(0)} ms (fixed workloads before → after the run, CPU; lower is faster; see bench/calibrate.ts)` : 'not measured'}`);
process.exitCode = ok ? 0 : 1;
