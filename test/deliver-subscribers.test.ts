// Delivery's list comes from the subscriber store: only active subscribers are mailed, the old sources are
// imported once as active, and each message's one-click link is signed for its subscriber. Real SMTP, embedded S3.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer } from '../functions/adapters/mailer.ts';
import { S3ObjectStore } from '../functions/adapters/s3-store.ts';
import type { Edition } from '../functions/core/edition.ts';
import { subscriberId } from '../functions/core/email.ts';
import { createRenderer } from '../functions/core/render.ts';
import { applyFeedback, unsubscribe } from '../functions/core/subscriber.ts';
import { generateKeyText, parseKey, verifyToken } from '../functions/core/token.ts';
import { ARCHIVE_KEYS, editionKey } from '../functions/pipeline/archive.ts';
import { SUBSCRIBERS_KEY, deliverLatest } from '../functions/pipeline/deliver.ts';
import { createSubscriber, getSubscriberByAddress, updateSubscriber } from '../functions/pipeline/subscribers.ts';
import { loadTemplates } from '../functions/templates.ts';
import { startEmbeddedS3, type EmbeddedS3 } from '../local/embedded-s3.ts';
import { editionOf } from './edition-fixture.ts';
import { startSmtpCatcher, type SmtpCatcher } from './helpers.ts';

const FROM = 'News digest <digest@news.example.com>';
const KEY = parseKey(generateKeyText());
const NOW = new Date('2026-11-22T07:00:00Z');

function edition(day: string): Edition {
  return editionOf(
    [
      {
        id: `s_${day}`,
        headline: `Story of ${day}`,
        summary: 'A summary. Two sentences.',
        language: 'en',
        publishedAt: `${day}T05:00:00.000Z`,
        outlets: ['Outlet'],
        articleCount: 1,
        entries: [{ id: `a_${day}`, title: 'Story', publisher: 'Outlet', author: null, url: 'https://outlet.example/a', publishedAt: null, language: 'en', words: 100, copies: [] }],
      },
    ],
    { edition: day },
  );
}

async function publish(store: S3ObjectStore, e: Edition) {
  const r = createRenderer(loadTemplates())(e);
  await store.put(editionKey(e.edition, 'json'), r.json, 'application/json');
  await store.put(editionKey(e.edition, 'html'), r.html, 'text/html; charset=utf-8');
  await store.put(editionKey(e.edition, 'text'), r.text, 'text/plain; charset=utf-8');
  await store.put(ARCHIVE_KEYS.latestPointer, JSON.stringify({ schema: 'newsdigest.latest/1', edition: e.edition, title: e.title, stories: 1, updatedAt: null, keys: {} }), 'application/json');
}

describe('delivery reads the subscriber store', () => {
  let s3: EmbeddedS3;
  let dir: string;
  let smtp: SmtpCatcher;
  let store: S3ObjectStore;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'newsdigest-deliver-subs-'));
    s3 = await startEmbeddedS3({ directory: dir });
    await s3.createBucket('subs');
    store = new S3ObjectStore(s3.client, 'subs');
    smtp = await startSmtpCatcher();
  });
  afterAll(async () => {
    await smtp?.close();
    await s3?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = () =>
    deliverLatest({ store, mailer: createMailer({ mailer: 'smtp', smtpUrl: smtp.url, region: 'us-east-1' }), clock: { now: () => NOW }, from: FROM, links: { baseUrl: 'https://subs.example.com/', key: KEY } });

  it('mails active subscribers only, imports the old list as active once, and signs each one-click link', async () => {
    await publish(store, edition('2026-11-21'));
    await createSubscriber(store, { email: 'pending@example.org', status: 'pending', at: NOW });
    await createSubscriber(store, { email: 'gone@example.org', status: 'active', at: NOW });
    await updateSubscriber(store, subscriberId('gone@example.org'), (r) => unsubscribe(r, NOW));
    await createSubscriber(store, { email: 'dead@example.org', status: 'active', at: NOW });
    await updateSubscriber(store, subscriberId('dead@example.org'), (r) => applyFeedback(r, { kind: 'bounce', type: 'permanent', at: NOW, detail: '550' }));
    // The old list names the unsubscribed address too: the import leaves it as it is.
    await store.put(SUBSCRIBERS_KEY, JSON.stringify(['ann@example.org', 'gone@example.org', 'dead@example.org']), 'application/json');

    expect(await run()).toMatchObject({ status: 'delivered', subscribers: 1, sent: 1 });
    expect(smtp.messages.map((m) => m.envelope.to)).toEqual([['ann@example.org']]);
    expect(await getSubscriberByAddress(store, 'ann@example.org')).toMatchObject({ status: 'active', consent: { source: 'import' } });
    expect((await getSubscriberByAddress(store, 'gone@example.org'))?.status).toBe('unsubscribed');

    const headers = smtp.messages[0]!.raw.toString('utf8').split('\r\n\r\n')[0]!;
    const m = /^List-Unsubscribe:\s+<(https:\/\/subs\.example\.com\/unsubscribe\?token=[^>]+)>,\s+<mailto:digest@news\.example\.com\?subject=unsubscribe>/m.exec(headers);
    expect(m).not.toBeNull();
    expect(headers).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
    const token = new URL(m![1]!).searchParams.get('token');
    expect(verifyToken(KEY, token, 'unsubscribe', NOW)).toMatchObject({ ok: true, id: subscriberId('ann@example.org') });
  });

  it('skips a subscriber who left since, though the old list still names them', async () => {
    await updateSubscriber(store, subscriberId('ann@example.org'), (r) => unsubscribe(r, NOW));
    await publish(store, edition('2026-11-22'));
    expect(await run()).toMatchObject({ status: 'no-subscribers' });
    expect(smtp.messages).toHaveLength(1);
  });
});
