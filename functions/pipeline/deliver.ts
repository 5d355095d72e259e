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
//
// What each email says is new is relative to what that subscriber last received (deliveries/last/<id>.json,
// moved after the marker; a run finding a marker ahead of the pointer moves it), so a failed send or a late
// joiner leaves no gap and no repeat. A crash between marker and pointer is healed by the next run.
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
import type { Clock, ObjectStore } from '../core/ports.ts';
import { isMailable, type Preferences, type SubscriberRecord } from '../core/subscriber.ts';
import { signedLink, type LinkSigner } from '../core/subscription-links.ts';
import { weekdayOf } from '../core/week.ts';
import { PREFIX } from '../triggers.ts';
import { readEdition, readLatestPointer } from './archive.ts';
import { editionMails, type EditionMail, type MailRender } from './edition-mail.ts';
import { readLastDelivered, recordLastDelivered } from './last-delivered.ts';
import { createPacer, realPaceClock, sendRateOf, type PaceClock } from './pace.ts';
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
  /** The edition the message was marked against (what the subscriber had received before); null: none. */
  since: z.string().nullable().optional(),
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
  /** Time and sleep for pacing sends to the mailer's maxSendRate (by default the real ones). */
  pace?: PaceClock;
  log?: (entry: Record<string, unknown>) => void;
  /**
   * Renders an edition marked against a subscriber's baseline (the handler's: the templates in templates/).
   * Needed only for subscribers whose last edition is not the one before this one.
   */
  render?: MailRender;
}

export type DeliverResult =
  | { status: 'no-edition' }
  | { status: 'empty'; edition: string }
  /** Nothing new or developing for any subscriber not yet sent this edition: there is nothing to mail. */
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
  /** Nothing new or developing since what these subscribers last received: no email. */
  nothingNew: number;
  /** Weekly subscribers whose day this edition is not: no email, their baseline stays. */
  notTheirDay: number;
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

/** A subscriber to mail, with the preferences their email is filtered by. */
export type Recipient = Subscriber & { preferences: Preferences };

/**
 * Whom to mail: the active subscribers of the store. The old sources (config/subscribers.json, else the
 * fallback list) are imported first as active, consent source `import`, but only addresses the store does
 * not know: someone who left, bounced or has not confirmed stays as they are.
 */
export async function loadRecipients(store: ObjectStore, fallback: string | null | undefined, at: Date): Promise<Recipient[]> {
  const known = new Map<string, SubscriberRecord>();
  for await (const r of listSubscribers(store)) known.set(r.id, r);
  for (const s of await loadSubscribers(store, fallback)) {
    if (known.has(subscriberId(s.email))) continue;
    const { record } = await createSubscriber(store, { email: s.email, name: s.name, status: 'active', consentSource: 'import', at });
    known.set(record.id, record);
  }
  const mailable = [...known.values()].filter(isMailable);
  return uniqueSubscribers(mailable.map((r) => ({ email: r.email, ...(r.name ? { name: r.name } : {}), preferences: r.preferences })));
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
 * Send the edition `digests/latest.json` points at to every subscriber not yet recorded, marked against what
 * each last received (deliveries/last/<id>.json) and filtered by their preferences: one render per distinct
 * (baseline, preferences), no email to a subscriber for whom nothing is new or developing. Throws `DeliveryIncompleteError` when some sends failed or were
 * deferred (so the scheduler retries), and rethrows at once when a marker cannot be written.
 */
export async function deliverLatest(deps: DeliverDeps): Promise<DeliverResult> {
  const { store } = deps;
  const log = deps.log ?? (() => undefined);
  const pointer = await readLatestPointer(store);
  if (!pointer) return { status: 'no-edition' };
  const day = pointer.edition;
  const edition: Edition | null = await readEdition(store, day);
  if (!edition) return { status: 'no-edition' };
  if (edition.stories.length === 0) return { status: 'empty', edition: day }; // never an empty edition
  const subscribers = await loadRecipients(store, deps.fallbackSubscribers, deps.clock.now());
  if (subscribers.length === 0) return { status: 'no-subscribers', edition: day };

  const mails = editionMails(store, edition, lazyRender(deps));
  const sendTimeoutMs = deps.sendTimeoutMs ?? 30_000;
  let pacer: Promise<() => Promise<void>> | undefined;
  const result = { edition: day, subscribers: subscribers.length, sent: 0, alreadySent: 0, nothingNew: 0, notTheirDay: 0, failed: [] as Array<{ subscriber: string; error: string }>, deferred: 0 };
  // The markers this edition already has, in one listing rather than a read per subscriber (a marker written
  // since by a run that slipped through is still caught by the create-only write).
  const recorded = new Set<string>();
  for await (const o of store.list(`${PREFIX.deliveries}${day}/`)) recorded.add(o.key);
  for (const [i, subscriber] of subscribers.entries()) {
    const id = subscriberId(subscriber.email);
    const last = await baselineOf(store, id, subscriber.email, edition.previous);
    if (recorded.has(markerKey(day, subscriber.email))) {
      result.alreadySent++;
      // A run that stopped between the marker and the pointer: the pointer catches up, so no repeat tomorrow.
      await recordLastDelivered(store, id, day, deps.clock.now(), last);
      continue;
    }
    const { cadence } = subscriber.preferences;
    if (cadence.kind === 'weekly' && weekdayOf(day) !== cadence.day) {
      result.notTheirDay++;
      continue;
    }
    const mail = await mails(last, subscriber.preferences);
    if (!mail) {
      result.nothingNew++; // and the pointer stays: the next edition is marked against the same baseline
      continue;
    }
    // The provider's rate, asked once a run has something to send.
    pacer ??= sendRateOf(deps.mailer, log).then((rate) => createPacer(rate, deps.pace ?? realPaceClock));
    await (await pacer)();
    // Leave before the invocation is cut off mid-send: the next run picks up from here.
    if (deps.remainingMs && deps.remainingMs() < sendTimeoutMs + 5_000) {
      result.deferred = subscribers.length - i;
      log({ level: 'warn', msg: 'out of time, deferring the rest', edition: day, deferred: result.deferred });
      break;
    }
    const outcome = await sendOne(deps, subscriber, mail, last);
    if (outcome.ok) result.sent++;
    else result.failed.push({ subscriber: id, error: outcome.error });
  }
  if (result.sent + result.alreadySent + result.failed.length + result.deferred === 0) return { status: 'nothing-new', edition: day };
  const done = result.failed.length === 0 && result.deferred === 0;
  const final: DeliveryReport = { status: done ? 'delivered' : 'incomplete', ...result };
  log({ level: done ? 'info' : 'warn', msg: 'deliver', ...final });
  if (!done) throw new DeliveryIncompleteError(final);
  return final;
}

/**
 * What the subscriber last received: their pointer; without one (sent before pointers existed, or never), the
 * edition before this one when its marker says they got it, else nothing (everything is new to them).
 */
async function baselineOf(store: ObjectStore, id: string, email: string, previous: string | null): Promise<string | null> {
  const last = await readLastDelivered(store, id);
  if (last !== null || previous === null) return last;
  return (await store.get(markerKey(previous, email))) ? previous : null;
}

/** The renderer, asked for only when a subscriber's baseline is not the edition's own previous edition. */
function lazyRender(deps: DeliverDeps): () => MailRender {
  return () => {
    if (!deps.render) throw new Error('a subscriber needs the edition marked against another baseline, and no render was given');
    return deps.render;
  };
}

/**
 * Send one subscriber their email, then record it: the marker (exactly once), then what they last received.
 * A send failure is returned (the next run retries it); a marker or pointer write failure propagates.
 */
async function sendOne(deps: DeliverDeps, subscriber: Subscriber, mail: EditionMail, last: string | null): Promise<{ ok: true } | { ok: false; error: string }> {
  const { store, clock, mailer } = deps;
  const log = deps.log ?? (() => undefined);
  const { edition } = mail;
  const day = edition.edition;
  const id = subscriberId(subscriber.email);
  const raw = await composeEditionMessage(edition, mail.content, {
    from: deps.from,
    to: subscriber,
    unsubscribeUrl: deps.links ? signedLink(deps.links, 'unsubscribe', id, clock.now()) : unsubscribeUrlFor(deps.unsubscribeUrl, subscriber.email, day),
    unsubscribeMailto: deps.unsubscribeMailto ?? null,
    date: clock.now(),
  });
  let providerId: string | null;
  try {
    const send = (signal: AbortSignal) => mailer.send({ from: addressOf(deps.from), to: [subscriber.email], raw }, signal);
    ({ id: providerId } = await withTimeout(deps.sendTimeoutMs ?? 30_000, send));
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    log({ level: 'warn', msg: 'send failed', edition: day, subscriber: id, error });
    return { ok: false, error };
  }
  const marker: DeliveryMarker = {
    schema: 'newsdigest.delivery/1',
    edition: day,
    subscriber: id,
    messageId: editionMessageId(edition, deps.from, subscriber.email),
    providerId,
    mailer: mailer.kind,
    sentAt: clock.now().toISOString(),
    since: edition.previous,
  };
  const createMarker = deps.createMarker ?? storeMarker(store);
  // A failure here propagates: this one message may be sent again by the next run, no other.
  const recorded = await createMarker(markerKey(day, subscriber.email), `${JSON.stringify(marker, null, 2)}\n`);
  if (recorded === 'exists') log({ level: 'warn', msg: 'another run recorded this send first: one duplicate was sent', edition: day, subscriber: id });
  await recordLastDelivered(store, id, day, clock.now(), last);
  return { ok: true };
}
