// A CloudWatch dashboard of the pipeline: files handled and rejected (with the alarm), articles and stories, the
// digest's build time, emails, and function errors.
import { Duration } from 'aws-cdk-lib';
import { AlarmWidget, Dashboard, GraphWidget, Metric, type IAlarm, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { REJECTION_REASONS } from '../functions/core/rejection-reason.ts';
import { pipelineMetric } from './pipeline-metrics.ts';

export interface PipelineDashboardProps {
  /** The rejected-share alarm, drawn with its threshold. */
  rejectedShareAlarm: IAlarm;
  functions: ReadonlyArray<{ name: string; fn: IFunction }>;
}

const PERIOD = Duration.minutes(5);

export class PipelineDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: PipelineDashboardProps) {
    super(scope, id);
    this.dashboard = new Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(1) });
    const graph = (title: string, left: IMetric[], extra: { stacked?: boolean } = {}) => new GraphWidget({ title, left, width: 12, height: 6, ...extra });
    // Counts are summed per period; an edition's counts are its latest state, so the largest in a period.
    const sum = (name: Parameters<typeof pipelineMetric>[0], label: string) => pipelineMetric(name, { period: PERIOD, label });
    const max = (name: Parameters<typeof pipelineMetric>[0], label: string) => pipelineMetric(name, { period: PERIOD, label, statistic: 'Maximum' });

    this.dashboard.addWidgets(
      graph('Files handled (per 5 minutes)', [sum('FilesIngested', 'ingested'), sum('FilesRejected', 'rejected'), sum('FilesUnchanged', 'unchanged (redelivered)')]),
      new AlarmWidget({ title: 'Rejected share of files (%, per 15 minutes)', alarm: props.rejectedShareAlarm, width: 12, height: 6 }),
    );
    this.dashboard.addWidgets(
      graph('Files rejected, by reason', REJECTION_REASONS.map((reason) => pipelineMetric('FilesRejected', { period: PERIOD, reason, label: reason })), { stacked: true }),
      graph('Articles and stories', [sum('ArticlesIngested', 'articles ingested'), max('EditionArticles', 'articles in the edition'), max('Stories', 'stories'), max('CopiesCollapsed', 'copies collapsed')]),
    );
    this.dashboard.addWidgets(
      graph('Digest time (ms, slowest rebuild)', [max('DigestBuildMs', 'build (copies, stories)'), max('DigestPublishMs', 'whole rebuild')]),
      graph('Emails', [sum('EmailsSent', 'sent'), sum('EmailsFailed', 'failed (retried next run)')]),
    );
    const ses = (metricName: string, label: string) => new Metric({ namespace: 'AWS/SES', metricName, period: Duration.hours(1), statistic: 'Maximum', label });
    this.dashboard.addWidgets(
      graph('SES feedback (per 5 minutes)', [sum('FeedbackApplied', 'subscriber changes (bounces, complaints, deliveries)'), sum('FeedbackRefused', 'refused (signature, topic)')]),
      graph('SES reputation (rate, alarms at 0.05 and 0.001)', [ses('Reputation.BounceRate', 'bounce rate'), ses('Reputation.ComplaintRate', 'complaint rate')]),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: 'Function errors', left: props.functions.map(({ name, fn }) => fn.metricErrors({ period: PERIOD, label: name })), width: 24, height: 6 }),
    );
  }
}
