// Stack configuration: CDK context values (`cdk synth -c windowHours=24`) over defaults, validated once.
import type { Node } from 'constructs';
import * as z from 'zod';
import { TelemetryEnvSchema } from '../functions/config.ts';

/** Context values arrive as strings from the CLI (`-c kms=true`) and as JSON from cdk.json: accept both. */
const flag = z.preprocess((v) => (typeof v === 'string' ? v.trim().toLowerCase() : v), z.union([
  z.boolean(),
  z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']).transform((s) => ['true', '1', 'yes', 'on'].includes(s)),
]));
const days = z.coerce.number().int().positive().max(3650);

export const StackConfigSchema = z.object({
  /** Articles published or received within this many hours make the edition (EDITION_WINDOW_HOURS). */
  windowHours: z.coerce.number().positive().max(24 * 14).default(48),
  /** Digest title (DIGEST_TITLE). */
  title: z.string().min(1).default('News digest'),
  /** IANA zone that names the edition's day (EDITION_TIME_ZONE). */
  timeZone: z.string().min(1).default('UTC'),
  /** Lambda log groups keep this many days. */
  logRetentionDays: days.default(30),
  /** Rejection reports under rejected/ expire after this many days. */
  rejectedExpirationDays: days.default(30),
  /** Overwritten or deleted object versions expire after this many days. */
  noncurrentVersionExpirationDays: days.default(30),
  /** Server access logs expire after this many days. */
  accessLogExpirationDays: days.default(90),
  /** SSE-KMS with a customer managed key instead of the S3-managed default. */
  kms: flag.default(false),
  /** Keep the data (bucket, key, logs, queues) when the stack is deleted. */
  retainData: flag.default(true),
  /** Receives before an SQS message goes to the dead-letter queue (throttled deliveries count too). */
  maxReceiveCount: z.coerce.number().int().min(1).max(1000).default(10),
  /** The functions' LOG_LEVEL: trace, debug, info, warn, error, critical or silent (debug logs every file's details too). */
  logLevel: TelemetryEnvSchema.shape.LOG_LEVEL,
  /** Alarm when more than this percentage of the files handled in 15 minutes are rejected… */
  rejectedRatePercent: z.coerce.number().min(0).max(100).default(20),
  /** …and at least this many files were handled then (one bad file alone is not a spike). */
  rejectedRateMinFiles: z.coerce.number().int().min(1).default(5),
  /** Optional address subscribed to the alarm topic. */
  alarmEmail: z.email().optional(),
  /** Digest sender, `Name <address>` or an address (MAIL_FROM); its SES identity is what deliver may send as. */
  sender: z.string().min(3).optional(),
  /** Subscribers used when the bucket has no config/subscribers.json (SUBSCRIBERS): `Ann <ann@example.com>, bob@example.com`. */
  recipients: z.string().optional(),
  /** Public URL serving digests/ (PUBLIC_BASE_URL): the email links to the full edition there. */
  publicBaseUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** One-click unsubscribe URL template (UNSUBSCRIBE_URL) and mailbox (UNSUBSCRIBE_MAILTO). */
  unsubscribeUrl: z.string().min(1).optional(),
  unsubscribeMailto: z.email().optional(),
  /** Where the subscriptions pages are served (a custom domain in front of the HTTP API); default: the API's own URL. */
  subscriptionsUrl: z.url({ protocol: /^https$/ }).optional(),
  /** Name of the SES configuration set the stack creates and deliver sends through (SES_CONFIGURATION_SET); unset: generated. */
  sesConfigurationSet: z.string().min(1).optional(),
  /** HTML budget of the email (EMAIL_MAX_BYTES). */
  emailMaxBytes: z.coerce.number().int().positive().optional(),
  /** Parser limits (MAX_FILE_BYTES, …); unset keeps the handlers' defaults. */
  maxFileBytes: z.coerce.number().int().positive().optional(),
  maxDecompressedBytes: z.coerce.number().int().positive().optional(),
  maxArticlesPerFile: z.coerce.number().int().positive().optional(),
});
export type StackConfig = z.infer<typeof StackConfigSchema>;

export const CONTEXT_KEYS = Object.keys(StackConfigSchema.shape) as Array<keyof StackConfig>;

/** Reads every known key from the construct's context; throws with every problem at once. */
export function readStackConfig(node: Pick<Node, 'tryGetContext'>, overrides: Partial<Record<keyof StackConfig, unknown>> = {}): StackConfig {
  const raw: Record<string, unknown> = {};
  for (const key of CONTEXT_KEYS) {
    const value = overrides[key] ?? node.tryGetContext(key);
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = StackConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid newsdigest context: ${why}`);
  }
  return parsed.data;
}
