import { describe, expect, it } from 'vitest';
import { PREFIX, assertNoTriggerLoops, triggers, triggersForKey, type Trigger } from '../functions/triggers.ts';

describe('trigger declaration', () => {
  it('has no handler writing where a trigger of its own listens', () => {
    expect(() => assertNoTriggerLoops()).not.toThrow();
  });

  it('catches a declaration that would loop', () => {
    const looping: Trigger[] = [
      { handler: 'ingest', source: { kind: 's3', prefix: 'inbox/', events: 'created' }, delivery: { kind: 'direct' }, writes: ['inbox/parsed/'] },
    ];
    expect(() => assertNoTriggerLoops(looping)).toThrow(/trigger loop: ingest/);
  });

  it('routes uploads to ingest and source records to the batched digest', () => {
    expect(triggersForKey('inbox/a.txt').map((t) => t.handler)).toEqual(['ingest']);
    const digest = triggersForKey('sources/inbox/a.txt.json');
    expect(digest.map((t) => t.handler)).toEqual(['digest']);
    expect(digest[0]!.delivery).toMatchObject({ kind: 'queue' });
    for (const p of [PREFIX.digests, PREFIX.rejected, PREFIX.config, PREFIX.deliveries]) expect(triggersForKey(`${p}x.json`)).toEqual([]);
    expect(triggers.length).toBeGreaterThanOrEqual(2);
  });
});
