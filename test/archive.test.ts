// The web archive and the `latest` switch: neighbours linked both ways, the index, publishing order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { editionDay } from '../functions/core/edition.ts';
import type { ObjectStore } from '../functions/core/ports.ts';
import { createArchiveRenderer, createRenderer } from '../functions/core/render.ts';
import { ARCHIVE_KEYS, LatestPointerSchema, editionKey } from '../functions/pipeline/archive.ts';
import { publishDigest } from '../functions/pipeline/digest.ts';
import { createDigestState } from '../functions/pipeline/digest-state.ts';
import { loadTemplates } from '../functions/templates.ts';
import { seedFiles, startTestPipeline, type TestPipeline } from './helpers.ts';

function recording(store: ObjectStore) {
  const puts: string[] = [];
  const wrapped: ObjectStore = {
    get: (k) => store.get(k),
    delete: (k) => store.delete(k),
    list: (p) => store.list(p),
    put: async (k, b, t) => {
      puts.push(k);
      await store.put(k, b, t);
    },
    putIfAbsent: async (k, b, t) => {
      puts.push(k);
      return store.putIfAbsent(k, b, t);
    },
  };
  return { store: wrapped, puts };
}

describe('the web archive', () => {
  let p: TestPipeline;
  const templates = loadTemplates();
  const render = createRenderer(templates);
  const renderArchive = createArchiveRenderer(templates);
  // A fresh state each time (a cold instance): every publish rebuilds.
  const publishAt = (at: Date, store: ObjectStore = p.store) =>
    publishDigest({ store, clock: { now: () => at }, render, renderArchive, renderKey: 'default', state: createDigestState(), title: 'News digest', windowHours: 72, timeZone: 'UTC' });

  beforeAll(async () => {
    p = await startTestPipeline();
    for (const s of seedFiles()) await p.upload(`inbox/${s.name}`, s.body);
    await p.runner.idle();
  });
  afterAll(() => p.cleanup());

  it('links each edition to its neighbours and lists every edition in the index, newest first', async () => {
    const today = new Date();
    const tomorrow = new Date(today.getTime() + 86_400_000);
    const [d1, d2] = [editionDay(today), editionDay(tomorrow)];
    await publishAt(today);
    const { store, puts } = recording(p.store);
    const second = await publishAt(tomorrow, store);
    expect(second).toMatchObject({ status: 'published', edition: d2, latest: true });

    const page1 = (await p.text(editionKey(d1, 'page')))!;
    const page2 = (await p.text(editionKey(d2, 'page')))!;
    expect(page1).toContain(`href="../${d2}/index.html"`); // re-rendered when d2 appeared
    expect(page2).toContain(`href="../${d1}/index.html"`);
    expect(page2).not.toMatch(/rel="next"/);
    const index = (await p.text(ARCHIVE_KEYS.index))!;
    expect(index.indexOf(`href="${d2}/index.html"`)).toBeGreaterThan(-1);
    expect(index.indexOf(`href="${d2}/index.html"`)).toBeLessThan(index.indexOf(`href="${d1}/index.html"`));

    // Every part of the edition first, then the archive, then latest/, and the pointer last of all.
    const own = puts.filter((k) => k.startsWith(`digests/${d2}/`));
    expect(own).toEqual(['json', 'text', 'html', 'mailText', 'message', 'page'].map((part) => editionKey(d2, part as 'json')));
    const lastOwn = puts.lastIndexOf(own.at(-1)!);
    const firstLatest = puts.findIndex((k) => k.startsWith('digests/latest/'));
    expect(firstLatest).toBeGreaterThan(lastOwn);
    expect(puts.indexOf(ARCHIVE_KEYS.index)).toBeLessThan(firstLatest);
    expect(puts.at(-1)).toBe(ARCHIVE_KEYS.latestPointer);
    const pointer = LatestPointerSchema.parse(await p.json(ARCHIVE_KEYS.latestPointer));
    expect(pointer.edition).toBe(d2);
    expect(await p.text('digests/latest/digest.json')).toBe(await p.text(editionKey(d2, 'json')));

    // Rebuilding a day the archive already has leaves the neighbours' pages alone: their links are unchanged.
    const again = recording(p.store);
    await publishAt(tomorrow, again.store);
    expect(again.puts).toContain(editionKey(d2, 'page'));
    expect(again.puts).not.toContain(editionKey(d1, 'page'));
    expect(await p.text(editionKey(d1, 'page'))).toBe(page1);
  });

  it('never hands `latest` back to an older edition rebuilt late', async () => {
    const today = new Date();
    const before = await p.text(ARCHIVE_KEYS.latestPointer);
    const late = await publishAt(today);
    expect(late).toMatchObject({ status: 'published', latest: false });
    expect(await p.text(ARCHIVE_KEYS.latestPointer)).toBe(before);
  });

  it('gives byte-identical files when nothing changed', async () => {
    const tomorrow = new Date(Date.now() + 86_400_000);
    const d2 = editionDay(tomorrow);
    const keys = ['json', 'text', 'html', 'mailText', 'message', 'page'].map((part) => editionKey(d2, part as 'json'));
    const before = await Promise.all([...keys, ARCHIVE_KEYS.index].map((k) => p.text(k)));
    await publishAt(tomorrow);
    const after = await Promise.all([...keys, ARCHIVE_KEYS.index].map((k) => p.text(k)));
    expect(after).toEqual(before);
  });
});
