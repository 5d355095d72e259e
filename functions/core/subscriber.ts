// One subscriber as stored (subscribers/<id>.json): status, preferences, consent and bounce history, and
// the transitions between statuses. Pure: the caller passes the time; every function returns a new record.
import * as z from 'zod';
import { subscriberId } from './subscriber-id.ts';

export const SUBSCRIBER_SCHEMA = 'newsdigest.subscriber/1';

/** Limits on everything a form or an import can put into a record. */
export const LIMITS = { address: 254, name: 120, phrase: 80, phrases: 20, outlet: 120, outlets: 50, languages: 20, bounces: 20, detail: 500 } as const;

// Email addresses as RFC 5321 allows them in practice: one @, no spaces or control characters, a dotted domain.
export const AddressSchema = z
  .string()
  .trim()
  .max(LIMITS.address)
  .pipe(z.email())
  .transform((s) => s.toLowerCase());

const Phrase = z.string().trim().min(1).max(LIMITS.phrase);

export const STATUSES = ['pending', 'active', 'unsubscribed', 'suppressed'] as const;
export type SubscriberStatus = (typeof STATUSES)[number];

export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const CadenceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('daily') }),
  z.object({ kind: z.literal('weekly'), day: z.enum(WEEKDAYS) }),
]);

export const PreferencesSchema = z.object({
  /** Words or phrases: a story must mention one of `include` (when any) and none of `exclude`. */
  topics: z.object({ include: z.array(Phrase).max(LIMITS.phrases), exclude: z.array(Phrase).max(LIMITS.phrases) }),
  /** Outlets whose coverage is dropped; a story only they covered is not sent. */
  mutedOutlets: z.array(z.string().trim().min(1).max(LIMITS.outlet)).max(LIMITS.outlets),
  /** ISO 639-1 codes; empty: every language. */
  languages: z.array(z.string().regex(/^[a-z]{2}$/)).max(LIMITS.languages),
  cadence: CadenceSchema,
  /** `full`: the whole edition; `new`: only stories new or developing since the subscriber's last email. */
  content: z.enum(['full', 'new']),
});
export type Preferences = z.infer<typeof PreferencesSchema>;

export const DEFAULT_PREFERENCES: Preferences = {
  topics: { include: [], exclude: [] },
  mutedOutlets: [],
  languages: [],
  cadence: { kind: 'daily' },
  content: 'full',
};

export const BounceSchema = z.object({
  kind: z.enum(['hard', 'soft', 'complaint']),
  at: z.iso.datetime(),
  detail: z.string().max(LIMITS.detail),
});
export type Bounce = z.infer<typeof BounceSchema>;

export const ConsentSchema = z.object({
  at: z.iso.datetime(),
  /** `form`: double opt-in through the subscriptions page; `import`: config/subscribers.json, SUBSCRIBERS or a file; `cli`: an operator. */
  source: z.enum(['form', 'import', 'cli']),
});

export const SubscriberRecordSchema = z.object({
  schema: z.literal(SUBSCRIBER_SCHEMA),
  id: z.string().regex(/^[0-9a-f]{32}$/),
  email: AddressSchema,
  name: z.string().max(LIMITS.name).optional(),
  status: z.enum(STATUSES),
  preferences: PreferencesSchema,
  /** When and how the address was confirmed (null while pending). */
  consent: ConsentSchema.nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** The most recent bounces and complaints, newest last (at most LIMITS.bounces). */
  bounces: z.array(BounceSchema).max(LIMITS.bounces),
  /** Soft bounces since the last delivery or hard event: three in a row suppress. */
  softBounces: z.number().int().min(0),
});
export type SubscriberRecord = z.infer<typeof SubscriberRecordSchema>;

/** Soft bounces in a row that suppress an address. */
export const SOFT_BOUNCE_LIMIT = 3;

export interface NewSubscriber {
  email: string;
  name?: string | undefined;
  status: SubscriberStatus;
  preferences?: Preferences;
  consentSource?: z.infer<typeof ConsentSchema>['source'];
  at: Date;
}

/** A fresh record; an active one records its consent now. Throws on an invalid address or preferences. */
export function newSubscriber(input: NewSubscriber): SubscriberRecord {
  const email = AddressSchema.parse(input.email);
  const at = input.at.toISOString();
  return SubscriberRecordSchema.parse({
    schema: SUBSCRIBER_SCHEMA,
    id: subscriberId(email),
    email,
    ...(input.name ? { name: input.name.slice(0, LIMITS.name) } : {}),
    status: input.status,
    preferences: input.preferences ?? DEFAULT_PREFERENCES,
    consent: input.status === 'active' ? { at, source: input.consentSource ?? 'import' } : null,
    createdAt: at,
    updatedAt: at,
    bounces: [],
    softBounces: 0,
  });
}

/** Double opt-in done: pending becomes active. Unsubscribed and suppressed addresses stay as they are. */
export function confirm(record: SubscriberRecord, at: Date): SubscriberRecord {
  if (record.status !== 'pending') return record;
  const now = at.toISOString();
  return { ...record, status: 'active', consent: { at: now, source: 'form' }, updatedAt: now };
}

/**
 * The subscribe form was sent again for a known address: someone who left must confirm anew (pending, with
 * the new preferences); a pending address takes the new preferences; active and suppressed stay as they are
 * (a stranger cannot change an active subscriber's preferences through the public form).
 */
export function requestSubscription(record: SubscriberRecord, preferences: Preferences, at: Date): SubscriberRecord {
  if (record.status === 'active' || record.status === 'suppressed') return record;
  return { ...record, status: 'pending', preferences: PreferencesSchema.parse(preferences), updatedAt: at.toISOString() };
}

/** Leave the list; a suppressed address stays suppressed (it must never be mailed again). */
export function unsubscribe(record: SubscriberRecord, at: Date): SubscriberRecord {
  if (record.status === 'unsubscribed' || record.status === 'suppressed') return record;
  return { ...record, status: 'unsubscribed', updatedAt: at.toISOString() };
}

export function withPreferences(record: SubscriberRecord, preferences: Preferences, at: Date): SubscriberRecord {
  return { ...record, preferences: PreferencesSchema.parse(preferences), updatedAt: at.toISOString() };
}

/** What the mail provider reported about one message to this address (SES events, normalized). */
export type FeedbackEvent =
  | { kind: 'bounce'; type: 'permanent' | 'transient' | 'undetermined'; at: Date; detail: string }
  | { kind: 'complaint'; at: Date; detail: string }
  | { kind: 'delivery'; at: Date };

function remember(record: SubscriberRecord, bounce: Bounce): SubscriberRecord['bounces'] {
  return [...record.bounces, bounce].slice(-LIMITS.bounces);
}

/**
 * The status after a feedback event: a hard (permanent) bounce suppresses, a complaint unsubscribes,
 * SOFT_BOUNCE_LIMIT soft bounces in a row suppress, and a delivery resets the soft count. Idempotent for a
 * redelivered event (same kind and time): it is not counted twice.
 */
export function applyFeedback(record: SubscriberRecord, event: FeedbackEvent): SubscriberRecord {
  const at = event.at.toISOString();
  if (event.kind === 'delivery') return record.softBounces === 0 ? record : { ...record, softBounces: 0, updatedAt: at };
  const kind: Bounce['kind'] = event.kind === 'complaint' ? 'complaint' : event.type === 'permanent' ? 'hard' : 'soft';
  if (record.bounces.some((b) => b.kind === kind && b.at === at)) return record;
  const bounces = remember(record, { kind, at, detail: event.detail.slice(0, LIMITS.detail) });
  if (kind === 'hard') return { ...record, status: 'suppressed', bounces, softBounces: 0, updatedAt: at };
  if (kind === 'complaint') {
    const status = record.status === 'suppressed' ? 'suppressed' : 'unsubscribed';
    return { ...record, status, bounces, updatedAt: at };
  }
  const softBounces = record.softBounces + 1;
  const status = softBounces >= SOFT_BOUNCE_LIMIT ? 'suppressed' : record.status;
  return { ...record, status, bounces, softBounces, updatedAt: at };
}

/** Only active subscribers are ever mailed the digest. */
export function isMailable(record: SubscriberRecord): boolean {
  return record.status === 'active';
}
