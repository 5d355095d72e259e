// Handler configuration from the environment, validated once at cold start.
import * as z from 'zod';
import { ParseLimitsSchema, type ParseLimits } from './core/parse/limits.ts';
import { SERVICE } from './core/telemetry.ts';
import { IsoDate } from './core/schema.ts';

/**
 * A parser thread's heap limit by default: room for the largest accepted file (MAX_FILE_BYTES, 50 MiB of
 * HTML builds a DOM several times its size) while a hostile one is stopped well before the function's memory.
 */
export const DEFAULT_PARSE_MAX_HEAP_MB = 768;

const optionalInt = z.coerce.number().int().positive().optional();

/** The log and metric settings: the names Powertools reads, defaulting to what the stack sets. */
export const TelemetryEnvSchema = z.object({
  /** Lowest level logged: the Powertools levels, any case (`silent` logs nothing). */
  LOG_LEVEL: z
    .string()
    .transform((s) => s.trim().toLowerCase())
    .pipe(z.enum(['trace', 'debug', 'info', 'warn', 'error', 'critical', 'silent']))
    .default('info'),
  /** `service` in every log line, and the metrics' dimension. */
  POWERTOOLS_SERVICE_NAME: z.string().min(1).default(SERVICE),
  /** CloudWatch namespace of the metrics. */
  POWERTOOLS_METRICS_NAMESPACE: z.string().min(1).default(SERVICE),
});

export interface TelemetryConfig {
  logLevel: string;
  serviceName: string;
  namespace: string;
}

/** The telemetry settings alone; invalid values fall back to the defaults (loadConfig is the one that rejects them). */
export function telemetryConfig(env: NodeJS.ProcessEnv): TelemetryConfig {
  const one = <K extends keyof typeof TelemetryEnvSchema.shape>(k: K) => {
    const r = TelemetryEnvSchema.shape[k].safeParse(env[k]);
    return r.success ? r.data : TelemetryEnvSchema.shape[k].parse(undefined);
  };
  return { logLevel: one('LOG_LEVEL'), serviceName: one('POWERTOOLS_SERVICE_NAME'), namespace: one('POWERTOOLS_METRICS_NAMESPACE') };
}

export const EnvSchema = z.object({
  ...TelemetryEnvSchema.shape,
  BUCKET: z.string().min(3, 'BUCKET must name the pipeline bucket'),
  /** Set only for a non-AWS S3 endpoint (the embedded s3rver). */
  S3_ENDPOINT: z.url().optional(),
  AWS_REGION: z.string().default('us-east-1'),
  /** Articles published or received within this many hours make the edition. */
  EDITION_WINDOW_HOURS: z.coerce.number().positive().default(48),
  DIGEST_TITLE: z.string().min(1).default('News digest'),
  /** IANA zone used to name the edition by its day. */
  EDITION_TIME_ZONE: z.string().default('UTC'),
  TEMPLATES_DIR: z.string().optional(),
  MAX_FILE_BYTES: optionalInt,
  MAX_DECOMPRESSED_BYTES: optionalInt,
  MAX_ARTICLES_PER_FILE: optionalInt,
  /** A file still parsing after this long is rejected (its parser thread is stopped). */
  PARSE_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
  /** Parser threads per process. */
  PARSE_WORKERS: z.coerce.number().int().positive().default(1),
  /** Heap limit of each parser thread; a file that needs more is rejected. */
  PARSE_MAX_HEAP_MB: z.coerce.number().int().min(32).default(DEFAULT_PARSE_MAX_HEAP_MB),
  /** Public URL where the bucket's digests/ prefix is served; the email links to the full edition there. */
  PUBLIC_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Sender of the digest email. */
  MAIL_FROM: z.string().min(3).default('News digest <digest@newsdigest.invalid>'),
  /** One-click unsubscribe URL (RFC 8058); `{email}`, `{id}` and `{edition}` are filled per recipient. */
  UNSUBSCRIBE_URL: z.string().optional(),
  /** Where the subscriptions function is served; set, each email's one-click unsubscribe link is signed and points there. */
  SUBSCRIPTIONS_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** The signing key of subscription links: a Secrets Manager secret (AWS), read once at cold start. */
  TOKEN_KEY_SECRET_ARN: z.string().min(20).optional(),
  /** The signing key of subscription links in a file (locally: generated once into the data folder). */
  TOKEN_KEY_FILE: z.string().min(1).optional(),
  /** Confirmation emails a day per address and per client IP (the subscribe form's abuse limits). */
  CONFIRMATIONS_PER_ADDRESS: z.coerce.number().int().min(1).default(3),
  CONFIRMATIONS_PER_CLIENT: z.coerce.number().int().min(1).default(20),
  /** Mailbox for "unsubscribe" mails (List-Unsubscribe mailto:); defaults to the sender. */
  UNSUBSCRIBE_MAILTO: z.email().optional(),
  /** HTML budget of the email; larger editions mail their top stories and link to the full page. */
  EMAIL_MAX_BYTES: z.coerce.number().int().min(10_000).max(10_000_000).optional(),
  /** `ses` (AWS SES v2) or `smtp`; default: smtp when SMTP_URL is set, else ses. */
  MAILER: z.enum(['ses', 'smtp']).optional(),
  /** `smtp://user:pass@host:port` (or smtps://) for the SMTP mailer. */
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  /** SES configuration set to send through (optional). */
  SES_CONFIGURATION_SET: z.string().optional(),
  /** The SNS topic of SES feedback; messages from any other topic are refused (unset: any topic, signature still checked). */
  FEEDBACK_TOPIC_ARN: z.string().regex(/^arn:aws[a-z-]*:sns:/).optional(),
  /** Subscribers when the bucket has no config/subscribers.json: `Ann <ann@example.com>, bob@example.com`. */
  SUBSCRIBERS: z.string().optional(),
  /** Give up on one send after this long (the subscriber is retried on the next invocation). */
  SEND_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** The instant every handler takes as now (a replay of past days, `newsdigest run --at`); unset: the system clock. */
  CLOCK_AT: IsoDate.optional(),
});
export type Env = z.infer<typeof EnvSchema>;

export interface PipelineConfig {
  bucket: string;
  s3Endpoint: string | undefined;
  region: string;
  windowHours: number;
  title: string;
  timeZone: string;
  templatesDir: string | undefined;
  limits: ParseLimits;
  parse: { timeoutMs: number; workers: number; maxHeapMb: number };
  email: EmailConfig;
  subscriptions: SubscriptionsConfig;
  telemetry: TelemetryConfig;
  /** Set: the handlers' clock stands still at this instant. */
  clockAt: Date | undefined;
}

export interface EmailConfig {
  publicBaseUrl: string | undefined;
  from: string;
  unsubscribeUrl: string | undefined;
  unsubscribeMailto: string | undefined;
  maxEmailBytes: number | undefined;
  mailer: 'ses' | 'smtp';
  smtpUrl: string | undefined;
  sesConfigurationSet: string | undefined;
  feedbackTopicArn: string | undefined;
  subscribers: string | undefined;
  sendTimeoutMs: number;
}

export interface SubscriptionsConfig {
  url: string | undefined;
  keySecretArn: string | undefined;
  keyFile: string | undefined;
  perAddressPerDay: number;
  perClientPerDay: number;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): PipelineConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${why}`);
  }
  const e = parsed.data;
  return {
    bucket: e.BUCKET,
    s3Endpoint: e.S3_ENDPOINT,
    region: e.AWS_REGION,
    windowHours: e.EDITION_WINDOW_HOURS,
    title: e.DIGEST_TITLE,
    timeZone: e.EDITION_TIME_ZONE,
    templatesDir: e.TEMPLATES_DIR,
    limits: ParseLimitsSchema.parse({
      maxFileBytes: e.MAX_FILE_BYTES,
      maxDecompressedBytes: e.MAX_DECOMPRESSED_BYTES,
      maxArticlesPerFile: e.MAX_ARTICLES_PER_FILE,
    }),
    parse: { timeoutMs: e.PARSE_TIMEOUT_MS, workers: e.PARSE_WORKERS, maxHeapMb: e.PARSE_MAX_HEAP_MB },
    email: {
      publicBaseUrl: e.PUBLIC_BASE_URL,
      from: e.MAIL_FROM,
      unsubscribeUrl: e.UNSUBSCRIBE_URL,
      unsubscribeMailto: e.UNSUBSCRIBE_MAILTO,
      maxEmailBytes: e.EMAIL_MAX_BYTES,
      mailer: e.MAILER ?? (e.SMTP_URL ? 'smtp' : 'ses'),
      smtpUrl: e.SMTP_URL,
      sesConfigurationSet: e.SES_CONFIGURATION_SET,
      feedbackTopicArn: e.FEEDBACK_TOPIC_ARN,
      subscribers: e.SUBSCRIBERS,
      sendTimeoutMs: e.SEND_TIMEOUT_MS,
    },
    subscriptions: {
      url: e.SUBSCRIPTIONS_URL,
      keySecretArn: e.TOKEN_KEY_SECRET_ARN,
      keyFile: e.TOKEN_KEY_FILE,
      perAddressPerDay: e.CONFIRMATIONS_PER_ADDRESS,
      perClientPerDay: e.CONFIRMATIONS_PER_CLIENT,
    },
    telemetry: { logLevel: e.LOG_LEVEL, serviceName: e.POWERTOOLS_SERVICE_NAME, namespace: e.POWERTOOLS_METRICS_NAMESPACE },
    clockAt: e.CLOCK_AT === undefined ? undefined : new Date(e.CLOCK_AT),
  };
}
