// What SES reports about a message it sent (the event JSON a configuration set publishes to SNS, or an
// identity's feedback notification), turned into one feedback event per recipient. Pure; zod-validated and
// length-limited: the JSON is SES's, but it carries addresses and diagnostic text from remote mail servers.
import * as z from 'zod';
import type { FeedbackEvent } from './subscriber.ts';

export interface RecipientFeedback {
  address: string;
  event: FeedbackEvent;
}

export type SesEventResult =
  | { status: 'feedback'; eventType: 'Bounce' | 'Complaint' | 'Delivery'; messageId: string; feedback: RecipientFeedback[]; invalidAddresses: number }
  /** A well-formed event that changes no subscriber (Send, Reject, Open, a delay…). */
  | { status: 'ignored'; eventType: string; messageId: string | null }
  | { status: 'invalid'; reason: string };

export const SES_LIMITS = { recipients: 50, address: 254, detail: 500, text: 2_000 } as const;

const text = z.string().max(SES_LIMITS.text);
const timestamp = z.iso.datetime({ offset: true });
const recipients = <T extends z.ZodType>(item: T) => z.array(item).min(1).max(SES_LIMITS.recipients);
// A remote server may report `"Name" <address>`: the address is what is inside the brackets.
const Address = z
  .string()
  .max(SES_LIMITS.address + 200)
  .transform((s) => (s.match(/<([^<>]+)>\s*$/)?.[1] ?? s).trim())
  .pipe(z.string().max(SES_LIMITS.address).pipe(z.email()))
  .transform((s) => s.toLowerCase());

const MailSchema = z.looseObject({ messageId: text.min(1), timestamp: timestamp.optional() });
const BounceSchema = z.looseObject({
  bounceType: z.enum(['Permanent', 'Transient', 'Undetermined']),
  bounceSubType: text.optional(),
  bouncedRecipients: recipients(z.looseObject({ emailAddress: text, status: text.optional(), diagnosticCode: text.optional() })),
  timestamp,
});
const ComplaintSchema = z.looseObject({
  complainedRecipients: recipients(z.looseObject({ emailAddress: text })),
  complaintFeedbackType: text.optional(),
  complaintSubType: text.nullish(),
  timestamp,
});
const DeliverySchema = z.looseObject({ recipients: recipients(text), timestamp });

// Configuration sets publish `eventType`; identity notifications say `notificationType`.
const EnvelopeSchema = z.looseObject({
  eventType: text.optional(),
  notificationType: text.optional(),
  mail: MailSchema,
  bounce: z.unknown().optional(),
  complaint: z.unknown().optional(),
  delivery: z.unknown().optional(),
});

const issues = (e: z.ZodError) => e.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');

function collect(raw: Array<{ address: string; event: FeedbackEvent }>): { feedback: RecipientFeedback[]; invalidAddresses: number } {
  const feedback: RecipientFeedback[] = [];
  let invalidAddresses = 0;
  for (const r of raw) {
    const a = Address.safeParse(r.address);
    if (a.success) feedback.push({ address: a.data, event: r.event });
    else invalidAddresses++;
  }
  return { feedback, invalidAddresses };
}

const clip = (s: string) => s.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim().slice(0, SES_LIMITS.detail);

/** One SES event (the SNS message body, already JSON-decoded). */
export function parseSesEvent(json: unknown): SesEventResult {
  const env = EnvelopeSchema.safeParse(json);
  if (!env.success) return { status: 'invalid', reason: `not an SES event: ${issues(env.error)}` };
  const type = env.data.eventType ?? env.data.notificationType;
  const messageId = env.data.mail.messageId;
  if (!type) return { status: 'invalid', reason: 'not an SES event: no eventType' };
  const events = recipientEvents(type, env.data);
  if (events === null) return { status: 'ignored', eventType: type.slice(0, 40), messageId };
  if (!events.ok) return { status: 'invalid', reason: `SES ${type} event: ${events.reason}` };
  return { status: 'feedback', eventType: type as 'Bounce' | 'Complaint' | 'Delivery', messageId, ...collect(events.value) };
}

type Events = { ok: true; value: Array<{ address: string; event: FeedbackEvent }> } | { ok: false; reason: string };

/** Each recipient's event; null for an event type that changes no subscriber. */
function recipientEvents(type: string, env: { bounce?: unknown; complaint?: unknown; delivery?: unknown }): Events | null {
  if (type === 'Bounce') {
    const b = BounceSchema.safeParse(env.bounce);
    if (!b.success) return { ok: false, reason: issues(b.error) };
    const { bounceType, bounceSubType, timestamp } = b.data;
    const kind = bounceType === 'Permanent' ? 'permanent' : bounceType === 'Transient' ? 'transient' : 'undetermined';
    return {
      ok: true,
      value: b.data.bouncedRecipients.map((r) => ({
        address: r.emailAddress,
        event: { kind: 'bounce', type: kind, at: new Date(timestamp), detail: clip(`${bounceType}/${bounceSubType ?? '-'} ${r.status ?? ''} ${r.diagnosticCode ?? ''}`) },
      })),
    };
  }
  if (type === 'Complaint') {
    const c = ComplaintSchema.safeParse(env.complaint);
    if (!c.success) return { ok: false, reason: issues(c.error) };
    const detail = clip(`complaint ${c.data.complaintFeedbackType ?? c.data.complaintSubType ?? ''}`);
    return { ok: true, value: c.data.complainedRecipients.map((r) => ({ address: r.emailAddress, event: { kind: 'complaint', at: new Date(c.data.timestamp), detail } })) };
  }
  if (type === 'Delivery') {
    const d = DeliverySchema.safeParse(env.delivery);
    if (!d.success) return { ok: false, reason: issues(d.error) };
    return { ok: true, value: d.data.recipients.map((address) => ({ address, event: { kind: 'delivery', at: new Date(d.data.timestamp) } })) };
  }
  return null;
}
