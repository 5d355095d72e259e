// The edition as an email: a MIME message (HTML + plain-text alternative) built by nodemailer's composer,
// with one-click unsubscribe headers and a Message-ID derived from the edition. Pure: no network, no clock
// (the Date header is passed in), and the same inputs give the same bytes.
import { createHash } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import * as z from 'zod';
import type { Edition } from './edition.ts';
import { subscriberId } from './subscriber-id.ts';
import { oneLine, safeUrl } from './text-format.ts';

export const SubscriberSchema = z.object({
  email: z.email(),
  /** Display name; control characters are removed before it reaches a header. */
  name: z.string().max(200).optional(),
});
export type Subscriber = z.infer<typeof SubscriberSchema>;

/** `config/subscribers.json`: either `{ "subscribers": [...] }` or a bare array; entries are objects or address strings. */
export const SubscriberListSchema = z
  .union([
    z.object({ subscribers: z.array(z.union([SubscriberSchema, z.email()])) }),
    z.array(z.union([SubscriberSchema, z.email()])),
  ])
  .transform((v) => (Array.isArray(v) ? v : v.subscribers).map((s) => (typeof s === 'string' ? { email: s } : s)));

/** `"Ann <ann@example.com>, bob@example.com"` → subscribers (the SUBSCRIBERS environment variable). */
export function parseSubscriberList(text: string): Subscriber[] {
  return text
    .split(/[,;\n]/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const m = s.match(/^(.*?)\s*<([^<>]+)>$/);
      return SubscriberSchema.parse(m ? { email: m[2]!.trim(), ...(m[1] ? { name: m[1].replace(/^"|"$/g, '') } : {}) } : { email: s });
    });
}

/** Subscribers with one entry per address (case-insensitive), in address order. */
export function uniqueSubscribers<T extends Subscriber>(list: T[]): T[] {
  const byAddress = new Map<string, T>();
  for (const s of list) {
    const key = s.email.toLowerCase();
    if (!byAddress.has(key)) byAddress.set(key, s);
  }
  return [...byAddress.entries()].sort((a, b) => a[0].localeCompare(b[0])).map(([, s]) => s);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export { subscriberId };

export function addressOf(from: string): string {
  return (from.match(/<([^<>]+)>\s*$/)?.[1] ?? from).trim();
}

function domainOf(from: string): string {
  const d = addressOf(from).split('@')[1]?.toLowerCase().replace(/[^a-z0-9.-]/g, '');
  return d || 'newsdigest.invalid';
}

// Editions are never mutated, and one edition is hashed for each of thousands of recipients.
const hashes = new WeakMap<Edition, string>();

/** Hash of the edition's content: rebuilt editions with new articles get new Message-IDs. */
export function editionHash(edition: Edition): string {
  let hash = hashes.get(edition);
  if (hash === undefined) hashes.set(edition, (hash = sha256(JSON.stringify(edition)).slice(0, 16)));
  return hash;
}

/** `<2026-11-22.<content hash>[.<subscriber id>]@<sender domain>>`: a resent copy carries the same id, so clients fold it. */
export function editionMessageId(edition: Edition, from: string, recipient?: string | null): string {
  const who = recipient ? `.${subscriberId(recipient).slice(0, 16)}` : '';
  return `<${edition.edition}.${editionHash(edition)}${who}@${domainOf(from)}>`;
}

/** Fill `{email}`, `{id}` and `{edition}` in an unsubscribe URL template; null unless the result is http(s). */
export function unsubscribeUrlFor(template: string | null | undefined, email: string | null, edition: string): string | null {
  if (!template) return null;
  const url = template
    .replaceAll('{email}', email ? encodeURIComponent(email) : '')
    .replaceAll('{id}', email ? subscriberId(email) : '')
    .replaceAll('{edition}', encodeURIComponent(edition));
  return safeUrl(url);
}

function listId(title: string, from: string): string {
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'digest';
  return `${slug}.${domainOf(from)}`;
}

function listIdHeader(title: string, from: string): string {
  // eslint-disable-next-line no-control-regex
  const phrase = oneLine(title, 60).replace(/[^\x20-\x7e]|["\\]/g, '').trim();
  return `${phrase ? `"${phrase}" ` : ''}<${listId(title, from)}>`;
}

export interface EditionMessageOptions {
  /** `"News digest <digest@example.com>"`. */
  from: string;
  /** The subscriber; none for the archived copy (digests/<day>/message.eml). */
  to?: Subscriber | null;
  /** One-click unsubscribe URL (RFC 8058), already filled for this recipient. */
  unsubscribeUrl?: string | null;
  /** Mailbox that takes "unsubscribe" requests; defaults to the sender. */
  unsubscribeMailto?: string | null;
  /** The Date header; defaults to the edition's last arrival, so the archived message is reproducible. */
  date?: Date;
}

export interface EditionContent {
  html: string;
  text: string;
  subject: string;
}

/** The raw RFC 5322 message (CRLF line ends), ready for SES `SendEmail` raw content or SMTP. */
export async function composeEditionMessage(edition: Edition, content: EditionContent, options: EditionMessageOptions): Promise<Buffer> {
  const to = options.to ?? null;
  const mailto = `mailto:${options.unsubscribeMailto ?? addressOf(options.from)}?subject=unsubscribe`;
  const oneClick = options.unsubscribeUrl ? safeUrl(options.unsubscribeUrl) : null;
  const messageId = editionMessageId(edition, options.from, to?.email);
  const date = options.date ?? new Date(edition.updatedAt ?? edition.window.to);
  const composer = new MailComposer({
    from: options.from,
    // No recipient on the archived copy: an empty group, as RFC 5322 allows.
    to: to ? { name: oneLine(to.name ?? '', 120), address: to.email } : 'undisclosed-recipients:;',
    subject: oneLine(content.subject, 200),
    text: content.text,
    html: content.html,
    messageId,
    date,
    // Same boundary for the same message: the archived .eml is byte-identical across rebuilds.
    baseBoundary: sha256(`${messageId}:boundary`).slice(0, 16),
    headers: {
      // Prepared: nodemailer would encode the whole value as a MIME word; the phrase is kept to printable ASCII instead.
      'List-Id': { prepared: true, value: listIdHeader(edition.title, options.from) },
      'List-Unsubscribe': (oneClick ? [oneClick, mailto] : [mailto]).map((u) => `<${u}>`).join(', '),
      ...(oneClick ? { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {}),
      'Auto-Submitted': 'auto-generated',
      'X-Auto-Response-Suppress': 'OOF, AutoReply',
      'X-Newsdigest-Edition': edition.edition,
    },
    textEncoding: 'quoted-printable',
  } as ConstructorParameters<typeof MailComposer>[0] & { baseBoundary: string });
  return composer.compile().build();
}
