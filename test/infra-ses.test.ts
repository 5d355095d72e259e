// The SES set-up in the CDK stack: the configuration set deliver sends through, its event destination, the
// feedback topic and function with their grants, the suppression setting and the reputation alarms.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREFIX, triggers } from '../functions/triggers.ts';
import { FEATURE_FLAGS, OFFLINE_ENV } from '../infra/build.ts';
import { NewsdigestStack } from '../infra/stack.ts';

type Resource = { Type: string; Properties: Record<string, any> };

let outdir: string;
let app: App;
let main: NewsdigestStack;
let kms: NewsdigestStack;
let t: Template;
let tk: Template;

beforeAll(() => {
  outdir = mkdtempSync(path.join(tmpdir(), 'newsdigest-cdk-ses-'));
  app = new App({ outdir, context: { ...FEATURE_FLAGS, 'aws:cdk:bundling-stacks': [] } });
  main = new NewsdigestStack(app, 'Main', { env: OFFLINE_ENV, config: { sender: 'News <digest@news.example.org>', sesConfigurationSet: 'newsdigest-digest' } });
  kms = new NewsdigestStack(app, 'Kms', { env: OFFLINE_ENV, config: { kms: 'true' } });
  app.synth();
  t = Template.fromStack(main);
  tk = Template.fromStack(kms);
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const id = (stack: NewsdigestStack, c: IConstruct) => stack.getLogicalId(c.node.defaultChild as any);
const setId = (s: NewsdigestStack) => id(s, s.ses.configurationSet);
const topicId = (s: NewsdigestStack) => id(s, s.ses.topic);
const fnId = (s: NewsdigestStack, name: 'feedback' | 'deliver') => id(s, s.functions.get(name)!.fn);

function statements(tpl: Template, s: NewsdigestStack, name: 'feedback' | 'deliver'): Array<Record<string, any>> {
  const role = id(s, s.functions.get(name)!.fn.role!);
  return (Object.values(tpl.findResources('AWS::IAM::Policy')) as Resource[])
    .filter((p) => p.Properties.Roles.some((r: any) => r.Ref === role))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<Record<string, any>>);
}

describe('SES configuration set', () => {
  it('is created with the context name, suppresses bounced and complaining addresses, and publishes reputation metrics', () => {
    t.resourceCountIs('AWS::SES::ConfigurationSet', 1);
    t.hasResourceProperties('AWS::SES::ConfigurationSet', {
      Name: 'newsdigest-digest',
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
      ReputationOptions: { ReputationMetricsEnabled: true },
      SendingOptions: { SendingEnabled: true },
    });
    tk.hasResourceProperties('AWS::SES::ConfigurationSet', { Name: Match.absent() });
  });

  it('sends bounces, complaints, deliveries and rejections to the feedback topic, which only SES for this set may publish to', () => {
    t.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: { Ref: setId(main) },
      EventDestination: { Enabled: true, MatchingEventTypes: ['bounce', 'complaint', 'delivery', 'reject'], SnsDestination: { TopicARN: { Ref: topicId(main) } } },
    });
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId(main) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'ses.amazonaws.com' },
            Condition: { StringEquals: { 'AWS:SourceAccount': OFFLINE_ENV.account, 'AWS:SourceArn': Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([{ Ref: setId(main) }])] }) } },
          }),
        ]),
      },
    });
  });

  it('is the set deliver sends through, and the one it may use', () => {
    const vars = t.toJSON().Resources[fnId(main, 'deliver')].Properties.Environment.Variables;
    expect(vars.SES_CONFIGURATION_SET).toEqual({ Ref: setId(main) });
    const send = statements(t, main, 'deliver').find((s) => s.Sid === 'SendDigest')!;
    expect(send.Action).toBe('ses:SendEmail');
    expect(send.Resource).toEqual([
      'arn:aws:ses:us-east-1:123456789012:identity/digest@news.example.org',
      'arn:aws:ses:us-east-1:123456789012:identity/news.example.org',
      { 'Fn::Join': ['', ['arn:aws:ses:us-east-1:123456789012:configuration-set/', { Ref: setId(main) }]] },
    ]);
  });

  it('may read the account\'s send quota (GetAccount, which takes no resource), and only that on *', () => {
    const all = statements(t, main, 'deliver');
    expect(all.find((s) => s.Sid === 'ReadSendQuota')).toMatchObject({ Effect: 'Allow', Action: 'ses:GetAccount', Resource: '*' });
    expect(all.filter((s) => s.Resource === '*').map((s) => s.Action)).toEqual(['ses:GetAccount']);
  });
});

describe('feedback function', () => {
  it('is declared in triggers.ts as an SNS subscriber that writes only subscribers/', () => {
    expect(triggers.filter((x) => x.source.kind === 'sns')).toEqual([
      { handler: 'feedback', source: { kind: 'sns', topic: 'ses-feedback' }, delivery: { kind: 'direct' }, writes: [PREFIX.subscribers] },
    ]);
  });

  it('subscribes to the topic, with a dead-letter queue for messages it could not take, and knows the topic it trusts', () => {
    const queue = id(main, main.functions.get('feedback')!.asyncFailureQueue());
    t.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'lambda',
      TopicArn: { Ref: topicId(main) },
      Endpoint: { 'Fn::GetAtt': [fnId(main, 'feedback'), 'Arn'] },
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [queue, 'Arn'] } },
    });
    t.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com', SourceArn: { Ref: topicId(main) } });
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: fnId(main, 'feedback') }, DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } } });
    const fn = t.toJSON().Resources[fnId(main, 'feedback')].Properties;
    expect(fn.Environment.Variables.FEEDBACK_TOPIC_ARN).toEqual({ Ref: topicId(main) });
    expect(fn.ReservedConcurrentExecutions).toBe(1);
    expect(fn.Runtime).toBe('nodejs22.x');
  });

  it('may read and write subscribers/ and nothing else in the bucket, and may not send mail', () => {
    const all = statements(t, main, 'feedback');
    const s3 = all.filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:')));
    const bucket = id(main, main.storage.bucket);
    const objects = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, `/${PREFIX.subscribers}*`]] };
    expect(s3.map((s) => [s.Action, s.Resource])).toEqual([
      ['s3:ListBucket', { 'Fn::GetAtt': [bucket, 'Arn'] }],
      ['s3:GetObject', objects],
      ['s3:PutObject', objects],
    ]);
    expect(all.flatMap((s) => [s.Action].flat()).filter((a: string) => a.startsWith('ses:'))).toEqual([]);
  });
});

describe('SES reputation alarms', () => {
  it('alarm on the account’s bounce rate above 5% and complaint rate above 0.1%, on the alarm topic', () => {
    const alarmTopic = id(main, main.operations.topic);
    for (const [metric, threshold] of [['Reputation.BounceRate', 0.05], ['Reputation.ComplaintRate', 0.001]] as const) {
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SES',
        MetricName: metric,
        Dimensions: Match.absent(),
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [{ Ref: alarmTopic }],
      });
    }
  });
});

describe('with kms=true', () => {
  it('encrypts the feedback topic with the customer key, which SES may use to publish', () => {
    const key = id(kms, kms.storage.key!);
    tk.hasResourceProperties('AWS::SNS::Topic', { DisplayName: 'newsdigest SES feedback', KmsMasterKeyId: { 'Fn::GetAtt': [key, 'Arn'] } });
    tk.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'ses.amazonaws.com' }, Action: Match.arrayWith(['kms:Decrypt', 'kms:GenerateDataKey*']) })]) },
    });
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('has no unacknowledged finding with the SES set-up', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });
});
