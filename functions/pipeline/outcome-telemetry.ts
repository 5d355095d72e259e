// What each handler's outcome says in the logs and the metrics (names in core/telemetry.ts): pure, so the
// handlers only pass it on.
import { rejectionReason } from '../core/rejection-reason.ts';
import type { LogEntry, MetricPoint } from '../core/telemetry.ts';
import type { DeliverResult, DeliveryReport } from './deliver.ts';
import type { DigestResult } from './digest.ts';
import type { FeedbackOutcome } from './feedback.ts';
import type { IngestResult } from './ingest.ts';

/**
 * The one line logged per file, and its metrics. `outcome` is the ingest status; a rejection also has its
 * `reason` class (the metric dimension) and first `error`. Article ids are counted, not listed: a feed may hold hundreds.
 */
export function ingestTelemetry(result: IngestResult): { entry: LogEntry; points: MetricPoint[] } {
  const base = { msg: 'ingest', key: result.key, outcome: result.status };
  switch (result.status) {
    case 'ingested':
      return {
        entry: { ...base, articles: result.articles.length, errors: result.errors },
        points: [
          { name: 'FilesIngested', value: 1 },
          { name: 'ArticlesIngested', value: result.articles.length },
        ],
      };
    case 'rejected': {
      const reason = rejectionReason(result.error);
      return {
        entry: { ...base, reason, error: result.error },
        points: [
          { name: 'FilesRejected', value: 1 },
          { name: 'FilesRejected', value: 1, dimensions: { reason } },
        ],
      };
    }
    case 'unchanged':
      return { entry: { ...base, articles: result.articles.length }, points: [{ name: 'FilesUnchanged', value: 1 }] };
    case 'missing':
      return { entry: base, points: [] };
    case 'ignored':
      return { entry: { ...base, detail: result.reason }, points: [] };
  }
}

/** A published edition's counts and timings; a rebuild that published nothing (empty, unchanged) has none. */
export function digestPoints(result: DigestResult): MetricPoint[] {
  if (result.status !== 'published') return [];
  const { counts, ms } = result;
  return [
    { name: 'EditionArticles', value: counts.articles },
    { name: 'CopiesCollapsed', value: counts.copiesCollapsed },
    { name: 'Stories', value: counts.stories },
    { name: 'DigestBuildMs', value: ms.build },
    { name: 'DigestPublishMs', value: ms.load + ms.build + ms.render + ms.write },
  ];
}

/** Sends accepted and failed in one run (a run that had nothing to send has none). */
export function deliverPoints(result: DeliverResult | DeliveryReport): MetricPoint[] {
  if (result.status !== 'delivered' && result.status !== 'incomplete') return [];
  return [
    { name: 'EmailsSent', value: result.sent },
    { name: 'EmailsFailed', value: result.failed.length },
  ];
}

/** The line logged per SNS message of SES feedback (a refusal at warn), and its metrics. */
export function feedbackTelemetry(outcome: FeedbackOutcome): { entry: LogEntry; points: MetricPoint[] } {
  const entry: LogEntry = { msg: 'feedback', ...outcome };
  if (outcome.status === 'refused') return { entry: { ...entry, level: 'warn' }, points: [{ name: 'FeedbackRefused', value: 1 }] };
  if (outcome.status === 'ignored') return { entry, points: [] };
  return { entry, points: outcome.changed > 0 ? [{ name: 'FeedbackApplied', value: outcome.changed }] : [] };
}
