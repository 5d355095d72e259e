// The pipeline's own CloudWatch metrics (the EMF the handlers emit, names in functions/core/telemetry.ts), as the
// alarm and the dashboard read them.
import { Duration } from 'aws-cdk-lib';
import { MathExpression, Metric, type MetricOptions } from 'aws-cdk-lib/aws-cloudwatch';
import type { RejectionReason } from '../functions/core/rejection-reason.ts';
import { REASON_DIMENSION, SERVICE, type MetricName } from '../functions/core/telemetry.ts';

/** One metric of the `newsdigest` namespace, for the service (and a rejection reason, for FilesRejected by reason). */
export function pipelineMetric(name: MetricName, options: MetricOptions & { reason?: RejectionReason } = {}): Metric {
  const { reason, ...rest } = options;
  return new Metric({
    namespace: SERVICE,
    metricName: name,
    dimensionsMap: { service: SERVICE, ...(reason ? { [REASON_DIMENSION]: reason } : {}) },
    statistic: 'Sum',
    ...rest,
  });
}

export interface RejectedShareOptions {
  period: Duration;
  /** Below this many files handled in a period the share reads 0: one bad file alone is not a spike. */
  minFiles: number;
}

/**
 * Rejected files as a percentage of the files handled (ingested + rejected; a redelivered or re-uploaded file at
 * the same ETag counts in neither). A period with no file of one kind counts it as 0.
 */
export function rejectedShare({ period, minFiles }: RejectedShareOptions): MathExpression {
  const handled = 'FILL(ingested, 0) + FILL(rejected, 0)';
  return new MathExpression({
    expression: `IF(${handled} >= ${minFiles}, 100 * FILL(rejected, 0) / (${handled}), 0)`,
    usingMetrics: { ingested: pipelineMetric('FilesIngested'), rejected: pipelineMetric('FilesRejected') },
    period,
    label: 'Rejected share of files (%)',
  });
}
