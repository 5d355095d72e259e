// The newsdigest stack: one bucket, one function per handler, wired as functions/triggers.ts declares.
import { CfnOutput, Fn, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type { Dashboard } from 'aws-cdk-lib/aws-cloudwatch';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { PREFIX, assertNoTriggerLoops, triggers as declaredTriggers, type Trigger } from '../functions/triggers.ts';
import { readStackConfig, type StackConfig } from './config.ts';
import { PipelineFunction, REPO_ROOT, deployableHandlers, type HandlerName } from './functions.ts';
import { PipelineDashboard } from './dashboard.ts';
import { Operations } from './operations.ts';
import { SesFeedback } from './ses-feedback.ts';
import { Storage } from './storage.ts';
import { TriggerWiring } from './wiring.ts';

export interface NewsdigestStackProps extends StackProps {
  /** Defaults to the declaration in functions/triggers.ts (tests pass variants). */
  triggers?: readonly Trigger[];
  /** Overrides for the context values (tests); the CLI uses `-c key=value`. */
  config?: Partial<Record<keyof StackConfig, unknown>>;
  /** Repository root holding functions/, templates/ and package-lock.json. */
  root?: string;
}

export class NewsdigestStack extends Stack {
  readonly config: StackConfig;
  readonly storage: Storage;
  readonly operations: Operations;
  readonly ses: SesFeedback;
  readonly functions = new Map<HandlerName, PipelineFunction>();
  readonly wiring: TriggerWiring;
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: NewsdigestStackProps = {}) {
    super(scope, id, props);
    const list = props.triggers ?? declaredTriggers;
    assertNoTriggerLoops(list);
    this.config = readStackConfig(this.node, props.config);
    const removalPolicy = this.config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.storage = new Storage(this, 'Storage', { config: this.config });
    this.operations = new Operations(this, 'Operations', { alarmEmail: this.config.alarmEmail, key: this.storage.key });

    this.ses = new SesFeedback(this, 'Ses', { configurationSetName: this.config.sesConfigurationSet, key: this.storage.key });
    this.operations.alarmOnSesReputation();
    // deliver sends through the configuration set the stack creates (SES_CONFIGURATION_SET, and its grant).
    const functionConfig = { ...this.config, sesConfigurationSet: this.ses.configurationSet.configurationSetName };

    const root = props.root ?? REPO_ROOT;
    for (const name of deployableHandlers(list, root)) {
      const mine = list.filter((t) => t.handler === name);
      const f = new PipelineFunction(this, pascal(name), {
        name,
        config: functionConfig,
        bucket: this.storage.bucket,
        key: this.storage.key,
        writes: [...new Set(mine.flatMap((t) => t.writes))],
        listens: [...new Set(mine.flatMap((t) => (t.source.kind === 's3' ? [t.source.prefix] : [])))],
        operations: this.operations,
        removalPolicy,
        root,
      });
      this.functions.set(name, f);
    }

    this.wiring = new TriggerWiring(this, 'Triggers', {
      triggers: list,
      functions: this.functions,
      bucket: this.storage.bucket,
      topics: new Map([['ses-feedback', this.ses.topic]]),
      operations: this.operations,
      maxReceiveCount: this.config.maxReceiveCount,
      removalPolicy,
    });

    const rejectedShare = this.operations.alarmOnRejectedShare(this.config.rejectedRatePercent, this.config.rejectedRateMinFiles);
    this.dashboard = new PipelineDashboard(this, 'Dashboard', {
      rejectedShareAlarm: rejectedShare,
      functions: [...this.functions.values()].map((f) => ({ name: f.name, fn: f.fn })),
    }).dashboard;

    this.acknowledgeFindings();

    const bucketName = this.storage.bucket.bucketName;
    new CfnOutput(this, 'BucketName', { value: bucketName, description: 'The pipeline bucket' });
    new CfnOutput(this, 'UploadCommand', {
      value: Fn.join('', ['aws s3 cp FILE s3://', bucketName, `/${PREFIX.inbox}`]),
      description: 'Drop an article file into the inbox',
    });
    new CfnOutput(this, 'LatestDigestCommand', {
      value: Fn.join('', ['aws s3 cp s3://', bucketName, `/${PREFIX.digests}latest/digest.html .`]),
      description: 'Fetch the latest edition',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.operations.topic.topicArn, description: 'Subscribe here for alarms' });
    new CfnOutput(this, 'DashboardUrl', {
      value: Fn.join('', ['https://console.aws.amazon.com/cloudwatch/home?region=', this.region, '#dashboards:name=', this.dashboard.dashboardName]),
      description: 'Files, rejections, stories, digest time and emails',
    });
  }

  /** cdk-nag findings that are by design, each on the resource it concerns, each with its reason. */
  private acknowledgeFindings(): void {
    const bucketId = this.getLogicalId(this.storage.bucket.node.defaultChild as CfnBucket);
    for (const f of this.functions.values()) {
      const policy = f.fn.role?.node.tryFindChild('DefaultPolicy');
      if (!policy) continue;
      for (const prefix of f.prefixWildcards) {
        Validations.of(policy).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${prefix}*]`,
          reason: `${f.name} works on any object under ${prefix}; the grant is limited to that prefix and to the actions it uses.`,
        });
      }
    }
    // The custom resource CDK uses to put the bucket's notification configuration (one per stack).
    const notifications = this.node.tryFindChild('BucketNotificationsHandler050a0587b7544547bf325f094a3db834');
    if (notifications) {
      Validations.of(notifications).acknowledge(
        {
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason: 'CDK-provided handler that sets the bucket notification configuration; the managed policy only lets it write its logs.',
        },
      );
    }
  }
}

function pascal(s: string): string {
  return s[0]!.toUpperCase() + s.slice(1);
}
