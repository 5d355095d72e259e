// One SNS message of SES feedback: verified first (signature, certificate, topic), then each recipient's
// bounce, complaint or delivery applied to their subscriber record. A message that fails verification changes
// nothing; applying the same message twice changes nothing more (the subscriber transition is idempotent).
import { subscriberId } from '../core/subscriber-id.ts';
import type { ObjectStore } from '../core/ports.ts';
import { parseSesEvent } from '../core/ses-event.ts';
import { parseSnsMessage } from '../core/sns-message.ts';
import { applyFeedback, type FeedbackEvent } from '../core/subscriber.ts';
import type { SnsVerifier } from './sns-verifier.ts';
import { updateSubscriber } from './subscribers.ts';

/** Applies one event to the subscriber with this address: whether the record changed, or there is none. */
export type ApplyFeedback = (address: string, event: FeedbackEvent) => Promise<'changed' | 'unchanged' | 'unknown'>;

export type FeedbackOutcome =
  /** Not authentic (or not an SNS message at all): nothing applied. */
  | { status: 'refused'; messageId: string | null; reason: string }
  /** Authentic, but nothing to apply: a subscription message, an event type that changes no subscriber, bad JSON. */
  | { status: 'ignored'; messageId: string; reason: string }
  | {
      status: 'applied';
      messageId: string;
      eventType: 'Bounce' | 'Complaint' | 'Delivery';
      sesMessageId: string;
      changed: number;
      unchanged: number;
      unknown: number;
      invalidAddresses: number;
    };

export interface FeedbackDeps {
  verifier: SnsVerifier;
  apply: ApplyFeedback;
}

const messageIdOf = (raw: unknown): string | null => {
  const id = raw && typeof raw === 'object' ? (raw as { MessageId?: unknown }).MessageId : undefined;
  return typeof id === 'string' ? id.slice(0, 100) : null;
};

/** Throws only on faults worth a retry: the certificate could not be fetched, the store failed. */
export async function handleFeedbackMessage(raw: unknown, deps: FeedbackDeps): Promise<FeedbackOutcome> {
  const parsed = parseSnsMessage(raw);
  if (!parsed.ok) return { status: 'refused', messageId: messageIdOf(raw), reason: parsed.reason };
  const verified = await deps.verifier.verify(parsed.value);
  const messageId = parsed.value.messageId;
  if (!verified.ok) return { status: 'refused', messageId, reason: verified.reason };
  const sns = verified.value;
  // Lambda subscriptions are confirmed by SNS itself when the stack creates them; nothing to follow here.
  if (sns.type !== 'Notification') return { status: 'ignored', messageId, reason: `${sns.type} (the subscription is managed by the stack)` };
  let json: unknown;
  try {
    json = JSON.parse(sns.message);
  } catch {
    return { status: 'ignored', messageId, reason: 'the notification is not JSON' };
  }
  const ses = parseSesEvent(json);
  if (ses.status === 'invalid') return { status: 'ignored', messageId, reason: ses.reason };
  if (ses.status === 'ignored') return { status: 'ignored', messageId, reason: `SES ${ses.eventType} event` };
  const counts = { changed: 0, unchanged: 0, unknown: 0 };
  for (const { address, event } of ses.feedback) counts[await deps.apply(address, event)]++;
  return { status: 'applied', messageId, eventType: ses.eventType, sesMessageId: ses.messageId, ...counts, invalidAddresses: ses.invalidAddresses };
}

/** ApplyFeedback over the subscriber store (subscribers/<id>.json); an address with no record is left alone. */
export function subscriberFeedback(store: ObjectStore): ApplyFeedback {
  return async (address, event) => {
    let before: unknown;
    const after = await updateSubscriber(store, subscriberId(address), (record) => {
      before = record;
      return applyFeedback(record, event);
    });
    if (!after) return 'unknown';
    return after === before ? 'unchanged' : 'changed';
  };
}
