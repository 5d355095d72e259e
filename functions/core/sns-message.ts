// An Amazon SNS message, as Lambda hands it over (Records[].Sns) or as SNS posts it over HTTP, and the
// check of its signature: the canonical string AWS documents ("Verifying the signatures of Amazon SNS
// messages"), which certificate URLs are trusted, and the RSA verification itself. Pure: the certificate is
// given; fetching and caching it is the caller's (pipeline/sns-verifier.ts).
import { X509Certificate, verify } from 'node:crypto';
import * as z from 'zod';

/** SNS messages are at most 256 KiB; the other fields are short (ARNs, ids, URLs, base64 signatures). */
export const SNS_LIMITS = { message: 262_144, field: 2_048, signature: 2_048 } as const;

const field = z.string().min(1).max(SNS_LIMITS.field);
const optionalText = z.string().max(SNS_LIMITS.field).nullish();

// Lambda spells two names differently from the HTTP body (SigningCertUrl, UnsubscribeUrl): both are accepted.
const RawSnsMessageSchema = z.looseObject({
  Type: z.enum(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  MessageId: field,
  TopicArn: field.regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/),
  Subject: optionalText,
  Message: z.string().max(SNS_LIMITS.message),
  Timestamp: z.iso.datetime(),
  SignatureVersion: z.enum(['1', '2']),
  Signature: z.string().min(1).max(SNS_LIMITS.signature).regex(/^[A-Za-z0-9+/=]+$/),
  SigningCertURL: field.optional(),
  SigningCertUrl: field.optional(),
  SubscribeURL: field.optional(),
  Token: z.string().max(SNS_LIMITS.field).optional(),
});

export interface SnsMessage {
  type: 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
  messageId: string;
  topicArn: string;
  /** Null when the publisher gave none (it is then left out of the signed string). */
  subject: string | null;
  message: string;
  timestamp: string;
  signatureVersion: '1' | '2';
  signature: string;
  signingCertUrl: string;
  subscribeUrl: string | null;
  token: string | null;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const issues = (e: z.ZodError) => e.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');

/** Validates an SNS message, either spelling; confirmations must carry SubscribeURL and Token. */
export function parseSnsMessage(raw: unknown): Parsed<SnsMessage> {
  const r = RawSnsMessageSchema.safeParse(raw);
  if (!r.success) return { ok: false, reason: `not an SNS message: ${issues(r.error)}` };
  const m = r.data;
  const signingCertUrl = m.SigningCertURL ?? m.SigningCertUrl;
  if (!signingCertUrl) return { ok: false, reason: 'not an SNS message: no SigningCertURL' };
  const confirmation = m.Type !== 'Notification';
  if (confirmation && (!m.SubscribeURL || !m.Token)) return { ok: false, reason: `${m.Type} without SubscribeURL and Token` };
  return {
    ok: true,
    value: {
      type: m.Type,
      messageId: m.MessageId,
      topicArn: m.TopicArn,
      subject: m.Subject ?? null,
      message: m.Message,
      timestamp: m.Timestamp,
      signatureVersion: m.SignatureVersion,
      signature: m.Signature,
      signingCertUrl,
      subscribeUrl: confirmation ? m.SubscribeURL! : null,
      token: confirmation ? m.Token! : null,
    },
  };
}

/**
 * The bytes SNS signs: "Name\nvalue\n" for each signed field, in byte order of the names. A Notification signs
 * Message, MessageId, Subject (only when present), Timestamp, TopicArn and Type; a SubscriptionConfirmation or
 * UnsubscribeConfirmation signs Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn and Type.
 */
export function canonicalString(m: SnsMessage): string {
  const pairs: Array<[string, string | null]> =
    m.type === 'Notification'
      ? [['Message', m.message], ['MessageId', m.messageId], ['Subject', m.subject], ['Timestamp', m.timestamp], ['TopicArn', m.topicArn], ['Type', m.type]]
      : [['Message', m.message], ['MessageId', m.messageId], ['SubscribeURL', m.subscribeUrl], ['Timestamp', m.timestamp], ['Token', m.token], ['TopicArn', m.topicArn], ['Type', m.type]];
  return pairs.map(([k, v]) => (v === null ? '' : `${k}\n${v}\n`)).join('');
}

const SNS_HOST = /^sns\.[a-z]{2}(-[a-z]+)+-\d\.amazonaws\.com(\.cn)?$/;

/** Only SNS's own certificates: https, on sns.<region>.amazonaws.com(.cn), default port, a .pem path. */
export function trustedCertificateUrl(url: string): Parsed<URL> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { ok: false, reason: 'SigningCertURL is not a URL' };
  }
  if (u.protocol !== 'https:') return { ok: false, reason: 'SigningCertURL is not https' };
  if (!SNS_HOST.test(u.hostname) || u.port !== '' || u.username !== '' || u.password !== '') {
    return { ok: false, reason: `SigningCertURL host is not SNS's: ${u.host.slice(0, 100)}` };
  }
  if (!u.pathname.endsWith('.pem') || u.search !== '' || u.hash !== '') return { ok: false, reason: 'SigningCertURL is not a .pem path' };
  return { ok: true, value: u };
}

/** A PEM certificate, parsed, with an RSA key, valid at `now`. */
export function signingCertificate(pem: string, now: Date): Parsed<X509Certificate> {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    return { ok: false, reason: 'the signing certificate does not parse' };
  }
  if (cert.publicKey.asymmetricKeyType !== 'rsa') return { ok: false, reason: 'the signing certificate has no RSA key' };
  const t = now.getTime();
  if (t < Date.parse(cert.validFrom) || t > Date.parse(cert.validTo)) return { ok: false, reason: 'the signing certificate is not valid now' };
  return { ok: true, value: cert };
}

/** SignatureVersion 1: SHA1withRSA; 2: SHA256withRSA (PKCS #1 v1.5), over the canonical string. */
export function signatureMatches(m: SnsMessage, cert: X509Certificate): boolean {
  const digest = m.signatureVersion === '1' ? 'sha1' : 'sha256';
  return verify(digest, Buffer.from(canonicalString(m), 'utf8'), cert.publicKey, Buffer.from(m.signature, 'base64'));
}
