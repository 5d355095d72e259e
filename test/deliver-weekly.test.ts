// Cadence over eight days (Monday to Monday), one edition a day, each holding its own story and yesterday's (a
// 48-hour window), through the embedded S3 and a real SMTP server: a daily subscriber gets every day's email; a
// weekly one (Mondays) gets two, the second holding the whole week's news, stories that left the window included.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer } from '../functions/adapters/mailer.ts';
import { S3ObjectStore } from '../functions/adapters/s3-store.ts';
import type { Edition } from '../functions/core/edition.ts';
import { createRenderer } from '../functions/core/render.ts';
import { DEFAULT_PREFERENCES } from '../functions/core/subscriber.ts';
import { ARCHIVE_KEYS, editionKey } from '../functions/pipeline/archive.ts';
import { deliverLatest, type DeliverResult } from '../functions/pipeline/deliver.ts';
import { createSubscriber } from '../functions/pipeline/subscribers.ts';
import { loadTemplates } from '../functions/templates.ts';
import { startEmbeddedS3, type EmbeddedS3 } from '../local/embedded-s3.ts';
import { editionOf, type FixtureStory } from './edition-fixture.ts';
import { startSmtpCatcher, type SmtpCatcher } from './helpers.ts';

const DAYS = Array.from({ length: 8 }, (_, i) => `2026-11-${String(16 + i)}`); // Monday 16 to Monday 23
const headline = (day: string) => `Harbour report number ${day.slice(8)} is out`;

function story(day: string, status: FixtureStory['status']): FixtureStory {
  return {
    id: `s_${day}`,
    headline: headline(day),
    summary: 'The harbour board published its report. It covers the day.',
    language: 'en',
    publishedAt: `${day}T05:00:00.000Z`,
    outlets: ['Harbour News'],
    articleCount: 1,
    entries: [{ id: `a_${day}`, title: headline(day), publisher: 'Harbour News', author: null, url: `https://harbour.example/${day}`, publishedAt: null, language: 'en', words: 100, copies: [] }],
    status,
    firstSeen: day,
    lastUpdated: day,
  };
}

/** The day's story, new, and yesterday's, unchanged: what a 48-hour window holds. */
function editionFor(i: number): Edition {
  const day = DAYS[i]!;
  const stories = [story(day, 'new'), ...(i > 0 ? [{ ...story(DAYS[i - 1]!, 'unchanged' as const), lastUpdated: DAYS[i - 1]! }] : [])];
  return editionOf(stories, { edition: day, previous: i > 0 ? DAYS[i - 1]! : null });
}

describe('weekly and daily cadence over eight days', () => {
  let s3: EmbeddedS3;
  let dir: string;
  let smtp: SmtpCatcher;
  const results: DeliverResult[] = [];
  const received = new Map<string, Array<{ day: string; text: string }>>();
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'newsdigest-weekly-'));
    s3 = await startEmbeddedS3({ directory: dir });
    await s3.createBucket('weekly');
    const store = new S3ObjectStore(s3.client, 'weekly');
    smtp = await startSmtpCatcher();
    const renderer = createRenderer(loadTemplates());
    const at0 = new Date(`${DAYS[0]}T06:00:00Z`);
    await createSubscriber(store, { email: 'daily@example.org', status: 'active', at: at0 });
    await createSubscriber(store, { email: 'weekly@example.org', status: 'active', preferences: { ...DEFAULT_PREFERENCES, cadence: { kind: 'weekly', day: 'monday' } }, at: at0 });
    for (const [i, day] of DAYS.entries()) {
      const e = editionFor(i);
      const r = renderer(e);
      await store.put(editionKey(day, 'json'), r.json, 'application/json');
      await store.put(editionKey(day, 'html'), r.html, 'text/html; charset=utf-8');
      await store.put(editionKey(day, 'mailText'), r.emailText, 'text/plain; charset=utf-8');
      await store.put(ARCHIVE_KEYS.latestPointer, JSON.stringify({ schema: 'newsdigest.latest/1', edition: day, title: e.title, stories: e.stories.length, updatedAt: null, keys: {} }), 'application/json');
      const before = smtp.messages.length;
      const mailer = createMailer({ mailer: 'smtp', smtpUrl: smtp.url });
      results.push(await deliverLatest({ store, mailer, clock: { now: () => new Date(`${day}T07:00:00Z`) }, from: 'News <digest@news.example.com>', render: renderer }));
      await mailer.close();
      for (const m of smtp.messages.slice(before)) {
        const to = m.envelope.to[0]!;
        received.set(to, [...(received.get(to) ?? []), { day, text: m.parsed.text ?? '' }]);
      }
    }
  }, 120_000);
  afterAll(async () => {
    await smtp?.close();
    await s3?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the daily subscriber gets one email a day, each with that day\'s story only', () => {
    const daily = received.get('daily@example.org')!;
    expect(daily.map((m) => m.day)).toEqual(DAYS);
    for (const m of daily.slice(1)) {
      expect(m.text).toContain(headline(m.day));
      for (const other of DAYS.filter((d) => d !== m.day)) expect(m.text).not.toContain(headline(other));
    }
  });

  it('the weekly subscriber gets one email a week, on their day, holding the week\'s news', () => {
    const weekly = received.get('weekly@example.org')!;
    expect(weekly.map((m) => m.day)).toEqual([DAYS[0], DAYS[7]]);
    const week = weekly[1]!.text;
    // Tuesday to Monday, though only Sunday's and Monday's stories are in Monday's edition.
    for (const day of DAYS.slice(1)) expect(week).toContain(headline(day));
    expect(week).not.toContain(headline(DAYS[0]!)); // already sent the Monday before
    expect(results.slice(1, 7)).toEqual(results.slice(1, 7).map(() => expect.objectContaining({ sent: 1, notTheirDay: 1 })));
  });
});
