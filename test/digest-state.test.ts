// The digest's warm state (parsed sources, last publish) against the embedded S3: it changes what a rebuild
// reads, never what it publishes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock, type ObjectStore } from '../functions/core/ports.ts';
import { createArchiveRenderer, createRenderer } from '../functions/core/render.ts';
import { ARCHIVE_KEYS, EDITION_FILES, editionKey, type EditionPart } from '../functions/pipeline/archive.ts';
import { publishDigest, type ChangedSources, type DigestDeps } from '../functions/pipeline/digest.ts';
import { createDigestState, type DigestState } from '../functions/pipeline/digest-state.ts';
import { loadTemplates } from '../functions/templates.ts';
import { editionOf } from './edition-fixture.ts';
import { s3Event, seedFiles, startTestPipeline, type TestPipeline } from './helpers.ts';

/** The store, recording every key read. */
function counting(store: ObjectStore) {
  const gets: string[] = [];
  const wrapped: ObjectStore = {
    get: (k) => {
      gets.push(k);
      return store.get(k);
    },
    put: (k, b, t) => store.put(k, b, t),
    putIfAbsent: (k, b, t) => store.putIfAbsent(k, b, t),
    delete: (k) => store.delete(k),
    list: (prefix) => store.list(prefix),
  };
  return { store: wrapped, gets, sourceReads: () => gets.filter((k) => k.startsWith('sources/')).length, pointerReads: () => gets.filter((k) => k === ARCHIVE_KEYS.latestPointer).length };
}

describe('the digest state', () => {
  let p: TestPipeline;
  const templates = loadTemplates();
  const render = createRenderer(templates);
  const renderArchive = createArchiveRenderer(templates);
  const deps = (state: DigestState, extra: Partial<DigestDeps> = {}): DigestDeps => ({
    store: p.store,
    clock: systemClock,
    render,
    renderArchive,
    renderKey: 'default',
    state,
    title: 'News digest',
    windowHours: 72,
    timeZone: 'UTC',
    ...extra,
  });
  const ingestSeed = async (i: number) => {
    await p.upload(`inbox/state-${i}.txt`, seedFiles()[i]!.body);
    await p.ingest(s3Event(p.bucket, `inbox/state-${i}.txt`));
  };
  /** Every file the publish writes, as stored now. */
  const published = async (day: string) => {
    const keys = [
      ...(Object.keys(EDITION_FILES) as EditionPart[]).map((part) => editionKey(day, part)),
      ...['digest.html', 'digest.txt', 'digest.json'].map((name) => `${ARCHIVE_KEYS.latestFolder}${name}`),
      ARCHIVE_KEYS.index,
      ARCHIVE_KEYS.manifest,
      ARCHIVE_KEYS.latestPointer,
    ];
    return Object.fromEntries(await Promise.all(keys.map(async (k) => [k, await p.text(k)] as const)));
  };
  const sources = async (): Promise<ChangedSources> => {
    const listed: ChangedSources = [];
    for await (const o of p.store.list('sources/')) listed.push({ key: o.key, etag: o.etag! });
    return listed;
  };

  beforeAll(async () => {
    p = await startTestPipeline({ manualEvents: true });
  });
  afterAll(() => p.cleanup());

  it('lets a warm instance read only the new source, and publish the edition a fresh one publishes', async () => {
    for (const i of [0, 1, 2]) await ingestSeed(i);
    const warm = createDigestState();
    expect(await publishDigest(deps(warm))).toMatchObject({ status: 'published' });

    await ingestSeed(3);
    const w = counting(p.store);
    const second = await publishDigest(deps(warm, { store: w.store }));
    expect(second).toMatchObject({ status: 'published', latest: true });
    expect(w.sourceReads()).toBe(1);
    const day = second.edition;
    const fromWarm = await published(day);
    expect(JSON.parse(fromWarm[ARCHIVE_KEYS.latestPointer]!)).toMatchObject({ edition: day });

    // A fresh state (a cold instance) reads every source, and writes the same bytes over every file.
    const f = counting(p.store);
    expect(await publishDigest(deps(createDigestState(), { store: f.store }))).toMatchObject({ status: 'published' });
    expect(f.sourceReads()).toBe((await sources()).length);
    expect(await published(day)).toEqual(fromWarm);

    // The pointer it wrote is byte for byte the warm instance's: a batch of known sources changes nothing.
    const again = counting(p.store);
    expect(await publishDigest(deps(warm, { store: again.store }), await sources())).toMatchObject({ status: 'unchanged' });
    expect(again.sourceReads()).toBe(0);
  });

  it('publishes again when a setting or the renderer changed, never the last publish made under others', async () => {
    const state = createDigestState();
    expect(await publishDigest(deps(state))).toMatchObject({ status: 'published' });
    expect(await publishDigest(deps(state))).toMatchObject({ status: 'unchanged' });

    const morning = await publishDigest(deps(state, { title: 'Morning digest' }));
    expect(morning).toMatchObject({ status: 'published' });
    expect(JSON.parse((await p.text('digests/latest/digest.json'))!)).toMatchObject({ title: 'Morning digest' });
    expect(await publishDigest(deps(state))).toMatchObject({ status: 'published' });
    expect(JSON.parse((await p.text('digests/latest/digest.json'))!)).toMatchObject({ title: 'News digest' });

    const withLinks = createRenderer(templates, { publicBaseUrl: 'https://news.example.com/digests/' });
    expect(await publishDigest(deps(state, { render: withLinks, renderKey: 'public links' }))).toMatchObject({ status: 'published' });
    expect(await p.text('digests/latest/digest.html')).toContain('https://news.example.com/digests/');
    expect(await publishDigest(deps(state, { render: withLinks, renderKey: 'public links' }))).toMatchObject({ status: 'unchanged' });

    const from = { from: 'Morning news <news@example.org>', unsubscribeUrl: null, unsubscribeMailto: null };
    const mailed = await publishDigest(deps(state, { render: withLinks, renderKey: 'public links', email: from }));
    expect(mailed).toMatchObject({ status: 'published' });
    expect(await p.text(editionKey(mailed.edition, 'message'))).toContain('news@example.org');
  });

  it('publishes again when the previous edition it continues changed', async () => {
    for (const i of [0, 1, 2, 3]) await ingestSeed(i); // already there unless this test runs alone
    const state = createDigestState();
    const { edition: day } = await publishDigest(deps(state));
    const yesterday = new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    const current = JSON.parse((await p.text(editionKey(day, 'json')))!) as { stories: Array<Parameters<typeof editionOf>[0][number]> };
    // Yesterday's edition: first with another story (today's are all new), then with today's first story under
    // another id (today's continues it). Its day is in the archive both times: only its content changes.
    const yesterdays = (id: string, stories: typeof current.stories) =>
      JSON.stringify(editionOf(stories.map((s) => ({ ...s, id, firstSeen: yesterday, lastUpdated: yesterday })), { edition: yesterday }));
    const other = { ...current.stories[0]!, headline: 'Other', entries: [{ ...current.stories[0]!.entries[0]!, id: 'a_0000000000000000', copies: [] }], articleCount: 1 };
    await p.store.put(editionKey(yesterday, 'json'), yesterdays('s_other', [other]), 'application/json');
    expect(await publishDigest(deps(state))).toMatchObject({ status: 'published' });
    expect(await publishDigest(deps(state))).toMatchObject({ status: 'unchanged' });
    expect(JSON.parse((await p.text(editionKey(day, 'json')))!)).toMatchObject({ previous: yesterday, stories: [{ status: 'new', firstSeen: day }] });

    await p.store.put(editionKey(yesterday, 'json'), yesterdays('s_yesterday', current.stories.slice(0, 1)), 'application/json');
    expect(await publishDigest(deps(state))).toMatchObject({ status: 'published' });
    const continued = await p.text(editionKey(day, 'json'));
    expect(JSON.parse(continued!)).toMatchObject({ previous: yesterday, stories: [{ id: 's_yesterday', firstSeen: yesterday }] });
    expect(await publishDigest(deps(state))).toMatchObject({ status: 'unchanged' });

    // A new source: the warm instance rebuilds without reading yesterday's edition again; a fresh one reads it,
    // and both publish the same bytes.
    await ingestSeed(4);
    const yesterdayReads = (c: ReturnType<typeof counting>) => c.gets.filter((k) => k === editionKey(yesterday, 'json')).length;
    const warm = counting(p.store);
    expect(await publishDigest(deps(state, { store: warm.store }))).toMatchObject({ status: 'published' });
    expect(yesterdayReads(warm)).toBe(0);
    const fromWarm = await published(day);
    const fresh = counting(p.store);
    expect(await publishDigest(deps(createDigestState(), { store: fresh.store }))).toMatchObject({ status: 'published' });
    expect(yesterdayReads(fresh)).toBe(1);
    expect(await published(day)).toEqual(fromWarm);
    await p.store.delete(editionKey(yesterday, 'json'));
  });

  it('reads a pointer someone else wrote once, and publishes over it', async () => {
    const state = createDigestState();
    await publishDigest(deps(state));
    const ours = await p.text(ARCHIVE_KEYS.latestPointer);
    await p.store.put(ARCHIVE_KEYS.latestPointer, '{}', 'application/json');
    const c = counting(p.store);
    expect(await publishDigest(deps(state, { store: c.store }), await sources())).toMatchObject({ status: 'published' });
    expect(c.pointerReads()).toBe(1);
    expect(await p.text(ARCHIVE_KEYS.latestPointer)).toBe(ours);
  });
});
