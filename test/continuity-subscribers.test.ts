// Each subscriber gets what is new to them, through the embedded S3 and a real SMTP server that refuses some
// addresses on some days: a subscriber whose send failed, or who joined late, gets the days they missed as new
// in one email; one who got yesterday's gets only what developed; a subscriber who missed a day gets it the
// next day. Then the story pages the same days publish.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EditionSchema, editionFor, inWindow, type Edition } from '../functions/core/edition.ts';
import { createStoryRenderer } from '../functions/core/render-story.ts';
import { StoryPageSchema, type StoryPage } from '../functions/core/story-page.ts';
import { loadArticleRecords } from '../functions/pipeline/digest.ts';
import { publishStoryPages, storyKey } from '../functions/pipeline/story-pages.ts';
import { loadTemplates } from '../functions/templates.ts';
import { createDeliverHandler } from '../functions/deliver/handler.ts';
import { DeliveryIncompleteError, SUBSCRIBERS_KEY, type DeliverResult } from '../functions/pipeline/deliver.ts';
import { lastDeliveredKey } from '../functions/pipeline/last-delivered.ts';
import { subscriberId } from '../functions/core/email.ts';
import { createRuntime, lazy } from '../functions/runtime.ts';
import { readText, uploadFile } from '../local/pipeline.ts';
import { seedFiles, startPipelineAt, startSmtpCatcher, type SmtpCatcher } from './helpers.ts';

const BRIDGE = `Old river bridge reopens to traffic after two years of repairs

The Castelby river bridge reopened to cars and buses on Tuesday morning, two years after cracks in its main arch forced the city to close it.

Engineers replaced the steel bearings, strengthened the arch with carbon fibre and laid a new deck, at a cost of 41 million.

Shopkeepers on both banks said trade had fallen by a third while traffic took the ring road, and welcomed the first queue of cars with coffee.

Cyclists keep a separated lane, and heavy lorries remain banned from the crossing until load tests end in the spring.`;
const OIL = readFileSync(path.resolve(import.meta.dirname, 'fixtures', 'text', 'reuters.txt'));
const OIL_HEADLINE = 'Oil prices steady as traders weigh supply outlook';
const ENVOY = 'envoy discussed ceasefire with';
const BRIDGE_HEADLINE = 'Old river bridge reopens';

const seeds = seedFiles();
interface Day {
  at: string;
  uploads: Array<[string, Uint8Array | string]>;
  subscribers: string[];
  /** Addresses the SMTP server refuses that day. */
  refused: string[];
}
/** ann gets every day; cat is refused on day 1; dan joins on day 2; eve is refused on day 2. */
const DAYS: Day[] = [
  {
    at: '2025-04-23T10:00:00Z',
    uploads: [...seeds.slice(0, 3).map((s) => [`inbox/${s.name}`, s.body] as [string, Uint8Array]), ['inbox/bridge.txt', BRIDGE]],
    subscribers: ['ann@example.org', 'cat@example.org', 'eve@example.org'],
    refused: ['cat@example.org'],
  },
  {
    at: '2025-04-24T10:00:00Z',
    uploads: [...seeds.slice(3).map((s) => [`inbox/${s.name}`, s.body] as [string, Uint8Array]), ['inbox/oil.txt', OIL]],
    subscribers: ['ann@example.org', 'cat@example.org', 'dan@example.org', 'eve@example.org'],
    refused: ['eve@example.org'],
  },
  { at: '2025-04-25T10:00:00Z', uploads: [['inbox/again/oil.txt', OIL]], subscribers: ['ann@example.org', 'cat@example.org', 'dan@example.org', 'eve@example.org'], refused: [] },
];

interface DayResult {
  edition: Edition;
  delivered: DeliverResult;
  /** Messages received that day, by recipient. */
  mail: Map<string, { html: string; text: string; subject: string }>;
  /** Every key under digests/stories/ with its ETag, after the day's publish. */
  storyEtags: Map<string, string>;
  page: string;
  lastOf: Map<string, string | null>;
  /** Story pages' JSON by story id. */
  stories: Map<string, StoryPage>;
  /** Keys a second publish of the day's story pages wrote (a rebuild of the same inputs). */
  rewritten: string[];
}

describe('each subscriber gets what is new to them', () => {
  let dir: string;
  let smtp: SmtpCatcher;
  const days: DayResult[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'newsdigest-subscribers-'));
    smtp = await startSmtpCatcher();
    for (const day of DAYS) {
      const env = { MAILER: 'smtp', SMTP_URL: smtp.url, PUBLIC_BASE_URL: 'https://news.example.com/digests/' };
      const p = await startPipelineAt(dir, day.at, { env });
      try {
        smtp.refused.clear();
        for (const a of day.refused) smtp.refused.add(a);
        await uploadFile(p.s3.client, p.bucket, SUBSCRIBERS_KEY, Buffer.from(JSON.stringify(day.subscribers)));
        for (const [key, body] of day.uploads) await uploadFile(p.s3.client, p.bucket, key, typeof body === 'string' ? Buffer.from(body) : body);
        await p.runner.idle();
        if (p.runner.errors.length) throw new Error(`${day.at}: ${String(p.runner.errors[0]!.error)}`);
        const edition = EditionSchema.parse(JSON.parse((await readText(p.s3.client, p.bucket, 'digests/latest/digest.json'))!));
        const before = smtp.messages.length;
        const delivered = await createDeliverHandler(lazy(() => createRuntime(p.env)))({}).catch((e: unknown) => {
          if (e instanceof DeliveryIncompleteError) return e.result;
          throw e;
        });
        const mail = new Map(
          smtp.messages.slice(before).map((m) => [m.envelope.to[0]!, { html: m.parsed.html as string, text: m.parsed.text ?? '', subject: m.parsed.subject ?? '' }]),
        );
        const storyEtags = new Map<string, string>();
        for await (const o of p.store.list('digests/stories/')) storyEtags.set(o.key, o.etag ?? '');
        const lastOf = new Map<string, string | null>();
        for (const a of day.subscribers) {
          const t = await readText(p.s3.client, p.bucket, lastDeliveredKey(subscriberId(a)));
          lastOf.set(a, t === null ? null : (JSON.parse(t) as { edition: string }).edition);
        }
        const page = (await readText(p.s3.client, p.bucket, `digests/${edition.edition}/index.html`))!;
        const stories = new Map<string, StoryPage>();
        for (const key of storyEtags.keys()) {
          if (key.endsWith('.json')) stories.set(key.split('/')[2]!, StoryPageSchema.parse(JSON.parse((await readText(p.s3.client, p.bucket, key))!)));
        }
        const records = inWindow(await loadArticleRecords(p.store), editionFor(new Date(day.at), 48).window);
        const renderStory = createStoryRenderer(loadTemplates())!;
        const rewritten = await publishStoryPages({ store: p.store, render: renderStory }, edition, records);
        days.push({ edition, delivered, mail, storyEtags, page, lastOf, stories, rewritten });
      } finally {
        await p.close();
      }
    }
  }, 240_000);
  afterAll(async () => {
    await smtp?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('day 1: mails those the server accepts, and records what each received', () => {
    const day1 = days[0]!;
    expect(day1.delivered).toMatchObject({ status: 'incomplete', sent: 2, failed: [{ subscriber: subscriberId('cat@example.org') }] });
    expect([...day1.mail.keys()].sort()).toEqual(['ann@example.org', 'eve@example.org']);
    expect(Object.fromEntries(day1.lastOf)).toEqual({ 'ann@example.org': '2025-04-23', 'cat@example.org': null, 'eve@example.org': '2025-04-23' });
  });

  it('day 2: whoever got day 1 gets what developed; a failed or late subscriber gets both days as new, in one shared render', () => {
    const day2 = days[1]!;
    expect(day2.edition).toMatchObject({ previous: '2025-04-23', counts: { new: 1, developing: 1, unchanged: 1 } });
    expect(day2.delivered).toMatchObject({ status: 'incomplete', sent: 3, failed: [{ subscriber: subscriberId('eve@example.org') }] });
    const ann = day2.mail.get('ann@example.org')!;
    expect(ann.text).toContain(OIL_HEADLINE);
    expect(ann.text).toMatch(/Developing: \+2 articles since 23 Apr/);
    expect(ann.text).not.toContain(BRIDGE_HEADLINE);
    for (const who of ['cat@example.org', 'dan@example.org']) {
      const m = day2.mail.get(who)!;
      for (const part of [m.html, m.text]) {
        for (const h of [OIL_HEADLINE, ENVOY, BRIDGE_HEADLINE]) expect(part).toContain(h);
        expect(part).not.toContain('Developing');
        expect(part).not.toContain('unchanged since');
      }
      expect(m.subject).toContain('(+2 more)');
    }
    expect(day2.mail.get('cat@example.org')!.html).toBe(day2.mail.get('dan@example.org')!.html);
    expect(Object.fromEntries(day2.lastOf)).toMatchObject({ 'ann@example.org': '2025-04-24', 'cat@example.org': '2025-04-24', 'dan@example.org': '2025-04-24', 'eve@example.org': '2025-04-23' });
  });

  it('day 3: nothing for those who got day 2; day 2 for the one who missed it', () => {
    const day3 = days[2]!;
    expect(day3.edition.counts).toMatchObject({ new: 0, developing: 0 });
    expect(day3.delivered).toMatchObject({ status: 'delivered', sent: 1, nothingNew: 3 });
    expect([...day3.mail.keys()]).toEqual(['eve@example.org']);
    const eve = day3.mail.get('eve@example.org')!;
    expect(eve.text).toContain(OIL_HEADLINE);
    expect(eve.text).toMatch(/Developing: \+2 articles since 23 Apr: (VOCO Media, RT|RT, VOCO Media)/);
    expect(eve.text).not.toContain(BRIDGE_HEADLINE);
    expect(day3.lastOf.get('eve@example.org')).toBe('2025-04-25');
    expect(day3.lastOf.get('ann@example.org')).toBe('2025-04-24');
  });

  describe('a page per story', () => {
      const envoyOf = (d: DayResult) => d.edition.stories.find((s) => !s.headline.startsWith(BRIDGE_HEADLINE) && !s.headline.startsWith(OIL_HEADLINE))!;

    it('exists after day 1, linked from the edition page and the email', () => {
      const day1 = days[0]!;
      const envoy = envoyOf(day1);
      const page = day1.stories.get(envoy.id)!;
      expect(page).toMatchObject({ id: envoy.id, firstSeen: '2025-04-23', mergedInto: null, timeline: [{ edition: '2025-04-23', status: 'new' }] });
      expect(page.timeline[0]!.arrived).toHaveLength(3);
      expect(page.timeline[0]!.arrived.some((a) => a.copyOf !== null)).toBe(true); // the collapsed copy is listed as one
      // Links resolve to the stored page: relative from the edition page, absolute from the email.
      expect(day1.page).toContain(`href="../stories/${envoy.id}/index.html"`);
      expect(day1.storyEtags.has(storyKey(envoy.id, 'page'))).toBe(true);
      for (const part of [day1.mail.get('ann@example.org')!.html, day1.mail.get('ann@example.org')!.text]) {
        expect(part).toContain(`https://news.example.com/digests/stories/${envoy.id}/index.html`);
      }
    });

    it('gains the day-2 entry (the articles that arrived, the new outlets), and unchanged stories are not rewritten', () => {
      const [day1, day2] = [days[0]!, days[1]!];
      const envoy = envoyOf(day2);
      expect(envoy.id).toBe(envoyOf(day1).id);
      const page = day2.stories.get(envoy.id)!;
      expect(page.timeline.map((e) => [e.edition, e.status])).toEqual([['2025-04-23', 'new'], ['2025-04-24', 'developing']]);
      const entry = page.timeline[1]!;
      expect(entry.arrived.map((a) => a.publisher).sort()).toEqual(['RT', 'VOCO Media']);
      expect([...entry.outletsAdded].sort()).toEqual(['RT', 'VOCO Media']);
      const bridge = day2.edition.stories.find((s) => s.headline.startsWith(BRIDGE_HEADLINE))!;
      expect(bridge.status).toBe('unchanged');
      expect(day2.storyEtags.get(storyKey(bridge.id, 'page'))).toBe(day1.storyEtags.get(storyKey(bridge.id, 'page')));
      expect(day2.storyEtags.get(storyKey(envoy.id, 'page'))).not.toBe(day1.storyEtags.get(storyKey(envoy.id, 'page')));
    });

    it('writes nothing on a day where nothing changed, nor when a day is published again from the same inputs', () => {
      const [day2, day3] = [days[1]!, days[2]!];
      expect(day3.storyEtags).toEqual(day2.storyEtags);
      for (const d of days) expect(d.rewritten).toEqual([]);
    });
  });
});
