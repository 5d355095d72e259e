// Mail the latest edition to every subscriber, exactly once per edition and subscriber.
//
// How "exactly once" holds: sends are serialized (one invocation at a time: reserved concurrency 1), and
// each subscriber's send is recorded by a marker object deliveries/<edition>/<subscriber id>.json written
// right after the provider accepted the message. Before sending, the marker is checked, so a second run,
// a retried run, or a run after a timeout sends only to the subscribers not yet recorded. The marker is
// created only if absent (S3: `If-None-Match: *`): a concurrent run that slipped through would learn it raced.
//
// The one gap: a crash after the provider accepted a message and before its marker is written. The next
// run sends that one message again (at most one duplicate per crash, for that one subscriber: a marker
// write that fails stops the run at once). The copy has the same Message-ID, which most clients fold.
import * as z from 'zod';
import type { Mailer } from '../adapters/mailer.ts';
import {
  SubscriberListSchema,
  addressOf,
  composeEditionMessage,
  editionMessageId,
  parseSubscriberList,
  subscriberId,
  uniqueSubscribers,
  unsubscribeUrlFor,
  type Subscriber,
} from '../core/email.ts';
import type { Edition } from '../core/edition.ts';
import { mailedStories } from '../core/mailed.ts';
import type { Clock, ObjectStore } from '../core/ports.ts';
import { isMailable, type SubscriberRecord } from '../core/subscriber.ts';
import { signedLink, type LinkSigner } from '../core/subscription-links.ts';
import { editionSubject } from '../core/text-format.ts';
import { PREFIX } from '../triggers.ts';
import { editionKey, readEdition, readLatestPointer, readText } from './archive.ts';
import { createSubscriber, listSubscribers } from './subscribers.ts';

export const SUBSCRIBERS_KEY = `${PREFIX.config}subscribers.json`;

export const DeliveryMarkerSchema = z.object({
  schema: z.literal('newsdigest.delivery/1'),
  edition: z.string(),
  subscriber: z.string(),
  messageId: z.string(),
  providerId: z.string().nullable(),
  mailer: z.string(),
  sentAt: z.string(),
});
export type DeliveryMarker = z.infer<typeof DeliveryMarkerSchema>;

export function markerKey(edition: string, email: string): string {
  return `${PREFIX.deliveries}${edition}/${subscriberId(email)}.json`;
}

/** Writes a marker only if none exists: 'exists' means another run recorded it first. */
export type CreateMarker = (key: string, body: string) => Promise<'created' | 'exists'>;

/** The marker write as the store's atomic create. */
export function storeMarker(store: ObjectStore): CreateMarker {
  return async (key, body) => ((await store.putIfAbsent(key, body, 'application/json')) ? 'created' : 'exists');
}

export interface DeliverDeps {
  store: ObjectStore;
  mailer: Mailer;
  clock: Clock;
  from: string;
  unsubscribeUrl?: string | null | undefined;
  unsubscribeMailto?: string | null | undefined;
  /** The subscriptions endpoint and the token key: each message's one-click URL is signed for its subscriber (else unsubscribeUrl). */
  links?: LinkSigner | null | undefined;
  /** Used when the bucket has no config/subscribers.json. */
  fallbackSubscribers?: string | null | undefined;
  /** The marker write; by default the store's create-only put (a test puts a fault here). */
  createMarker?: CreateMarker;
  /** Give up on one send after this long; the subscriber is retried by the next run. */
  sendTimeoutMs?: number;
  /** Time left in this invocation (Lambda's context.getRemainingTimeInMillis); no new send starts too close to it. */
  remainingMs?: () => number;
  log?: (entry: Record<string, unknown>) => void;
}

export type DeliverResult =
  | { status: 'no-edition' }
  | { status: 'empty'; edition: string }
  /** Every story unchanged since the edition before: there is nothing to mail. */
  | { status: 'nothing-new'; edition: string }
  | { status: 'no-subscribers'; edition: string }
  | DeliveryReport;

export interface DeliveryReport {
  status: 'delivered' | 'incomplete';
  edition: string;
  subscribers: number;
  sent: number;
  /** Recorded by an earlier run: not sent again. */
  alreadySent: number;
  /** Subscriber ids (never addresses) and why; retried by the next run. */
  failed: Array<{ subscriber: string; error: string }>;
  /** Not attempted: the invocation was running out of time. */
  deferred: number;
}

export class DeliveryIncompleteError extends Error {
  constructor(readonly result: DeliveryReport) {
    super(
      `delivery of ${result.edition} incomplete: ${result.sent} sent, ${result.alreadySent} already sent, ` +
        `${result.failed.length} failed, ${result.deferred} deferred (the next run sends the rest)`,
    );
    this.name = 'DeliveryIncompleteError';
  }
}

/** The subscribers: config/subscribers.json in the bucket (validated), else the fallback list. */
export async function loadSubscribers(store: ObjectStore, fallback?: string | null): Promise<Subscriber[]> {
  const obj = await store.get(SUBSCRIBERS_KEY);
  if (obj) {
    const parsed = SubscriberListSchema.safeParse(JSON.parse(new TextDecoder().decode(obj.body)));
    if (!parsed.success) {
      const why = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new Error(`invalid ${SUBSCRIBERS_KEY}: ${why}`);
    }
    return uniqueSubscribers(parsed.data);
  }
  return uniqueSubscribers(fallback ? parseSubscriberList(fallback) : []);
}

/**
 * Whom to mail: the active subscribers of the store. The old sources (config/subscribers.json, else the
 * fallback list) are imported first as active, consent source `import`, but only addresses the store does
 * not know: someone who left, bounced or has not confirmed stays as they are.
 */
export async function loadRecipients(store: ObjectStore, fallback: string | null | undefined, at: Date): Promise<Subscriber[]> {
  const known = new Map<string, SubscriberRecord>();
  for await (const r of listSubscribers(store)) known.set(r.id, r);
  for (const s of await loadSubscribers(store, fallback)) {
    if (known.has(subscriberId(s.email))) continue;
    const { record } = await createSubscriber(store, { email: s.email, name: s.name, status: 'active', consentSource: 'import', at });
    known.set(record.id, record);
  }
  const mailable = [...known.values()].filter(isMailable);
  return uniqueSubscribers(mailable.map((r) => ({ email: r.email, ...(r.name ? { name: r.name } : {}) })));
}

function withTimeout<T>(ms: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`send timed out after ${ms} ms`));
    }, ms);
  });
  return Promise.race([run(controller.signal), timeout]).finally(() => clearTimeout(timer));
}

/**
 * Send the edition `digests/latest.json` points at to every subscriber not yet recorded. Throws
 * `DeliveryIncompleteError` when some sends failed or were deferred (so the scheduler retries), and
 * rethrows at once when a marker cannot be written.
 */
export async function deliverLatest(deps: DeliverDeps): Promise<DeliverResult> {
  const { store, clock, mailer } = deps;
  const log = deps.log ?? (() => undefined);
  const pointer = await readLatestPointer(store);
  if (!pointer) return { status: 'no-edition' };
  const day = pointer.edition;
  const edition: Edition | null = await readEdition(store, day);
  if (!edition) return { status: 'no-edition' };
  // Never an empty edition, nor one that would only repeat the edition before.
  if (edition.stories.length === 0) return { status: 'empty', edition: day };
  if (mailedStories(edition).length === 0) return { status: 'nothing-new', edition: day };
  const subscribers = await loadRecipients(store, deps.fallbackSubscribers, clock.now());
  if (subscribers.length === 0) return { status: 'no-subscribers', edition: day };

  const [html, mailText] = await Promise.all([readText(store, editionKey(day, 'html')), readText(store, editionKey(day, 'mailText'))]);
  // Editions published before email.txt existed: their digest.txt (the whole edition) is the plain-text part.
  const text = mailText ?? (await readText(store, editionKey(day, 'text')));
  if (html === null || text === null) throw new Error(`edition ${day} is missing its digest.html or email.txt`);
  const content = { html, text, subject: editionSubject(edition) };
  const createMarker = deps.createMarker ?? storeMarker(store);
  const sendTimeoutMs = deps.sendTimeoutMs ?? 30_000;
  const envelopeFrom = addressOf(deps.from);

  const result = { edition: day, subscribers: subscribers.length, sent: 0, alreadySent: 0, failed: [] as Array<{ subscriber: string; error: string }>, deferred: 0 };
  for (const [i, subscriber] of subscribers.entries()) {
    const id = subscriberId(subscriber.email);
    const key = markerKey(day, subscriber.email);
    if (await store.get(key)) {
      result.alreadySent++;
      continue;
    }
    // Leave before the invocation is cut off mid-send: the next run picks up from here.
    if (deps.remainingMs && deps.remainingMs() < sendTimeoutMs + 5_000) {
      result.deferred = subscribers.length - i;
      log({ level: 'warn', msg: 'out of time, deferring the rest', edition: day, deferred: result.deferred });
      break;
    }
    const raw = await composeEditionMessage(edition, content, {
      from: deps.from,
      to: subscriber,
      unsubscribeUrl: deps.links ? signedLink(deps.links, 'unsubscribe', id, clock.now()) : unsubscribeUrlFor(deps.unsubscribeUrl, subscriber.email, day),
      unsubscribeMailto: deps.unsubscribeMailto ?? null,
      date: clock.now(),
    });
    let providerId: string | null;
    try {
      ({ id: providerId } = await withTimeout(sendTimeoutMs, (signal) => mailer.send({ from: envelopeFrom, to: [subscriber.email], raw }, signal)));
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      result.failed.push({ subscriber: id, error });
      log({ level: 'warn', msg: 'send failed', edition: day, subscriber: id, error });
      continue;
    }
    result.sent++;
    const marker: DeliveryMarker = {
      schema: 'newsdigest.delivery/1',
      edition: day,
      subscriber: id,
      messageId: editionMessageId(edition, deps.from, subscriber.email),
      providerId,
      mailer: mailer.kind,
      sentAt: clock.now().toISOString(),
    };
    // A failure here propagates: this one message may be sent again by the next run, no other.
    const recorded = await createMarker(key, `${JSON.stringify(marker, null, 2)}\n`);
    if (recorded === 'exists') log({ level: 'warn', msg: 'another run recorded this send first: one duplicate was sent', edition: day, subscriber: id });
  }
  const done = result.failed.length === 0 && result.deferred === 0;
  const final: DeliveryReport = { status: done ? 'delivered' : 'incomplete', ...result };
  log({ level: done ? 'info' : 'warn', msg: 'deliver', ...final });
  if (!done) throw new DeliveryIncompleteError(final);
  return final;
}
