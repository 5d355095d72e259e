// The per-subscriber pointer (deliveries/last/<id>.json) through the embedded S3: moved after the marker, healed
// when a run stopped between the two, never moved backwards.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mailer } from '../functions/adapters/mailer.ts';
import { S3ObjectStore } from '../functions/adapters/s3-store.ts';
import { subscriberId } from '../functions/core/email.ts';
import { createRenderer } from '../functions/core/render.ts';
import { ARCHIVE_KEYS, editionKey } from '../functions/pipeline/archive.ts';
import { SUBSCRIBERS_KEY, deliverLatest, storeMarker } from '../functions/pipeline/deliver.ts';
import { lastDeliveredKey, readLastDelivered, recordLastDelivered } from '../functions/pipeline/last-delivered.ts';
import { loadTemplates } from '../functions/templates.ts';
import { startEmbeddedS3, type EmbeddedS3 } from '../local/embedded-s3.ts';
import { editionOf } from './edition-fixture.ts';

describe('what each subscriber last received', () => {
  let dir: string;
  let s3: EmbeddedS3;
  let store: S3ObjectStore;
  const ANN = subscriberId('ann@example.org');

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'newsdigest-last-'));
    s3 = await startEmbeddedS3({ directory: dir });
    await s3.createBucket('last');
    store = new S3ObjectStore(s3.client, 'last');
    const edition = editionOf([
      {
        id: 's_1',
        headline: 'A story',
        summary: 'A summary. Two sentences.',
        language: 'en',
        publishedAt: null,
        outlets: ['Outlet'],
        articleCount: 1,
        entries: [{ id: 'a_1', title: 'A story', publisher: 'Outlet', author: null, url: null, publishedAt: null, language: 'en', words: 10, copies: [] }],
      },
    ]);
    const r = createRenderer(loadTemplates())(edition);
    await store.put(editionKey(edition.edition, 'json'), r.json, 'application/json');
    await store.put(editionKey(edition.edition, 'html'), r.html, 'text/html');
    await store.put(editionKey(edition.edition, 'mailText'), r.emailText, 'text/plain');
    await store.put(ARCHIVE_KEYS.latestPointer, JSON.stringify({ schema: 'newsdigest.latest/1', edition: edition.edition, title: edition.title, stories: 1, updatedAt: null, keys: {} }), 'application/json');
    await store.put(SUBSCRIBERS_KEY, JSON.stringify(['ann@example.org']), 'application/json');
  });
  afterAll(async () => {
    await s3?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a run that stopped between the marker and the pointer is healed by the next run, with no second send', async () => {
    let sends = 0;
    const mailer: Mailer = { kind: 'test', send: async () => ({ id: `t-${++sends}` }), close: async () => undefined };
    const deps = { store, mailer, clock: { now: () => new Date('2026-11-22T07:00:00Z') }, from: 'Digest <d@example.com>' };
    // The pointer write fails right after the marker, as a crash there would leave it.
    const failing = { ...store, get: store.get.bind(store), list: store.list.bind(store), putIfAbsent: store.putIfAbsent.bind(store), delete: store.delete.bind(store), put: async (key: string, body: string | Uint8Array, type: string) => {
      if (key === lastDeliveredKey(ANN)) throw new Error('S3 unavailable');
      return store.put(key, body, type);
    } };
    await expect(deliverLatest({ ...deps, store: failing, createMarker: storeMarker(store) })).rejects.toThrow('S3 unavailable');
    expect(sends).toBe(1);
    expect(await readLastDelivered(store, ANN)).toBeNull();
    await expect(deliverLatest(deps)).resolves.toMatchObject({ status: 'delivered', sent: 0, alreadySent: 1 });
    expect(sends).toBe(1);
    expect(await readLastDelivered(store, ANN)).toBe('2026-11-22');
  });

  it('never moves backwards', async () => {
    await recordLastDelivered(store, 'x', '2026-11-23', new Date(), null);
    await recordLastDelivered(store, 'x', '2026-11-21', new Date(), await readLastDelivered(store, 'x'));
    expect(await readLastDelivered(store, 'x')).toBe('2026-11-23');
  });
});
