// Delivery: the latest edition over real SMTP (smtp-server + mailparser in this process), exactly once per
// edition and subscriber, and the retry paths: a second run, a crash between send and record, a timeout.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScheduledEvent } from 'aws-lambda';
import type { Mailer, OutgoingMessage } from '../functions/adapters/mailer.ts';
import { createMailer } from '../functions/adapters/mailer.ts';
import { EditionSchema, type Edition } from '../functions/core/edition.ts';
import type { ObjectStore } from '../functions/core/ports.ts';
import { S3ObjectStore } from '../functions/adapters/s3-store.ts';
import { startEmbeddedS3, type EmbeddedS3 } from '../local/embedded-s3.ts';
import { createRenderer } from '../functions/core/render.ts';
import { editionSubject } from '../functions/core/text-format.ts';
import { createDeliverHandler } from '../functions/deliver/handler.ts';
import { ARCHIVE_KEYS, editionKey } from '../functions/pipeline/archive.ts';
import { DeliveryIncompleteError, SUBSCRIBERS_KEY, deliverLatest, markerKey, storeMarker, type DeliverDeps } from '../functions/pipeline/deliver.ts';
import { createRuntime, lazy } from '../functions/runtime.ts';
import { loadTemplates } from '../functions/templates.ts';
import { editionOf } from './edition-fixture.ts';
import { seedFiles, startSmtpCatcher, startTestPipeline, type SmtpCatcher, type TestPipeline } from './helpers.ts';
import { lineSink, metricsLines } from './log-lines.ts';

function scheduledEvent(): ScheduledEvent {
  return {
    version: '0',
    id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: '2026-11-22T07:00:00Z',
    region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:123456789012:rule/newsdigest-deliver'],
    detail: {},
  };
}

const FROM = 'News digest <digest@news.example.com>';
const SUBSCRIBERS = { subscribers: [{ email: 'ann@example.org', name: 'Ann\r\nBcc: mallory@example.net' }, 'bob@example.org', 'BOB@example.org'] };

describe('deliver over real SMTP, through the embedded S3', () => {
  let p: TestPipeline;
  let smtp: SmtpCatcher;
  let edition: Edition;
  let deliver: ReturnType<typeof createDeliverHandler>;

  beforeAll(async () => {
    smtp = await startSmtpCatcher();
    p = await startTestPipeline({
      env: {
        MAILER: 'smtp',
        SMTP_URL: smtp.url,
        MAIL_FROM: FROM,
        UNSUBSCRIBE_URL: 'https://news.example.com/unsubscribe?u={id}',
        PUBLIC_BASE_URL: 'https://news.example.com/digests/',
      },
    });
    for (const seed of seedFiles()) await p.upload(`inbox/${seed.name}`, seed.body);
    await p.runner.idle();
    expect(p.runner.errors).toEqual([]);
    await p.upload(SUBSCRIBERS_KEY, JSON.stringify(SUBSCRIBERS));
    edition = EditionSchema.parse(await p.json(`digests/latest/digest.json`));
    deliver = createDeliverHandler(lazy(() => createRuntime(p.env)));
  });
  afterAll(async () => {
    await p?.cleanup();
    await smtp?.close();
  });

  it('mails the latest edition once to each distinct subscriber, HTML and text, with one-click unsubscribe', async () => {
    const result = await deliver(scheduledEvent(), { getRemainingTimeInMillis: () => 120_000 });
    expect(result).toMatchObject({ status: 'delivered', edition: edition.edition, subscribers: 2, sent: 2, alreadySent: 0, failed: [] });
    expect(smtp.messages).toHaveLength(2);
    expect(smtp.messages.map((m) => m.envelope.to).sort()).toEqual([['ann@example.org'], ['bob@example.org']]);
    for (const { parsed, envelope, raw } of smtp.messages) {
      expect(envelope.from).toBe('digest@news.example.com');
      expect(parsed.subject).toBe(editionSubject(edition));
      expect(parsed.subject).toContain(edition.stories[0]!.headline.slice(0, 40));
      expect(parsed.from?.value).toEqual([{ name: 'News digest', address: 'digest@news.example.com' }]);
      expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value.map((a) => a.address) : []).toEqual(envelope.to);
      // Both parts: the HTML with the story and the credits, the text alternative.
      expect(typeof parsed.html).toBe('string');
      const html = parsed.html as string;
      expect(html).toContain('also published by');
      expect(html).toContain('MENAFN');
      expect(parsed.text).toContain('also published by MENAFN');
      expect(parsed.text).toContain('https://news.example.com/digests/');
      // Headers: one-click unsubscribe (RFC 8058), a Message-ID derived from the edition.
      const headers = raw.toString('utf8').split('\r\n\r\n')[0]!;
      expect(headers).toMatch(/^List-Unsubscribe:\s+<https:\/\/news\.example\.com\/unsubscribe\?u=[0-9a-f]{32}>,\s+<mailto:digest@news\.example\.com\?subject=unsubscribe>/m);
      expect(headers).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
      expect(parsed.messageId).toMatch(new RegExp(`^<${edition.edition}\\.[0-9a-f]{16}\\.[0-9a-f]{16}@news\\.example\\.com>$`));
      // The injected header in a display name stayed inside the To header.
      expect(headers).not.toMatch(/^Bcc:/m);
      expect(parsed.bcc).toBeUndefined();
      // Links: only http(s), and the full edition's public page.
      const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);
      expect(hrefs.length).toBeGreaterThan(0);
      for (const href of hrefs) expect(href).toMatch(/^https?:\/\//);
      expect(hrefs).toContain('https://news.example.com/digests/index.html');
    }
    expect(new Set(smtp.messages.map((m) => m.parsed.messageId)).size).toBe(2);
    // One marker per subscriber, named by a hash, never by the address.
    const markers = await p.keys(`deliveries/${edition.edition}/`);
    expect(markers).toHaveLength(2);
    for (const k of markers) expect(k).not.toContain('@');
  });

  it('sends nothing on a second run', async () => {
    const result = await deliver(scheduledEvent());
    expect(result).toMatchObject({ status: 'delivered', sent: 0, alreadySent: 2 });
    expect(smtp.messages).toHaveLength(2);
  });

  it('stores the edition as a MIME message (message.eml) next to its other files', async () => {
    const eml = await p.text(editionKey(edition.edition, 'message'));
    expect(eml).toMatch(/^Content-Type: multipart\/alternative;/m);
    expect(eml).toMatch(/^To: "?undisclosed-recipients"?:;$/m);
    expect(eml).toContain(`Message-ID: <${edition.edition}.`);
    expect(eml).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
  });

  it('counts the sends and the failed sends in its metrics, once per run, an incomplete run included', async () => {
    await p.upload(SUBSCRIBERS_KEY, JSON.stringify({ subscribers: [...SUBSCRIBERS.subscribers, 'cat@example.org'] }));
    const run = async (smtpUrl: string) => {
      const sink = lineSink();
      const handler = createDeliverHandler(lazy(() => createRuntime({ ...p.env, LOG_LEVEL: 'debug', SMTP_URL: smtpUrl }, { logStream: sink.stream })));
      const outcome = await handler(scheduledEvent()).catch((e: unknown) => e);
      return { outcome, metrics: metricsLines(sink.lines) };
    };
    // Nothing listens there: the one new send fails, and the run throws so that it is retried.
    const down = await run(`smtp://127.0.0.1:${await closedPort()}`);
    expect(down.outcome).toBeInstanceOf(DeliveryIncompleteError);
    expect(down.metrics).toMatchObject([{ _aws: { CloudWatchMetrics: [{ Namespace: 'newsdigest' }] }, EmailsSent: 0, EmailsFailed: 1 }]);
    const up = await run(smtp.url);
    expect(up.outcome).toMatchObject({ status: 'delivered', sent: 1, alreadySent: 2 });
    expect(up.metrics).toMatchObject([{ EmailsSent: 1, EmailsFailed: 0 }]);
    expect(smtp.messages.at(-1)!.envelope.to).toEqual(['cat@example.org']);
  });
});

/** A local port nobody listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// ---------------------------------------------------------------------------------------------------
// The retry paths, through the embedded S3 (a fresh bucket per case). Only the mailer is a stand-in: a hang, or a
// crash between a send and its record, is not something a real SMTP server can be told to do.

let s3: EmbeddedS3 | undefined;
let s3Dir = '';
let buckets = 0;

async function freshStore(): Promise<S3ObjectStore> {
  if (!s3) {
    s3Dir = mkdtempSync(path.join(tmpdir(), 'newsdigest-deliver-'));
    s3 = await startEmbeddedS3({ directory: s3Dir });
  }
  const bucket = `deliver-${++buckets}`;
  await s3.createBucket(bucket);
  return new S3ObjectStore(s3.client, bucket);
}

afterAll(async () => {
  await s3?.close();
  if (s3Dir) rmSync(s3Dir, { recursive: true, force: true });
});

function sampleEdition(stories = 2): Edition {
  return editionOf(
    Array.from({ length: stories }, (_, i) => ({
      id: `s_${i}`,
      headline: `Story ${i} headline`,
      summary: `Story ${i} summary. It has two sentences.`,
      language: 'en',
      publishedAt: '2026-11-22T05:00:00.000Z',
      outlets: [`Outlet ${i}`],
      articleCount: 1,
      entries: [
        { id: `a_${i}`, title: `Story ${i}`, publisher: `Outlet ${i}`, author: null, url: `https://outlet${i}.example/a`, publishedAt: null, language: 'en', words: 100, copies: [] },
      ],
    })),
  );
}

async function publishSample(store: ObjectStore, edition: Edition, subscribers: unknown = ['a@example.org', 'b@example.org', 'c@example.org']) {
  const r = createRenderer(loadTemplates())(edition);
  await store.put(editionKey(edition.edition, 'json'), r.json, 'application/json');
  await store.put(editionKey(edition.edition, 'html'), r.html, 'text/html; charset=utf-8');
  await store.put(editionKey(edition.edition, 'text'), r.text, 'text/plain; charset=utf-8');
  await store.put(ARCHIVE_KEYS.latestPointer, JSON.stringify({ schema: 'newsdigest.latest/1', edition: edition.edition, title: edition.title, stories: edition.stories.length, updatedAt: null, keys: {} }), 'application/json');
  await store.put(SUBSCRIBERS_KEY, JSON.stringify(subscribers), 'application/json');
}

function recordingMailer(behaviour: (to: string, attempt: number) => 'ok' | 'hang' | 'fail' = () => 'ok') {
  const sent: Array<{ to: string; messageId: string }> = [];
  const attempts = new Map<string, number>();
  const mailer: Mailer = {
    kind: 'test',
    async send(message: OutgoingMessage) {
      const to = message.to[0]!;
      const n = (attempts.get(to) ?? 0) + 1;
      attempts.set(to, n);
      const what = behaviour(to, n);
      if (what === 'hang') return new Promise(() => undefined);
      if (what === 'fail') throw new Error('421 try again later');
      const messageId = Buffer.from(message.raw).toString('utf8').match(/^Message-ID: (.*)$/m)![1]!.trim();
      sent.push({ to, messageId });
      return { id: `test-${sent.length}` };
    },
    close: async () => undefined,
  };
  return { mailer, sent };
}

function deps(store: ObjectStore, mailer: Mailer, extra: Partial<DeliverDeps> = {}): DeliverDeps {
  return { store, mailer, clock: { now: () => new Date('2026-11-22T07:00:00Z') }, from: FROM, sendTimeoutMs: 200, ...extra };
}

describe("the email's plain-text part", () => {
  it("carries the HTML part's stories (email.txt); an edition stored before email.txt existed falls back to digest.txt", async () => {
    const store = await freshStore();
    const edition = sampleEdition(300);
    const r = createRenderer(loadTemplates(), { maxEmailBytes: 60_000 })(edition);
    expect(r.emailStories).toBeLessThan(300);
    await publishSample(store, edition, ['a@example.org']); // digest.txt only
    await store.put(editionKey(edition.edition, 'html'), r.html, 'text/html; charset=utf-8');
    const texts: string[] = [];
    const { simpleParser } = await import('mailparser');
    const mailer: Mailer = {
      kind: 'test',
      async send(message: OutgoingMessage) {
        texts.push((await simpleParser(Buffer.from(message.raw))).text ?? '');
        return { id: `t-${texts.length}` };
      },
      close: async () => undefined,
    };
    await deliverLatest(deps(store, mailer));
    expect(texts[0]).toContain('Story 299 headline');

    const next = await freshStore();
    await publishSample(next, edition, ['a@example.org']);
    await next.put(editionKey(edition.edition, 'html'), r.html, 'text/html; charset=utf-8');
    await next.put(editionKey(edition.edition, 'mailText'), r.emailText, 'text/plain; charset=utf-8');
    await deliverLatest(deps(next, mailer));
    expect(texts[1]).toContain(`Story ${r.emailStories - 1} headline`);
    expect(texts[1]).not.toContain('Story 299 headline');
    expect(texts[1]).toContain(`${300 - r.emailStories} more stories in this edition`);
  });
});

describe('exactly once per edition and subscriber', () => {
  it('a second invocation sends nothing', async () => {
    const store = await freshStore();
    await publishSample(store, sampleEdition());
    const { mailer, sent } = recordingMailer();
    await expect(deliverLatest(deps(store, mailer))).resolves.toMatchObject({ status: 'delivered', sent: 3 });
    await expect(deliverLatest(deps(store, mailer))).resolves.toMatchObject({ status: 'delivered', sent: 0, alreadySent: 3 });
    expect(sent.map((s) => s.to)).toEqual(['a@example.org', 'b@example.org', 'c@example.org']);
  });

  it('a crash after sending and before recording gives at most one duplicate, with the same Message-ID', async () => {
    const store = await freshStore();
    await publishSample(store, sampleEdition());
    const { mailer, sent } = recordingMailer();
    // The store accepts the send's marker write for nobody: the run stops right after the first send.
    const crashing = async () => {
      throw new Error('S3 unavailable');
    };
    await expect(deliverLatest(deps(store, mailer, { createMarker: crashing }))).rejects.toThrow('S3 unavailable');
    expect(sent.map((s) => s.to)).toEqual(['a@example.org']);
    // The retry: a@ gets its one duplicate, the others their first and only copy.
    await expect(deliverLatest(deps(store, mailer))).resolves.toMatchObject({ status: 'delivered', sent: 3 });
    await expect(deliverLatest(deps(store, mailer))).resolves.toMatchObject({ sent: 0 });
    expect(sent.map((s) => s.to)).toEqual(['a@example.org', 'a@example.org', 'b@example.org', 'c@example.org']);
    expect(sent[0]!.messageId).toBe(sent[1]!.messageId);
  });

  it('a send that times out is retried by the next run, and only that one', async () => {
    const store = await freshStore();
    await publishSample(store, sampleEdition());
    const { mailer, sent } = recordingMailer((to, attempt) => (to === 'b@example.org' && attempt === 1 ? 'hang' : 'ok'));
    const first = deliverLatest(deps(store, mailer));
    await expect(first).rejects.toBeInstanceOf(DeliveryIncompleteError);
    await expect(first).rejects.toThrow(/2 sent, 0 already sent, 1 failed/);
    expect(sent.map((s) => s.to)).toEqual(['a@example.org', 'c@example.org']);
    expect(await store.get(markerKey('2026-11-22', 'b@example.org'))).toBeNull();
    await expect(deliverLatest(deps(store, mailer))).resolves.toMatchObject({ status: 'delivered', sent: 1, alreadySent: 2 });
    expect(sent.map((s) => s.to)).toEqual(['a@example.org', 'c@example.org', 'b@example.org']);
  });

  it('stops starting sends when the invocation runs out of time, and the next run finishes', async () => {
    const store = await freshStore();
    await publishSample(store, sampleEdition());
    const { mailer, sent } = recordingMailer();
    let left = 60_000;
    const remainingMs = () => (left -= 30_000);
    await expect(deliverLatest(deps(store, mailer, { remainingMs, sendTimeoutMs: 10_000 }))).rejects.toThrow(/1 sent.*2 deferred/);
    await expect(deliverLatest(deps(store, mailer))).resolves.toMatchObject({ sent: 2, alreadySent: 1 });
    expect(sent).toHaveLength(3);
  });

  it('detects a concurrent run through the conditional marker write', async () => {
    const store = await freshStore();
    await publishSample(store, sampleEdition(), ['a@example.org']);
    const { mailer } = recordingMailer();
    const logs: Array<Record<string, unknown>> = [];
    // Another run records the marker between our check and our write (the default write: the store's create-only put).
    const theirs = '{"recordedBy":"the other run"}\n';
    const racing = async (key: string, body: string) => {
      await store.put(key, theirs, 'application/json');
      return storeMarker(store)(key, body);
    };
    await deliverLatest(deps(store, mailer, { createMarker: racing, log: (e) => logs.push(e) }));
    expect(logs.some((l) => String(l.msg).includes('duplicate'))).toBe(true);
    // The other run's marker stands: ours did not overwrite it.
    const marker = await store.get(markerKey('2026-11-22', 'a@example.org'));
    expect(new TextDecoder().decode(marker!.body)).toBe(theirs);
  });

  it('never sends an empty edition, nor anything without an edition or subscribers', async () => {
    const { mailer, sent } = recordingMailer();
    const none = await freshStore();
    await expect(deliverLatest(deps(none, mailer))).resolves.toEqual({ status: 'no-edition' });
    const empty = await freshStore();
    await publishSample(empty, sampleEdition(0));
    await expect(deliverLatest(deps(empty, mailer))).resolves.toEqual({ status: 'empty', edition: '2026-11-22' });
    const nobody = await freshStore();
    await publishSample(nobody, sampleEdition(), []);
    await expect(deliverLatest(deps(nobody, mailer))).resolves.toEqual({ status: 'no-subscribers', edition: '2026-11-22' });
    expect(sent).toEqual([]);
  });

  it('names what is wrong in a bad subscriber list, and falls back to the SUBSCRIBERS setting without one', async () => {
    const { mailer, sent } = recordingMailer();
    const bad = await freshStore();
    await publishSample(bad, sampleEdition(), { subscribers: [{ email: 'not an address' }] });
    await expect(deliverLatest(deps(bad, mailer))).rejects.toThrow(/invalid config\/subscribers\.json: subscribers/);
    const fallback = await freshStore();
    await publishSample(fallback, sampleEdition());
    await fallback.delete(SUBSCRIBERS_KEY);
    await deliverLatest(deps(fallback, mailer, { fallbackSubscribers: 'Zoe <zoe@example.org>, yan@example.org' }));
    expect(sent.map((s) => s.to)).toEqual(['yan@example.org', 'zoe@example.org']);
  });
});

describe('mailer selection', () => {
  it('uses SMTP when configured and insists on a URL for it', () => {
    expect(createMailer({ mailer: 'smtp', smtpUrl: 'smtp://127.0.0.1:2525' }).kind).toBe('smtp');
    expect(() => createMailer({ mailer: 'smtp' })).toThrow(/SMTP_URL/);
    expect(createMailer({ mailer: 'ses', region: 'eu-west-1' }).kind).toBe('ses');
  });
});
