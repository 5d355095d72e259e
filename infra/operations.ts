// Alarms and where they go: an SNS topic, with an optional e-mail subscription.
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { rejectedShare } from './pipeline-metrics.ts';

export interface OperationsProps {
  alarmEmail?: string | undefined;
  /** Encrypts the topic; CloudWatch is allowed to use it. Unset: the topic is unencrypted (alarm metadata only). */
  key?: IKey | undefined;
}

export class Operations extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: OperationsProps = {}) {
    super(scope, id);
    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: 'newsdigest alarms',
      enforceSSL: true,
      ...(props.key ? { masterKey: props.key } : {}),
    });
    // The alarm topic carries only alarm names and states; with kms=true it is encrypted too, and CloudWatch
    // (which cannot use the AWS managed SNS key) is allowed to use the customer key.
    if (props.key) props.key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    this.action = new SnsAction(this.topic);
  }

  private add(alarm: Alarm): Alarm {
    alarm.addAlarmAction(this.action);
    this.alarms.push(alarm);
    return alarm;
  }

  /** Any error in a 5-minute period. */
  alarmOnErrors(fn: IFunction, description: string): Alarm {
    return this.add(
      new Alarm(fn, 'ErrorsAlarm', {
        alarmDescription: `newsdigest: ${description}`,
        metric: fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  /** Any message in a dead-letter queue. */
  alarmOnQueueDepth(queue: IQueue, description: string): Alarm {
    return this.add(
      new Alarm(queue, 'DepthAlarm', {
        alarmDescription: `newsdigest: ${description} (dead-letter queue not empty)`,
        metric: queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  /**
   * More than `percent` of the files handled in 15 minutes were rejected (with at least `minFiles` handled): an
   * upstream export changed format, or a parser regressed. Reads the handlers' EMF metrics.
   */
  alarmOnRejectedShare(percent: number, minFiles: number): Alarm {
    return this.add(
      new Alarm(this, 'RejectedShareAlarm', {
        alarmDescription: `newsdigest: more than ${percent}% of the files handled in 15 minutes were rejected (at least ${minFiles} files); see rejected/ for the reports`,
        metric: rejectedShare({ period: Duration.minutes(15), minFiles }),
        threshold: percent,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  /** A work queue whose oldest message waits longer than `maxAge`: its consumer is stuck or failing. */
  alarmOnQueueAge(queue: IQueue, maxAge: Duration, description: string): Alarm {
    return this.add(
      new Alarm(queue, 'AgeAlarm', {
        alarmDescription: `newsdigest: ${description} (oldest message older than ${maxAge.toHumanString()})`,
        metric: queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
        threshold: maxAge.toSeconds(),
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  /**
   * The account's SES reputation, as SES measures it (`AWS/SES`, no dimension: rates from 0 to 1): above 5%
   * bounces or 0.1% complaints SES may put the account under review (and pause sending at 10% / 0.5%).
   */
  alarmOnSesReputation(): { bounceRate: Alarm; complaintRate: Alarm } {
    const rate = (id: string, metricName: string, threshold: number, what: string) =>
      this.add(
        new Alarm(this, id, {
          alarmDescription: `newsdigest: SES ${what} rate above ${threshold * 100}% (SES reviews the account from there); see the feedback function's logs`,
          metric: new Metric({ namespace: 'AWS/SES', metricName, period: Duration.hours(1), statistic: 'Maximum' }),
          threshold,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    return {
      bounceRate: rate('SesBounceRateAlarm', 'Reputation.BounceRate', 0.05, 'bounce'),
      complaintRate: rate('SesComplaintRateAlarm', 'Reputation.ComplaintRate', 0.001, 'complaint'),
    };
  }
}
