// The SES side of delivery: the configuration set deliver sends through (suppression of bounced and complaining
// addresses, reputation metrics) and its event destination, an SNS topic of bounces, complaints, deliveries and
// rejections that the feedback function subscribes to (as functions/triggers.ts declares).
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { ConfigurationSet, EmailSendingEvent, EventDestination, SuppressionReasons } from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

export interface SesFeedbackProps {
  /** The configuration set's name (the `sesConfigurationSet` context value); unset: CloudFormation names it. */
  configurationSetName?: string | undefined;
  /** Encrypts the topic (kms=true); SES is allowed to use it to publish. */
  key?: IKey | undefined;
}

/** The events published: what changes a subscriber (bounce, complaint, delivery) and rejections, for the logs. */
export const FEEDBACK_EVENTS = [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT, EmailSendingEvent.DELIVERY, EmailSendingEvent.REJECT];

export class SesFeedback extends Construct {
  readonly configurationSet: ConfigurationSet;
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: SesFeedbackProps = {}) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', {
      displayName: 'newsdigest SES feedback',
      enforceSSL: true,
      ...(props.key ? { masterKey: props.key } : {}),
    });
    // SES cannot use the AWS managed SNS key; with a customer key it must be allowed to.
    if (props.key) props.key.grant(new ServicePrincipal('ses.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      ...(props.configurationSetName ? { configurationSetName: props.configurationSetName } : {}),
      // Messages through this set are never sent to an address on the account's suppression list for either
      // reason, whatever the account-level setting says.
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      reputationMetrics: true,
      sendingEnabled: true,
    });
    // CDK adds the topic policy: ses.amazonaws.com may publish, for this account and configuration set only.
    this.configurationSet.addEventDestination('ToTopic', { destination: EventDestination.snsTopic(this.topic), events: FEEDBACK_EVENTS });
  }
}
