// Each subscriber's email is the one edition filtered by their preferences, over the embedded S3 and a real
// SMTP server: a muted outlet's only story never arrives, a topic filter lets only matching stories through,
// and subscribers whose preferences are the same (in canonical form) share one render.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer } from '../functions/adapters/mailer.ts';
import { S3ObjectStore } from '../functions/adapters/s3-store.ts';
import type { Edition } from '../functions/core/edition.ts';
import { createRenderer } from '../functions/core/render.ts';
import { DEFAULT_PREFERENCES, type Preferences } from '../functions/core/subscriber.ts';
import { ARCHIVE_KEYS, editionKey } from '../functions/pipeline/archive.ts';
import { deliverLatest, type DeliverResult } from '../functions/pipeline/deliver.ts';
import { createSubscriber } from '../functions/pipeline/subscribers.ts';
import { loadTemplates } from '../functions/templates.ts';
import { startEmbeddedS3, type EmbeddedS3 } from '../local/embedded-s3.ts';
import { editionOf, type FixtureStory } from './edition-fixture.ts';
import { startSmtpCatcher, type SmtpCatcher } from './helpers.ts';

const FROM = 'News digest <digest@news.example.com>';
const NOW = new Date('2026-11-22T07:00:00Z');
const DAY = '2026-11-22';

function story(id: string, headline: string, outlets: string[]): FixtureStory {
  return {
    id,
    headline,
    summary: `${headline}. Officials gave details on Saturday.`,
    language: 'en',
    publishedAt: `${DAY}T05:00:00.000Z`,
    outlets,
    articleCount: outlets.length,
    entries: outlets.map((o, i) => ({ id: `${id}_${i}`, title: headline, publisher: o, author: null, url: `https://${i}.example/${id}`, publishedAt: null, language: 'en', words: 100, copies: [] })),
  };
}

const ONLY_MUTED = 'Harbour crane collapses overnight';
const SHARED = 'Bridge tolls to rise in spring';
const OTHER = 'Library extends its opening hours';
const EDITION: Edition = editionOf(
  [story('s1', ONLY_MUTED, ['Gazette Noire']), story('s2', SHARED, ['Gazette Noire', 'City Herald']), story('s3', OTHER, ['City Herald'])],
  { edition: DAY },
);

async function publish(store: S3ObjectStore, e: Edition) {
  const r = createRenderer(loadTemplates())(e);
  await store.put(editionKey(e.edition, 'json'), r.json, 'application/json');
  await store.put(editionKey(e.edition, 'html'), r.html, 'text/html; charset=utf-8');
  await store.put(editionKey(e.edition, 'mailText'), r.emailText, 'text/plain; charset=utf-8');
  await store.put(ARCHIVE_KEYS.latestPointer, JSON.stringify({ schema: 'newsdigest.latest/1', edition: e.edition, title: e.title, stories: 3, updatedAt: null, keys: {} }), 'application/json');
}

const prefs = (p: Partial<Preferences>): Preferences => ({ ...DEFAULT_PREFERENCES, ...p });
const SUBSCRIBERS: Array<[string, Preferences]> = [
  ['all@example.org', DEFAULT_PREFERENCES],
  ['mute@example.org', prefs({ mutedOutlets: ['gazette noire'] })],
  ['bridge1@example.org', prefs({ topics: { include: ['Bridge'], exclude: [] } })],
  ['bridge2@example.org', prefs({ topics: { include: ['bridge', 'BRIDGE'], exclude: [] }, cadence: { kind: 'daily' } })],
];

describe('preferences in delivery', () => {
  let s3: EmbeddedS3;
  let dir: string;
  let smtp: SmtpCatcher;
  let result: DeliverResult;
  const rendered: Edition[] = [];
  const mail = new Map<string, { html: string; text: string }>();
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'newsdigest-deliver-prefs-'));
    s3 = await startEmbeddedS3({ directory: dir });
    await s3.createBucket('prefs');
    const store = new S3ObjectStore(s3.client, 'prefs');
    smtp = await startSmtpCatcher();
    await publish(store, EDITION);
    for (const [email, preferences] of SUBSCRIBERS) await createSubscriber(store, { email, status: 'active', preferences, at: NOW });
    const renderer = createRenderer(loadTemplates());
    result = await deliverLatest({
      store,
      mailer: createMailer({ mailer: 'smtp', smtpUrl: smtp.url, region: 'us-east-1' }),
      clock: { now: () => NOW },
      from: FROM,
      render: (e) => {
        rendered.push(e);
        return renderer(e);
      },
    });
    for (const m of smtp.messages) mail.set(m.envelope.to[0]!, { html: m.parsed.html as string, text: m.parsed.text ?? '' });
  }, 60_000);
  afterAll(async () => {
    await smtp?.close();
    await s3?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('mails everyone once', () => {
    expect(result).toMatchObject({ status: 'delivered', sent: 4 });
    expect([...mail.keys()].sort()).toEqual(SUBSCRIBERS.map(([e]) => e).sort());
  });

  it('a subscriber muting an outlet never gets a story only it covered, nor its credit', () => {
    const m = mail.get('mute@example.org')!;
    for (const part of [m.html, m.text]) {
      expect(part).not.toContain(ONLY_MUTED);
      expect(part).not.toContain('Gazette Noire');
      expect(part).toContain(SHARED);
      expect(part).toContain('City Herald');
      expect(part).toContain(OTHER);
    }
    expect(mail.get('all@example.org')!.text).toContain(ONLY_MUTED);
  });

  it('a topic filter lets only matching stories through', () => {
    for (const who of ['bridge1@example.org', 'bridge2@example.org']) {
      const m = mail.get(who)!;
      for (const part of [m.html, m.text]) {
        expect(part).toContain(SHARED);
        expect(part).not.toContain(ONLY_MUTED);
        expect(part).not.toContain(OTHER);
      }
    }
  });

  it('the same preferences in canonical form share one render; the unfiltered edition needs none', () => {
    expect(rendered.map((e) => e.stories.map((s) => s.id))).toEqual([['s2'], ['s2', 's3']]);
  });
});
