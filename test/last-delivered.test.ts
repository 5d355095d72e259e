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
import { SUBSCRIBERS_KEY, deliverLatest, markerKey, storeMarker } from '../functions/pipeline/deliver.ts';
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

  it('without a pointer, takes the edition before as the baseline when its marker says the subscriber got it', async () => {
    await s3.createBucket('upgrade');
    const up = new S3ObjectStore(s3.client, 'upgrade');
    const entry = (id: string, title: string) => ({ id, title, publisher: 'Outlet', author: null, url: null, publishedAt: null, language: 'en', words: 10, copies: [] });
    const storyOf = (id: string, article: string, headline: string) => ({ id, headline, summary: 'A summary. Two sentences.', language: 'en', publishedAt: null, outlets: ['Outlet'], articleCount: 1, entries: [entry(article, headline)] });
    const day1 = editionOf([storyOf('s_1', 'a_1', 'Yesterday story')], { edition: '2026-11-21' });
    const day2 = editionOf(
      [{ ...storyOf('s_1', 'a_1', 'Yesterday story'), status: 'unchanged', firstSeen: '2026-11-21', lastUpdated: '2026-11-21' }, storyOf('s_2', 'a_2', 'Today story')],
      { edition: '2026-11-22', previous: '2026-11-21' },
    );
    const render = createRenderer(loadTemplates());
    for (const e of [day1, day2]) {
      const r = render(e);
      await up.put(editionKey(e.edition, 'json'), r.json, 'application/json');
      await up.put(editionKey(e.edition, 'html'), r.html, 'text/html');
      await up.put(editionKey(e.edition, 'mailText'), r.emailText, 'text/plain');
    }
    await up.put(ARCHIVE_KEYS.latestPointer, JSON.stringify({ schema: 'newsdigest.latest/1', edition: '2026-11-22', title: day2.title, stories: 2, updatedAt: null, keys: {} }), 'application/json');
    await up.put(SUBSCRIBERS_KEY, JSON.stringify(['bob@example.org', 'new@example.org']), 'application/json');
    await up.put(markerKey('2026-11-21', 'bob@example.org'), '{}', 'application/json'); // sent before pointers existed
    const texts = new Map<string, string>();
    const { simpleParser } = await import('mailparser');
    const mailer: Mailer = {
      kind: 'test',
      send: async (m) => {
        texts.set(m.to[0]!, (await simpleParser(Buffer.from(m.raw))).text ?? '');
        return { id: 't' };
      },
      close: async () => undefined,
    };
    await deliverLatest({ store: up, mailer, clock: { now: () => new Date('2026-11-22T07:00:00Z') }, from: 'Digest <d@example.com>', render: (e) => render(e) });
    expect(texts.get('bob@example.org')).toContain('Today story');
    expect(texts.get('bob@example.org')).not.toContain('Yesterday story');
    expect(texts.get('new@example.org')).toContain('Yesterday story');
    expect(texts.get('new@example.org')).toContain('Today story');
    expect(await readLastDelivered(up, subscriberId('bob@example.org'))).toBe('2026-11-22');
  });

  it('treats a baseline that is not an edition as none: the subscriber gets everything', async () => {
    const carol = subscriberId('carol@example.org');
    await store.put(SUBSCRIBERS_KEY, JSON.stringify(['ann@example.org', 'carol@example.org']), 'application/json');
    await recordLastDelivered(store, carol, '2026-11-20', new Date(), null);
    await store.put(editionKey('2026-11-20', 'json'), 'not json', 'application/json');
    const sent: string[] = [];
    const mailer: Mailer = { kind: 'test', send: async (m) => (sent.push(Buffer.from(m.raw).toString('utf8')), { id: 't' }), close: async () => undefined };
    const render = createRenderer(loadTemplates());
    await expect(
      deliverLatest({ store, mailer, clock: { now: () => new Date('2026-11-22T07:00:00Z') }, from: 'Digest <d@example.com>', render: (e) => render(e) }),
    ).resolves.toMatchObject({ sent: 1, alreadySent: 1 });
    expect(sent[0]).toContain('A story');
  });

  it('never moves backwards', async () => {
    await recordLastDelivered(store, 'x', '2026-11-23', new Date(), null);
    await recordLastDelivered(store, 'x', '2026-11-21', new Date(), await readLastDelivered(store, 'x'));
    expect(await readLastDelivered(store, 'x')).toBe('2026-11-23');
  });
});
