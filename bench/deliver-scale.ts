// Delivery at scale: 10,000 subscribers with 50 distinct preference sets on a 1,000-story edition, through the
// deliver pipeline as the handler runs it (the embedded S3, the templates, SMTP to a local smtp-server on
// loopback that accepts and discards). Prints the renders per second and the time to hand every message over
// (goal ≤ 5 minutes here: the function's limit is 15). The SMTP connection is pooled (SMTP_URL ?pool=true).
//   npx tsx bench/deliver-scale.ts [--subscribers N] [--stories N] [--json]
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { SMTPServer } from 'smtp-server';
import { createMailer } from '../functions/adapters/mailer.ts';
import { S3ObjectStore } from '../functions/adapters/s3-store.ts';
import type { Edition } from '../functions/core/edition.ts';
import { createRenderer } from '../functions/core/render.ts';
import { DEFAULT_PREFERENCES, type Preferences } from '../functions/core/subscriber.ts';
import { ARCHIVE_KEYS, editionKey } from '../functions/pipeline/archive.ts';
import { deliverLatest } from '../functions/pipeline/deliver.ts';
import { createSubscriber } from '../functions/pipeline/subscribers.ts';
import { loadTemplates } from '../functions/templates.ts';
import { startEmbeddedS3 } from '../local/embedded-s3.ts';
import { syntheticEdition } from './synthetic-edition.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SUBSCRIBERS = arg('--subscribers', 10_000);
const STORIES = arg('--stories', 1_000);
const SETS = 50;
const GOAL_MS = 5 * 60_000;

/** 50 distinct preference sets: the default, muted outlets, topics in and out, languages, only what is new. */
function preferenceSets(): Preferences[] {
  return Array.from({ length: SETS }, (_, i): Preferences => {
    if (i === 0) return DEFAULT_PREFERENCES;
    // Each set mutes its own outlet (distinct sets); a third follow a few story numbers (≈ 20 stories each).
    return {
      ...DEFAULT_PREFERENCES,
      mutedOutlets: [`Outlet ${i % 40}`, ...(i >= 40 ? [`Outlet ${i}`] : [])],
      topics: { include: i % 3 === 0 ? Array.from({ length: 20 }, (_, k) => `${i + k * 50}`) : [], exclude: i % 5 === 0 ? [`${i}`] : [] },
      languages: i % 11 === 0 ? ['en'] : [],
      content: i % 4 === 0 ? 'new' : 'full',
    };
  });
}

/** An SMTP server on loopback that reads each message and drops it. */
async function startSink(): Promise<{ url: string; received: () => number; close: () => Promise<void> }> {
  let received = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onData(stream, _session, callback) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received++;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  return { url: `smtp://127.0.0.1:${port}`, received: () => received, close: () => new Promise((r) => server.close(() => r())) };
}

async function publish(store: S3ObjectStore, e: Edition, render: ReturnType<typeof createRenderer>) {
  const r = render(e);
  await store.put(editionKey(e.edition, 'json'), r.json, 'application/json');
  await store.put(editionKey(e.edition, 'html'), r.html, 'text/html; charset=utf-8');
  await store.put(editionKey(e.edition, 'mailText'), r.emailText, 'text/plain; charset=utf-8');
  const pointer = { schema: 'newsdigest.latest/1', edition: e.edition, title: e.title, stories: e.stories.length, updatedAt: null, keys: {} };
  await store.put(ARCHIVE_KEYS.latestPointer, JSON.stringify(pointer), 'application/json');
}

async function main() {
  const json = process.argv.includes('--json');
  const dir = mkdtempSync(path.join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'newsdigest-deliver-scale-'));
  const s3 = await startEmbeddedS3({ directory: dir });
  const sink = await startSink();
  try {
    await s3.createBucket('scale');
    const store = new S3ObjectStore(s3.client, 'scale');
    const renderer = createRenderer(loadTemplates(), { publicBaseUrl: 'https://news.example.com/digests/' });
    await publish(store, syntheticEdition(STORIES), renderer);
    const sets = preferenceSets();
    const at = new Date('2026-11-22T07:00:00Z');
    const t0 = performance.now();
    for (let i = 0; i < SUBSCRIBERS; i += 50) {
      const batch = Array.from({ length: Math.min(50, SUBSCRIBERS - i) }, (_, j) => i + j);
      await Promise.all(batch.map((n) => createSubscriber(store, { email: `reader${n}@example.org`, status: 'active', preferences: sets[n % SETS]!, at })));
    }
    const setupMs = performance.now() - t0;

    let renders = 0;
    let renderMs = 0;
    const mailer = createMailer({ mailer: 'smtp', smtpUrl: `${sink.url}?pool=true` });
    const t1 = performance.now();
    const result = await deliverLatest({
      store,
      mailer,
      clock: { now: () => at },
      from: 'News digest <digest@news.example.com>',
      render: (e) => {
        const t = performance.now();
        const r = renderer(e);
        renderMs += performance.now() - t;
        renders++;
        return r;
      },
    });
    const deliverMs = performance.now() - t1;
    await mailer.close?.();
    const sent = result.status === 'delivered' ? result.sent : 0;
    const figures = { subscribers: SUBSCRIBERS, stories: STORIES, sets: SETS, setupMs: Math.round(setupMs), renders, renderMs: Math.round(renderMs), rendersPerSecond: +(renders / (renderMs / 1000)).toFixed(2), deliverMs: Math.round(deliverMs), sent, received: sink.received(), messagesPerSecond: +(sent / (deliverMs / 1000)).toFixed(1) };
    if (json) console.log(JSON.stringify(figures));
    else {
      console.log(`${SUBSCRIBERS} subscribers (${SETS} preference sets) on a ${STORIES}-story edition; subscriber store filled in ${(setupMs / 1000).toFixed(1)} s`);
      console.log(`  renders: ${renders} in ${(renderMs / 1000).toFixed(1)} s = ${figures.rendersPerSecond} renders/s (the unfiltered set uses the published email)`);
      console.log(`  delivered: ${sent} sent, ${sink.received()} received by the SMTP server in ${(deliverMs / 1000).toFixed(1)} s (${figures.messagesPerSecond} messages/s); goal ≤ ${GOAL_MS / 1000} s ${deliverMs <= GOAL_MS ? 'OK' : 'MISSED'}`);
    }
    if (sent !== SUBSCRIBERS || sink.received() !== SUBSCRIBERS) process.exitCode = 1;
  } finally {
    await sink.close();
    await s3.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
