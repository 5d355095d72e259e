// The subscriber record's transitions (feedback, confirm, unsubscribe) and the store over the embedded S3.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../functions/adapters/s3-store.ts';
import { subscriberId } from '../functions/core/email.ts';
import { applyFeedback, confirm, newSubscriber, unsubscribe, type SubscriberRecord } from '../functions/core/subscriber.ts';
import {
  createSubscriber,
  deleteSubscriber,
  getSubscriberByAddress,
  importSubscribers,
  listSubscribers,
  subscriberKey,
  updateSubscriber,
} from '../functions/pipeline/subscribers.ts';
import { startEmbeddedS3, type EmbeddedS3 } from '../local/embedded-s3.ts';

const T0 = new Date('2026-12-01T08:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function active(): SubscriberRecord {
  return newSubscriber({ email: 'Ann@Example.org', status: 'active', at: T0 });
}

describe('applyFeedback', () => {
  it('a hard bounce suppresses at once', () => {
    const r = applyFeedback(active(), { kind: 'bounce', type: 'permanent', at: at(1), detail: '550 5.1.1 no such user' });
    expect(r.status).toBe('suppressed');
    expect(r.bounces).toEqual([{ kind: 'hard', at: at(1).toISOString(), detail: '550 5.1.1 no such user' }]);
  });

  it('a complaint unsubscribes, and never lifts a suppression', () => {
    expect(applyFeedback(active(), { kind: 'complaint', at: at(1), detail: 'abuse' }).status).toBe('unsubscribed');
    const suppressed = applyFeedback(active(), { kind: 'bounce', type: 'permanent', at: at(1), detail: '' });
    expect(applyFeedback(suppressed, { kind: 'complaint', at: at(2), detail: '' }).status).toBe('suppressed');
  });

  it('three soft bounces in a row suppress; a delivery in between resets the count', () => {
    const soft = (r: SubscriberRecord, m: number) => applyFeedback(r, { kind: 'bounce', type: 'transient', at: at(m), detail: 'mailbox full' });
    let r = soft(soft(active(), 1), 2);
    expect(r.status).toBe('active');
    expect(r.softBounces).toBe(2);
    r = applyFeedback(r, { kind: 'delivery', at: at(3) });
    expect(r.softBounces).toBe(0);
    r = soft(soft(r, 4), 5);
    expect(r.status).toBe('active');
    r = soft(r, 6);
    expect(r.status).toBe('suppressed');
    expect(r.bounces.filter((b) => b.kind === 'soft')).toHaveLength(5);
  });

  it('a redelivered event counts once', () => {
    const e = { kind: 'bounce', type: 'transient', at: at(1), detail: 'x' } as const;
    const r = applyFeedback(applyFeedback(applyFeedback(active(), e), e), e);
    expect(r.softBounces).toBe(1);
    expect(r.status).toBe('active');
  });
});

describe('status transitions', () => {
  it('confirm activates a pending record only; unsubscribe never lifts a suppression', () => {
    const pending = newSubscriber({ email: 'bob@example.org', status: 'pending', at: T0 });
    expect(pending.consent).toBeNull();
    const confirmed = confirm(pending, at(5));
    expect(confirmed).toMatchObject({ status: 'active', consent: { at: at(5).toISOString(), source: 'form' } });
    const left = unsubscribe(confirmed, at(6));
    expect(left.status).toBe('unsubscribed');
    expect(confirm(left, at(7)).status).toBe('unsubscribed');
    const suppressed = applyFeedback(confirmed, { kind: 'bounce', type: 'permanent', at: at(8), detail: '' });
    expect(unsubscribe(suppressed, at(9)).status).toBe('suppressed');
  });

  it('rejects an invalid or oversized address', () => {
    expect(() => newSubscriber({ email: 'not an address', status: 'active', at: T0 })).toThrow(/email/i);
    expect(() => newSubscriber({ email: `${'a'.repeat(250)}@example.org`, status: 'active', at: T0 })).toThrow(/too big|254/i);
  });
});

describe('the subscriber store over the embedded S3', () => {
  let s3: EmbeddedS3 | undefined;
  let dir = '';
  afterAll(async () => {
    await s3?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('creates once per address, keyed by the delivery markers’ hash, updates, lists, imports and deletes', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'newsdigest-subscribers-'));
    s3 = await startEmbeddedS3({ directory: dir });
    await s3.createBucket('subs');
    const store = new S3ObjectStore(s3.client, 'subs');

    const first = await createSubscriber(store, { email: 'Ann@Example.org', status: 'pending', at: T0 });
    expect(first.created).toBe(true);
    expect(first.record.id).toBe(subscriberId('ann@example.org'));
    expect(await store.get(subscriberKey(subscriberId('ann@example.org')))).not.toBeNull();
    const again = await createSubscriber(store, { email: 'ann@example.org', status: 'active', at: at(1) });
    expect(again).toMatchObject({ created: false, record: { status: 'pending', createdAt: T0.toISOString() } });

    const updated = await updateSubscriber(store, first.record.id, (r) => confirm(r, at(2)));
    expect(updated?.status).toBe('active');
    expect((await getSubscriberByAddress(store, 'ANN@example.org'))?.status).toBe('active');
    expect(await updateSubscriber(store, subscriberId('nobody@example.org'), (r) => r)).toBeNull();

    // An import never resubscribes an address that left.
    await updateSubscriber(store, first.record.id, (r) => unsubscribe(r, at(3)));
    expect(await importSubscribers(store, [{ email: 'ann@example.org' }, { email: 'cat@example.org', name: 'Cat' }], at(4))).toBe(1);
    const all = [];
    for await (const r of listSubscribers(store)) all.push(r);
    expect(all.map((r) => [r.email, r.status, r.consent?.source ?? null]).sort()).toEqual([
      ['ann@example.org', 'unsubscribed', 'form'],
      ['cat@example.org', 'active', 'import'],
    ]);
    expect(await deleteSubscriber(store, subscriberId('cat@example.org'))).toBe(true);
    expect(await deleteSubscriber(store, subscriberId('cat@example.org'))).toBe(false);
  });

  it('refuses a malformed record instead of mailing from it', async () => {
    const store = new S3ObjectStore(s3!.client, 'subs');
    await store.put(subscriberKey('0'.repeat(32)), '{"schema":"newsdigest.subscriber/1","email":"x"}', 'application/json');
    const read = async () => {
      const seen = [];
      for await (const r of listSubscribers(store)) seen.push(r);
      return seen;
    };
    await expect(read()).rejects.toThrow(/invalid subscribers\/0{32}\.json/);
  });
});
