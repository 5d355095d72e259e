// The email across days, through the embedded S3 and a real SMTP catcher, each day under its own clock: new
// stories first, then developing ones with what is new, unchanged ones only counted; a day with nothing new
// or developing mails nothing.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EditionSchema, type Edition } from '../functions/core/edition.ts';
import { createDeliverHandler } from '../functions/deliver/handler.ts';
import { SUBSCRIBERS_KEY, type DeliverResult } from '../functions/pipeline/deliver.ts';
import { createRuntime, lazy } from '../functions/runtime.ts';
import { readText, uploadFile } from '../local/pipeline.ts';
import { seedFiles, startPipelineAt, startSmtpCatcher, type SmtpCatcher } from './helpers.ts';

const BRIDGE = `Old river bridge reopens to traffic after two years of repairs

The Castelby river bridge reopened to cars and buses on Tuesday morning, two years after cracks in its main arch forced the city to close it.

Engineers replaced the steel bearings, strengthened the arch with carbon fibre and laid a new deck, at a cost of 41 million.

Shopkeepers on both banks said trade had fallen by a third while traffic took the ring road, and welcomed the first queue of cars with coffee.

Cyclists keep a separated lane, and heavy lorries remain banned from the crossing until load tests end in the spring.`;
const OIL = readFileSync(path.resolve(import.meta.dirname, 'fixtures', 'text', 'reuters.txt'));

const seeds = seedFiles();
/** Day 1: the envoy story from seeds 000-002, and the bridge. Day 2: 003 (VOCO Media), 004 (RT), the oil story. Day 3: the oil story again under another key. */
const DAYS: Array<{ at: string; uploads: Array<[string, Uint8Array | string]> }> = [
  { at: '2025-04-23T10:00:00Z', uploads: [...seeds.slice(0, 3).map((s) => [`inbox/${s.name}`, s.body] as [string, Uint8Array]), ['inbox/bridge.txt', BRIDGE]] },
  { at: '2025-04-24T10:00:00Z', uploads: [...seeds.slice(3).map((s) => [`inbox/${s.name}`, s.body] as [string, Uint8Array]), ['inbox/oil.txt', OIL]] },
  { at: '2025-04-25T10:00:00Z', uploads: [['inbox/again/oil.txt', OIL]] },
];

describe('the email across three days', () => {
  let dir: string;
  let smtp: SmtpCatcher;
  const days: Array<{ edition: Edition; delivered: DeliverResult; page: string }> = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'newsdigest-mail-days-'));
    smtp = await startSmtpCatcher();
    for (const day of DAYS) {
      const env = { MAILER: 'smtp', SMTP_URL: smtp.url, PUBLIC_BASE_URL: 'https://news.example.com/digests/' };
      const p = await startPipelineAt(dir, day.at, { env });
      try {
        await uploadFile(p.s3.client, p.bucket, SUBSCRIBERS_KEY, Buffer.from(JSON.stringify(['ann@example.org'])));
        for (const [key, body] of day.uploads) await uploadFile(p.s3.client, p.bucket, key, typeof body === 'string' ? Buffer.from(body) : body);
        await p.runner.idle();
        if (p.runner.errors.length) throw new Error(`${day.at}: ${String(p.runner.errors[0]!.error)}`);
        const edition = EditionSchema.parse(JSON.parse((await readText(p.s3.client, p.bucket, 'digests/latest/digest.json'))!));
        const delivered = await createDeliverHandler(lazy(() => createRuntime(p.env)))({});
        days.push({ edition, delivered, page: (await readText(p.s3.client, p.bucket, `digests/${edition.edition}/index.html`))! });
      } finally {
        await p.close();
      }
    }
  }, 180_000);
  afterAll(async () => {
    await smtp?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('mails day 1 whole: both stories are new', () => {
    const [day1] = days;
    expect(day1!.edition).toMatchObject({ edition: '2025-04-23', counts: { stories: 2, new: 2 } });
    expect(day1!.delivered).toMatchObject({ status: 'delivered', sent: 1 });
    const html = smtp.messages[0]!.parsed.html as string;
    for (const s of day1!.edition.stories) expect(html).toContain(s.headline);
  });

  it('mails day 2 with the new story first, then the developing one with its new outlets, and only counts the unchanged one', () => {
    const day2 = days[1]!;
    expect(day2.edition).toMatchObject({ edition: '2025-04-24', previous: '2025-04-23', counts: { stories: 3, new: 1, developing: 1, unchanged: 1 } });
    expect(day2.delivered).toMatchObject({ status: 'delivered', sent: 1 });
    expect(smtp.messages).toHaveLength(2);
    const { parsed } = smtp.messages[1]!;
    const html = parsed.html as string;
    const text = parsed.text!;
    const oil = 'Oil prices steady as traders weigh supply outlook';
    expect(day2.edition.stories.find((s) => s.status === 'developing')!.headline).toContain('envoy discussed ceasefire with');
    expect(parsed.subject).toContain(oil);
    expect(parsed.subject).toContain('(+1 more)');
    for (const part of [html, text]) {
      expect(part.indexOf(oil)).toBeGreaterThan(-1);
      expect(part.indexOf(oil)).toBeLessThan(part.indexOf('envoy discussed ceasefire with'));
      expect(part).toMatch(/Developing: \+2 articles since 23 Apr: (VOCO Media, RT|RT, VOCO Media); new\s+headline/);
      expect(part).not.toContain('Old river bridge reopens');
      expect(part).toMatch(/1 story unchanged since 23 Apr 2025, not\s+repeated here/);
      expect(part).toContain('https://news.example.com/digests/2025-04-24/index.html');
    }
    // The web edition still shows everything, marked.
    expect(day2.page).toContain('Old river bridge reopens');
    expect(day2.page).toContain('class="status status-unchanged">Unchanged since 23 Apr<');
  });

  it('mails nothing on day 3, when every story is unchanged', () => {
    const day3 = days[2]!;
    expect(day3.edition).toMatchObject({ edition: '2025-04-25', previous: '2025-04-24', counts: { new: 0, developing: 0 } });
    expect(day3.edition.counts.unchanged).toBeGreaterThan(0);
    expect(day3.delivered).toEqual({ status: 'nothing-new', edition: '2025-04-25' });
    expect(smtp.messages).toHaveLength(2);
  });
});
