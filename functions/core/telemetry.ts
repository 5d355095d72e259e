// What the pipeline reports and the ports it reports through: structured log lines and metrics. AWS-free: the
// handlers' runtime backs them with Powertools (functions/adapters/powertools-*.ts); tests with what they like.
import type { RejectionReason } from './rejection-reason.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * One log line: `msg` is its message, `level` a LogLevel (default info), the rest its fields. Loosely typed, so
 * that the pipeline modules' `log` options (plain records) take it as it is.
 */
export type LogEntry = Record<string, unknown>;
export type Log = (entry: LogEntry) => void;

/** The service name in every log line and the default metric dimension; also the metric namespace. */
export const SERVICE = 'newsdigest';

/** Every metric the pipeline emits, with its CloudWatch unit. The stack's alarm and dashboard read these names. */
export const METRICS = {
  /** Ingest: files that gave at least one article. */
  FilesIngested: 'Count',
  /** Ingest: files that gave none; also split by `reason` (see REASON_DIMENSION). */
  FilesRejected: 'Count',
  /** Ingest: events for a file already ingested at the same ETag (redeliveries, duplicate uploads). */
  FilesUnchanged: 'Count',
  /** Ingest: articles stored from the files ingested. */
  ArticlesIngested: 'Count',
  /** Digest, per edition published: its articles, the syndicated copies folded into them, and its stories. */
  EditionArticles: 'Count',
  CopiesCollapsed: 'Count',
  Stories: 'Count',
  /** Digest: building the edition (copies, stories, ranking) from the loaded records. */
  DigestBuildMs: 'Milliseconds',
  /** Digest: the whole rebuild, reading the sources to writing the last file. */
  DigestPublishMs: 'Milliseconds',
  /** Deliver: messages accepted by the mail service, and sends that failed (retried by the next run). */
  EmailsSent: 'Count',
  EmailsFailed: 'Count',
  /** Feedback: SES events (bounce, complaint, delivery) that changed a subscriber's record. */
  FeedbackApplied: 'Count',
  /** Feedback: SNS messages refused (bad signature, untrusted certificate URL, another topic, malformed). */
  FeedbackRefused: 'Count',
} as const;
export type MetricName = keyof typeof METRICS;

/** The one extra dimension, on FilesRejected: its values are the few RejectionReason classes. */
export const REASON_DIMENSION = 'reason';

export interface MetricPoint {
  name: MetricName;
  value: number;
  /** Besides the service: only the rejection reason, so that every dimension has a small, known set of values. */
  dimensions?: { [REASON_DIMENSION]: RejectionReason };
}

export interface Metrics {
  add(point: MetricPoint): void;
  /** Publishes what was added since the last flush (once per invocation), and forgets it. */
  flush(): void;
}

export const noMetrics: Metrics = { add: () => undefined, flush: () => undefined };
