// The local runner's stand-in for S3 → SQS → Lambda batching, as the deployed event source mapping behaves.
import { describe, expect, it } from 'vitest';
import type { Edition } from '../functions/core/edition.ts';
import { triggers } from '../functions/triggers.ts';
import { batchLength, MAX_BATCH_PAYLOAD_BYTES } from '../local/runner.ts';
import { seedFiles, startTestPipeline } from './helpers.ts';

describe('queue batches', () => {
  it('take up to the batch size and 6 MB of messages, never none', () => {
    const mb = 1024 * 1024;
    expect(batchLength([100, 100, 100], 2)).toBe(2);
    expect(batchLength([100, 100, 100], 10_000)).toBe(3);
    expect(batchLength(Array(10).fill(mb), 10_000)).toBe(MAX_BATCH_PAYLOAD_BYTES / mb);
    expect(batchLength([7 * mb, 100], 10_000)).toBe(1);
    expect(batchLength([], 10)).toBe(0);
  });

  it('hand a full batch to the digest at once, in batches no larger than declared, and end at the same edition', async () => {
    const small = triggers.map((t) => (t.handler === 'digest' && t.delivery.kind === 'queue' ? { ...t, delivery: { ...t.delivery, batchSize: 2 } } : t));
    const batches: number[] = [];
    const p = await startTestPipeline({ triggers: small, onBatch: (_, n) => batches.push(n) });
    try {
      for (const seed of seedFiles()) await p.upload(`inbox/${seed.name}`, seed.body);
      await p.runner.idle();
      // One message per article record: the five seeds, in batches of at most two.
      expect(batches.reduce((a, b) => a + b, 0)).toBe(5);
      expect(Math.max(...batches)).toBeLessThanOrEqual(2);
      expect(batches.length).toBeGreaterThanOrEqual(3);
      const edition = await p.json<Edition>('digests/latest/digest.json');
      expect(edition?.counts.stories).toBe(1);
      expect(edition?.stories[0]!.entries).toHaveLength(4);
    } finally {
      await p.cleanup();
    }
  });
});
