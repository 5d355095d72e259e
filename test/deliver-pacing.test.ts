// Sending at the provider's rate, and a run out of time handing the rest to the next invocation, over the
// embedded S3 and a real SMTP server. Time for pacing is injected (sleeping advances it), so the test counts
// sends per window of that time instead of asserting on the wall clock.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMailer, type Mailer } from '../functions/adapters/mailer.ts';
import { S3ObjectStore } from '../functions/adapters/s3-store.ts';
import { createRenderer } from '../functions/core/render.ts';
import { ARCHIVE_KEYS, editionKey } from '../functions/pipeline/archive.ts';
import { DeliveryIncompleteError, deliverLatest, markerKey, type DeliverDeps, type DeliverResult } from '../functions/pipeline/deliver.ts';
import { createSubscriber } from '../functions/pipeline/subscribers.ts';
import { loadTemplates } from '../functions/templates.ts';
import { startEmbeddedS3, type EmbeddedS3 } from '../local/embedded-s3.ts';
import { editionOf } from './edition-fixture.ts';
import { startSmtpCatcher, type SmtpCatcher } from './helpers.ts';

const NOW = new Date('2026-11-22T07:00:00Z');
const EDITION = editionOf([
  {
    id: 's1',
    headline: 'Council approves the budget',
    summary: 'The council voted. The budget passed.',
    language: 'en',
    publishedAt: null,
    outlets: ['City Herald'],
    articleCount: 1,
    entries: [{ id: 'a1', title: 'Budget passes', publisher: 'City Herald', author: null, url: null, publishedAt: null, language: 'en', words: 100, copies: [] }],
  },
]);

describe('send rate and hand-off', () => {
  let s3: EmbeddedS3;
  let dir: string;
  let smtp: SmtpCatcher;
  let bucket = 0;
  let store: S3ObjectStore;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'newsdigest-pacing-'));
    s3 = await startEmbeddedS3({ directory: dir });
    smtp = await startSmtpCatcher();
  });
  afterAll(async () => {
    await smtp?.close();
    await s3?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    const name = `pacing-${++bucket}`;
    await s3.createBucket(name);
    store = new S3ObjectStore(s3.client, name);
    const r = createRenderer(loadTemplates())(EDITION);
    await store.put(editionKey(EDITION.edition, 'json'), r.json, 'application/json');
    await store.put(editionKey(EDITION.edition, 'html'), r.html, 'text/html; charset=utf-8');
    await store.put(editionKey(EDITION.edition, 'mailText'), r.emailText, 'text/plain; charset=utf-8');
    await store.put(ARCHIVE_KEYS.latestPointer, JSON.stringify({ schema: 'newsdigest.latest/1', edition: EDITION.edition, title: EDITION.title, stories: 1, updatedAt: null, keys: {} }), 'application/json');
    smtp.messages.length = 0;
  });

  const subscribe = async (n: number) => {
    const all = Array.from({ length: n }, (_, i) => `reader${String(i).padStart(2, '0')}@example.org`);
    for (const email of all) await createSubscriber(store, { email, status: 'active', at: NOW });
    return all;
  };
  const deps = (mailer: Mailer, extra: Partial<DeliverDeps> = {}): DeliverDeps => ({ store, mailer, clock: { now: () => NOW }, from: 'News <digest@news.example.com>', ...extra });

  it('never sends more than the provider\'s rate in any second', async () => {
    await subscribe(12);
    let t = 0;
    const sentAt: number[] = [];
    const smtpMailer = createMailer({ mailer: 'smtp', smtpUrl: `${smtp.url}?rate=5` });
    const mailer: Mailer = { ...smtpMailer, send: (m, s) => (sentAt.push(t), smtpMailer.send(m, s)) };
    const pace = { nowMs: () => t, sleep: async (ms: number) => void (t += ms) };
    const result = await deliverLatest(deps(mailer, { pace }));
    await smtpMailer.close();
    expect(result).toMatchObject({ status: 'delivered', sent: 12 });
    expect(smtp.messages).toHaveLength(12);
    for (const start of sentAt) expect(sentAt.filter((x) => x >= start && x < start + 1000).length).toBeLessThanOrEqual(5);
    expect(sentAt.at(-1)).toBeGreaterThanOrEqual(2200); // 12 sends at 5 per second: the last 11 intervals later
  });

  it('a run out of time defers the rest; the next invocations send them, everyone exactly once', async () => {
    const all = await subscribe(10);
    const mailer = createMailer({ mailer: 'smtp', smtpUrl: smtp.url });
    const invocations: DeliverResult[] = [];
    // Each invocation has time for three sends: 8.5 s, one second per send, and a send needs 1 s + 5 s of margin.
    for (let i = 0; i < 6; i++) {
      let sends = 0;
      const counting: Mailer = { ...mailer, send: (m, s) => (sends++, mailer.send(m, s)) };
      const r = await deliverLatest(deps(counting, { sendTimeoutMs: 1000, remainingMs: () => 8500 - 1000 * sends })).catch((e: unknown) => {
        if (e instanceof DeliveryIncompleteError) return e.result; // Lambda's async retry runs the handler again
        throw e;
      });
      invocations.push(r);
      if (r.status === 'delivered') break;
    }
    await mailer.close();
    expect(invocations.map((r) => ('deferred' in r ? [r.status, r.sent, r.alreadySent, r.deferred] : r.status))).toEqual([
      ['incomplete', 3, 0, 7],
      ['incomplete', 3, 3, 4],
      ['incomplete', 3, 6, 1],
      ['delivered', 1, 9, 0],
    ]);
    expect(smtp.messages.map((m) => m.envelope.to[0]).sort()).toEqual(all);
    for (const email of all) expect(await store.get(markerKey(EDITION.edition, email))).not.toBeNull();
  });
});
