// A smaller load run (500 files, 64 uploads in flight) as a test: nothing lost, nothing duplicated.
// Throughput is measured by `npm run bench:load`, never asserted here.
import path from 'node:path';
import { expect, it } from 'vitest';
import { runLoad } from '../bench/load-run.ts';

it('ingests 500 concurrent uploads of mixed formats with zero lost and zero duplicated', async () => {
  // Ingest on two worker threads (warm instances; the bench runs one by default), so invocations are spread over
  // instances; the digest and the uploads on threads of their own (the bench keeps both on the main thread by default).
  const report = await runLoad({ files: 500, concurrency: 64, sourceDir: path.resolve(import.meta.dirname, '..', 'seeds'), seed: 11, ingestThreads: 2, digestThread: true, uploadThread: true });
  expect(report.uploaded).toBe(500);
  expect(report.latencyP50Ms).toBeGreaterThan(0); // upload start times cross threads on a shared clock
  expect(report.lost).toEqual([]);
  expect(report.duplicated).toEqual([]);
  expect(report.rejected).toBeGreaterThan(0); // the junk files
  expect(report.records).toBeGreaterThan(400);
  expect(report.articlesInDigest).toBe(report.records);
}, 300_000);
