// The bounded parser: worker threads that stop a file taking too long or too much memory.
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { DEFAULT_PARSE_MAX_HEAP_MB, loadConfig } from '../functions/config.ts';
import { defaultParseLimits } from '../functions/core/parse/limits.ts';
import { rejectionReason } from '../functions/core/rejection-reason.ts';
import { workerParseRunner } from '../functions/pipeline/parse-runner.ts';
import { seedFiles } from './helpers.ts';

const AT = '2025-04-11T00:00:00.000Z';
const bigHtml = Buffer.from(`<html><body>${'<div><p>Some words in a paragraph that repeat. </p>'.repeat(150_000)}</div></body></html>`);

describe('worker parse runner', () => {
  const runner = workerParseRunner({ timeoutMs: 20_000, workers: 2 });
  afterAll(() => runner.close());

  it('parses like the inline parser', async () => {
    const seed = seedFiles()[0]!;
    const outcome = await runner.records(seed.name, seed.body, defaultParseLimits, AT);
    expect(outcome.errors).toEqual([]);
    expect(outcome.records[0]!.publisher).toBe('MENAFN');
  });

  it.runIf(existsSync('/proc/self/task'))('starts its workers with the parser loaded on warm(), before any file', async () => {
    const threads = () => readdirSync('/proc/self/task').length;
    const warmed = workerParseRunner({ timeoutMs: 20_000, workers: 2 });
    try {
      const before = threads();
      await warmed.warm();
      expect(threads()).toBeGreaterThanOrEqual(before + 2);
      await warmed.warm(); // started once: nothing more
      const seed = seedFiles()[0]!;
      expect((await warmed.records(seed.name, seed.body, defaultParseLimits, AT)).records[0]!.publisher).toBe('MENAFN');
    } finally {
      await warmed.close();
    }
  });

  it('rejects a file that takes longer than the limit, then keeps working', async () => {
    const slow = workerParseRunner({ timeoutMs: 5, workers: 1 });
    try {
      const outcome = await slow.records('big.html', bigHtml, defaultParseLimits, AT);
      expect(outcome.records).toEqual([]);
      expect(outcome.errors[0]!.error).toMatch(/parsing took longer than/);
      expect(rejectionReason(outcome.errors[0]!.error)).toBe('timeout');
    } finally {
      await slow.close();
    }
    const seed = seedFiles()[3]!;
    const again = await runner.records(seed.name, readFileSync(`seeds/${seed.name}`), defaultParseLimits, AT);
    expect(again.records).toHaveLength(1);
  });

  it('rejects a file that needs more memory than the parser may use, and recovers', async () => {
    const small = workerParseRunner({ timeoutMs: 60_000, workers: 1, maxHeapMb: 64 });
    try {
      const outcome = await small.records('big.html', bigHtml, defaultParseLimits, AT);
      expect(outcome.records).toEqual([]);
      expect(outcome.errors[0]!.error).toBe('parsing needed more than 64 MB of memory; stopped');
      expect(rejectionReason(outcome.errors[0]!.error)).toBe('parser-failure');
      const seed = seedFiles()[1]!;
      const next = await small.records(seed.name, seed.body, defaultParseLimits, AT);
      expect(next.records).toHaveLength(1);
    } finally {
      await small.close();
    }
  });

  it('gives the files queued behind a failing one to a fresh worker, in order, and builds records there', async () => {
    const small = workerParseRunner({ timeoutMs: 60_000, workers: 1, maxHeapMb: 64, depth: 3 });
    try {
      const [a, b] = [seedFiles()[2]!, seedFiles()[4]!];
      // All three are posted to the one worker at once; the first runs out of memory while the others wait.
      const [big, first, second] = await Promise.all([
        small.records('big.html', bigHtml, defaultParseLimits, AT),
        small.records(`inbox/${a.name}`, a.body, defaultParseLimits, AT),
        small.records(b.name, b.body, defaultParseLimits, AT),
      ]);
      expect(big.errors[0]!.error).toBe('parsing needed more than 64 MB of memory; stopped');
      expect(first.errors).toEqual([]);
      expect(first.records).toHaveLength(1);
      expect(first.records[0]!.source).toEqual({ key: `inbox/${a.name}`, index: 0, receivedAt: AT });
      expect(first.records[0]!.fingerprint.tokens).toBeGreaterThan(20);
      expect(second.records).toHaveLength(1);
    } finally {
      await small.close();
    }
  });

  it('takes its heap limit from PARSE_MAX_HEAP_MB, with a default, and refuses nonsense', () => {
    expect(loadConfig({ BUCKET: 'bucket' }).parse.maxHeapMb).toBe(DEFAULT_PARSE_MAX_HEAP_MB);
    expect(loadConfig({ BUCKET: 'bucket', PARSE_MAX_HEAP_MB: '256' }).parse.maxHeapMb).toBe(256);
    expect(() => loadConfig({ BUCKET: 'bucket', PARSE_MAX_HEAP_MB: '8' })).toThrow(/PARSE_MAX_HEAP_MB/);
  });
});
