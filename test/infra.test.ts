// The CDK stack, checked on its synthesized CloudFormation. One synth for the whole file; bundling is
// skipped here (test/bundles.test.ts synthesizes with esbuild and runs the bundles).
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvSchema } from '../functions/config.ts';
import { REJECTION_REASONS } from '../functions/core/rejection-reason.ts';
import { METRICS } from '../functions/core/telemetry.ts';
import { PREFIX, triggers, type Trigger } from '../functions/triggers.ts';
import { FEATURE_FLAGS, OFFLINE_ENV, buildApp } from '../infra/build.ts';
import { readStackConfig } from '../infra/config.ts';
import { HANDLER_SPECS, deployableHandlers, handlerEntry, senderAddress, type HandlerName } from '../infra/functions.ts';
import { NewsdigestStack } from '../infra/stack.ts';
import { assertDistinctS3Filters, scheduleExpression } from '../infra/wiring.ts';

type Resource = { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; Metadata?: Record<string, any> };

const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };
const SCHEDULED: Trigger[] = [
  ...triggers,
  { handler: 'digest', source: { kind: 'schedule', cron: '0 6 * * ? *' }, delivery: { kind: 'direct' }, writes: [PREFIX.digests] },
];

let outdir: string;
let app: App;
let main: NewsdigestStack;
let kms: NewsdigestStack;
let scheduled: NewsdigestStack;
let t: Template;
let tk: Template;
let ts: Template;

beforeAll(() => {
  outdir = mkdtempSync(path.join(tmpdir(), 'newsdigest-cdk-'));
  ({ app, stack: main } = buildApp({ appProps: { outdir, context: NO_BUNDLING }, nag: false }));
  kms = new NewsdigestStack(app, 'Kms', {
    env: OFFLINE_ENV,
    config: {
      kms: 'true',
      retainData: 'false',
      rejectedExpirationDays: '7',
      windowHours: '24',
      logRetentionDays: '90',
      logLevel: 'DEBUG',
      rejectedRatePercent: '35',
      rejectedRateMinFiles: '10',
    },
  });
  scheduled = new NewsdigestStack(app, 'Scheduled', { env: OFFLINE_ENV, triggers: SCHEDULED });
  app.synth();
  t = Template.fromStack(main);
  tk = Template.fromStack(kms);
  ts = Template.fromStack(scheduled);
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

function only(tpl: Template, type: string, props: Record<string, unknown> = {}): [string, Resource] {
  const found = Object.entries(tpl.findResources(type, props ? { Properties: Match.objectLike(props) } : undefined));
  expect(found, `${type} matching ${JSON.stringify(props)}`).toHaveLength(1);
  return found[0] as [string, Resource];
}

function logicalId(stack: Stack, c: IConstruct): string {
  return stack.getLogicalId(c.node.defaultChild as any);
}

const bucketId = (s: NewsdigestStack) => logicalId(s, s.storage.bucket);
const fnId = (s: NewsdigestStack, name: HandlerName) => logicalId(s, s.functions.get(name)!.fn);

/** The S3 statements of a function's role policy, as {action: [prefix…]} (ListBucket → ['<bucket>']). */
function s3Access(tpl: Template, s: NewsdigestStack, name: HandlerName): Record<string, string[]> {
  const role = s.functions.get(name)!.fn.role!;
  const policy = Object.values(tpl.findResources('AWS::IAM::Policy')).find((p: any) =>
    p.Properties.Roles.some((r: any) => r.Ref === logicalId(s, role)),
  ) as Resource;
  const out: Record<string, string[]> = {};
  for (const st of policy.Properties.PolicyDocument.Statement) {
    const actions: string[] = [st.Action].flat();
    for (const a of actions.filter((x) => x.startsWith('s3:'))) {
      expect(st.Effect).toBe('Allow');
      const resources = [st.Resource].flat().map((r: any) => {
        if (r['Fn::GetAtt']) return '<bucket>';
        const [, parts] = r['Fn::Join'];
        return parts[1].replace(/^\//, '');
      });
      out[a] = [...(out[a] ?? []), ...resources].sort();
    }
  }
  return out;
}

describe('bucket', () => {
  it('blocks every kind of public access', () => {
    only(t, 'AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
    });
    // The access-log bucket too.
    expect(Object.keys(t.findResources('AWS::S3::Bucket', { Properties: { PublicAccessBlockConfiguration: { BlockPublicAcls: true, RestrictPublicBuckets: true } } }))).toHaveLength(2);
  });

  it('encrypts with S3-managed keys by default and with a rotating customer key when kms=true', () => {
    const [, bucket] = only(t, 'AWS::S3::Bucket', { VersioningConfiguration: { Status: 'Enabled' } });
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: 'AES256' });
    t.resourceCountIs('AWS::KMS::Key', 0);
    const [keyId] = only(tk, 'AWS::KMS::Key', { EnableKeyRotation: true });
    const [, kbucket] = only(tk, 'AWS::S3::Bucket', { VersioningConfiguration: { Status: 'Enabled' } });
    expect(kbucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0]).toEqual({
      BucketKeyEnabled: true,
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } },
    });
  });

  it('denies every request that does not use TLS, on both buckets', () => {
    const policies = t.findResources('AWS::S3::BucketPolicy');
    expect(Object.keys(policies)).toHaveLength(2);
    for (const p of Object.values(policies) as Resource[]) {
      expect(p.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 's3:*',
          Principal: { AWS: '*' },
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });

  it('sends server access logs to the log bucket, which S3 logging may write to', () => {
    const logId = logicalId(main, main.storage.logBucket);
    only(t, 'AWS::S3::Bucket', { LoggingConfiguration: { DestinationBucketName: { Ref: logId }, LogFilePrefix: Match.anyValue() } });
    t.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logId },
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Allow', Principal: { Service: 'logging.s3.amazonaws.com' }, Action: 's3:PutObject' })]) },
    });
  });

  it('expires rejected/ and old versions, never articles/ or digests/, with configurable ages', () => {
    const rules = (tpl: Template) =>
      (only(tpl, 'AWS::S3::Bucket', { VersioningConfiguration: { Status: 'Enabled' } })[1].Properties.LifecycleConfiguration.Rules as any[]);
    const r = rules(t);
    expect(r).toContainEqual(expect.objectContaining({ Prefix: PREFIX.rejected, ExpirationInDays: 30, Status: 'Enabled' }));
    expect(r).toContainEqual(expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' }));
    expect(r).toContainEqual(expect.objectContaining({ Prefix: PREFIX.limits, ExpirationInDays: 2, Status: 'Enabled' }));
    // No rule expires current objects outside rejected/ and the rate-limit counters (a prefix-less expiration would take articles/ and digests/).
    for (const rule of r.filter((x) => x.ExpirationInDays !== undefined)) expect([PREFIX.rejected, PREFIX.limits]).toContain(rule.Prefix);
    expect(rules(tk)).toContainEqual(expect.objectContaining({ Prefix: PREFIX.rejected, ExpirationInDays: 7 }));
  });

  it('is retained when the stack is deleted, unless retainData=false', () => {
    const [, bucket] = only(t, 'AWS::S3::Bucket', { VersioningConfiguration: { Status: 'Enabled' } });
    expect(bucket.DeletionPolicy).toBe('Retain');
    const [, kbucket] = only(tk, 'AWS::S3::Bucket', { VersioningConfiguration: { Status: 'Enabled' } });
    expect(kbucket.DeletionPolicy).toBe('Delete');
  });
});

describe('functions', () => {
  const handlers = deployableHandlers(triggers);

  it('exist for exactly the declared handlers whose source exists', () => {
    expect(handlers).toContain('ingest');
    expect(handlers).toContain('digest');
    expect([...main.functions.keys()].sort()).toEqual([...handlers].sort());
    const fns = t.findResources('AWS::Lambda::Function', { Properties: { Runtime: 'nodejs22.x' } });
    expect(Object.keys(fns)).toHaveLength(handlers.length);
  });

  it('skips a declared handler that has no handler.ts yet', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'newsdigest-root-'));
    try {
      mkdirSync(path.join(root, 'functions', 'ingest'), { recursive: true });
      writeFileSync(path.join(root, 'functions', 'ingest', 'handler.ts'), 'export const handler = async () => ({});\n');
      expect(deployableHandlers(SCHEDULED, root)).toEqual(['ingest']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('run nodejs22.x on arm64 with explicit memory and timeout', () => {
    for (const name of handlers) {
      const fn = t.toJSON().Resources[fnId(main, name)] as Resource;
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: HANDLER_SPECS[name].memoryMiB,
        Timeout: HANDLER_SPECS[name].timeout.toSeconds(),
      });
    }
  });

  it('reserve a concurrency of 1 for digest and deliver (one rebuild, one mailing at a time), not for ingest', () => {
    const res = t.toJSON().Resources;
    expect(res[fnId(main, 'digest')].Properties.ReservedConcurrentExecutions).toBe(1);
    expect(res[fnId(main, 'ingest')].Properties.ReservedConcurrentExecutions).toBeUndefined();
    if (main.functions.has('deliver')) expect(res[fnId(main, 'deliver')].Properties.ReservedConcurrentExecutions).toBe(1);
    for (const name of handlers) expect(res[fnId(main, name)].Properties.ReservedConcurrentExecutions).toBe(HANDLER_SPECS[name].reservedConcurrency);
  });

  it('get their environment under the names functions/config.ts reads, from the context', () => {
    const known = new Set([...Object.keys(EnvSchema.shape), 'LOG_LEVEL', 'NODE_OPTIONS']);
    const res = t.toJSON().Resources;
    for (const name of handlers) {
      const vars = res[fnId(main, name)].Properties.Environment.Variables;
      for (const k of Object.keys(vars)) expect(known, `${name}: ${k}`).toContain(k);
      expect(vars).toMatchObject({ BUCKET: { Ref: bucketId(main) }, EDITION_WINDOW_HOURS: '48', DIGEST_TITLE: 'News digest', NODE_OPTIONS: '--enable-source-maps' });
      // Powertools' settings: the service and namespace the alarm and dashboard read, the log level from the context.
      expect(vars).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'newsdigest', POWERTOOLS_METRICS_NAMESPACE: 'newsdigest', LOG_LEVEL: 'info' });
      expect(tk.toJSON().Resources[fnId(kms, name)].Properties.Environment.Variables.LOG_LEVEL).toBe('debug');
      // Values resolved at deploy (the topic's and the configuration set's Ref, the API's URL, the secret's ARN) stand in as what they resolve to.
      const standIns: Record<string, string> = {
        FEEDBACK_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:t',
        SES_CONFIGURATION_SET: 'set',
        TOKEN_KEY_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:TokenKey-AbCdEf',
      };
      const resolved = Object.fromEntries(
        Object.entries(vars as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : (standIns[k] ?? 'https://abc.execute-api.us-east-1.amazonaws.com/unsubscribe')]),
      );
      expect(() => EnvSchema.parse({ ...resolved, BUCKET: 'some-bucket' })).not.toThrow();
    }
    expect(res[fnId(main, 'digest')].Properties.Environment.Variables.TEMPLATES_DIR).toBe('/var/task/templates');
    expect(tk.toJSON().Resources[fnId(kms, 'digest')].Properties.Environment.Variables.EDITION_WINDOW_HOURS).toBe('24');
  });

  it('log to their own log group with a retention', () => {
    for (const name of handlers) {
      const logs = logicalId(main, main.functions.get(name)!.logGroup);
      expect(t.toJSON().Resources[logs]).toMatchObject({ Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 30 } });
      expect(t.toJSON().Resources[fnId(main, name)].Properties.LoggingConfig).toEqual({ LogGroup: { Ref: logs } });
    }
    expect(tk.toJSON().Resources[logicalId(kms, kms.functions.get('ingest')!.logGroup)].Properties.RetentionInDays).toBe(90);
  });
});

describe('trigger wiring, generated from functions/triggers.ts', () => {
  const notifications = () => only(t, 'Custom::S3BucketNotifications')[1].Properties.NotificationConfiguration;

  it('sends ObjectCreated under each direct S3 prefix to its function, and nothing else', () => {
    const direct = triggers.filter((x) => x.source.kind === 's3' && x.delivery.kind === 'direct');
    const configs = notifications().LambdaFunctionConfigurations;
    expect(configs).toHaveLength(direct.length);
    for (const d of direct) {
      expect(configs).toContainEqual({
        Events: ['s3:ObjectCreated:*'],
        Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: (d.source as { prefix: string }).prefix }] } },
        LambdaFunctionArn: { 'Fn::GetAtt': [fnId(main, d.handler), 'Arn'] },
      });
    }
    expect(notifications().LambdaFunctionConfigurations[0].Filter.Key.FilterRules[0].Value).toBe(PREFIX.inbox);
    t.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 's3.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [fnId(main, 'ingest'), 'Arn'] },
      SourceAccount: OFFLINE_ENV.account,
      SourceArn: { 'Fn::GetAtt': [bucketId(main), 'Arn'] },
    });
  });

  it('gives the directly invoked function an on-failure destination queue, with an alarm', () => {
    const dlq = logicalId(main, main.functions.get('ingest')!.asyncFailureQueue());
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: fnId(main, 'ingest') },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlq, 'Arn'] } } },
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlq, 'QueueName'] } }],
      Threshold: 1,
    });
  });

  it('routes queued prefixes through SQS with the declared batch size and window, reporting item failures', () => {
    const queued = triggers.filter((x) => x.delivery.kind === 'queue');
    expect(queued.length).toBeGreaterThan(0);
    for (const q of queued) {
      const { source, delivery } = q;
      if (delivery.kind !== 'queue' || source.kind !== 's3') throw new Error('unexpected');
      const config = notifications().QueueConfigurations.find((c: any) => c.Filter.Key.FilterRules[0].Value === source.prefix);
      expect(config?.Events).toEqual(['s3:ObjectCreated:*']);
      const queueId = config.QueueArn['Fn::GetAtt'][0];
      t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
        FunctionName: { Ref: fnId(main, q.handler) },
        BatchSize: delivery.batchSize,
        MaximumBatchingWindowInSeconds: delivery.batchWindowSeconds,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      // S3 may send to the queue, for this bucket only; nothing may use it without TLS.
      t.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: queueId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 's3.amazonaws.com' },
              Action: Match.arrayWith(['sqs:SendMessage']),
              Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [bucketId(main), 'Arn'] } } },
            }),
          ]),
        },
      });
    }
  });

  it('dead-letters a message after maxReceiveCount receives, alarms on it, and gives the consumer time', () => {
    const { queue, deadLetters } = [...main.wiring.queues.values()][0]!;
    const res = t.toJSON().Resources;
    const q = res[logicalId(main, queue)].Properties;
    expect(q.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(main, deadLetters), 'Arn'] }, maxReceiveCount: 10 });
    expect(q.SqsManagedSseEnabled).toBe(true);
    expect(q.VisibilityTimeout).toBeGreaterThanOrEqual(6 * HANDLER_SPECS.digest.timeout.toSeconds());
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(main, deadLetters), 'QueueName'] } }],
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(main, queue), 'QueueName'] } }],
    });
  });

  it('turns a schedule declaration into an EventBridge rule with retries and a dead-letter queue', () => {
    t.resourceCountIs('AWS::Events::Rule', triggers.filter((x) => x.source.kind === 'schedule' && main.functions.has(x.handler)).length);
    const [, rule] = only(ts, 'AWS::Events::Rule', { ScheduleExpression: 'cron(0 6 * * ? *)' });
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [fnId(scheduled, 'digest'), 'Arn'] },
        RetryPolicy: expect.objectContaining({ MaximumRetryAttempts: 2 }),
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(scheduled, scheduled.functions.get('digest')!.asyncFailureQueue()), 'Arn'] } },
      }),
    ]);
    expect(scheduleExpression('rate(1 hour)')).toBe('rate(1 hour)');
  });

  it('refuses trigger loops and overlapping S3 filters at synth time', () => {
    const loop: Trigger[] = [{ handler: 'ingest', source: { kind: 's3', prefix: PREFIX.inbox, events: 'created' }, delivery: { kind: 'direct' }, writes: [PREFIX.inbox] }];
    expect(() => new NewsdigestStack(new App({ context: NO_BUNDLING }), 'Loop', { triggers: loop })).toThrow(/trigger loop/);
    const overlap: Trigger[] = [
      { handler: 'ingest', source: { kind: 's3', prefix: 'inbox/', events: 'created' }, delivery: { kind: 'direct' }, writes: [] },
      { handler: 'digest', source: { kind: 's3', prefix: 'inbox/feeds/', events: 'created' }, delivery: { kind: 'direct' }, writes: [] },
    ];
    expect(() => assertDistinctS3Filters(overlap)).toThrow(/overlap/);
  });
});

describe('permissions (least privilege, per prefix)', () => {
  it('ingest reads inbox/ and the source record it may replace, writes sources/ rejected/, deletes only rejection reports', () => {
    expect(s3Access(t, main, 'ingest')).toEqual({
      's3:ListBucket': ['<bucket>'],
      's3:GetObject': [PREFIX.inbox, PREFIX.sources].map((p) => `${p}*`).sort(),
      's3:PutObject': [PREFIX.rejected, PREFIX.sources].map((p) => `${p}*`).sort(),
      's3:DeleteObject': [`${PREFIX.rejected}*`],
    });
  });

  it('digest reads sources/ and its own archive under digests/, writes digests/, nothing else', () => {
    expect(s3Access(t, main, 'digest')).toEqual({
      's3:ListBucket': ['<bucket>'],
      's3:GetObject': [`${PREFIX.digests}*`, `${PREFIX.sources}*`],
      's3:PutObject': [`${PREFIX.digests}*`],
    });
  });

  it.runIf(existsSync(handlerEntry('deliver')))('deliver reads the edition, the subscribers and its markers, writes markers, sends as the sender only', () => {
    expect(s3Access(t, main, 'deliver')).toEqual({
      's3:ListBucket': ['<bucket>'],
      's3:GetObject': [PREFIX.config, PREFIX.deliveries, PREFIX.digests, PREFIX.subscribers].map((p) => `${p}*`).sort(),
      's3:PutObject': [`${PREFIX.deliveries}*`, `${PREFIX.subscribers}*`],
    });
    const role = logicalId(main, main.functions.get('deliver')!.fn.role!);
    const statements = (Object.values(t.findResources('AWS::IAM::Policy')) as Resource[])
      .filter((p) => p.Properties.Roles.some((r: any) => r.Ref === role))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    const ses = statements.filter((st: any) => [st.Action].flat().some((a: string) => a.startsWith('ses:')));
    // Sending, and reading the account's send rate (GetAccount takes no resource: see infra-ses.test.ts).
    expect(ses.map((st: any) => st.Action)).toEqual(['ses:SendEmail', 'ses:GetAccount']);
    const send = ses.filter((st: any) => st.Action === 'ses:SendEmail');
    const arns = JSON.stringify(send[0].Resource);
    expect(arns).toContain(':identity/digest@newsdigest.invalid');
    expect(arns).toContain(':identity/newsdigest.invalid');
    expect(arns).not.toContain('*');
    const vars = t.toJSON().Resources[fnId(main, 'deliver')].Properties.Environment.Variables;
    expect(vars.MAILER).toBe('ses');
    expect(vars.SMTP_URL).toBeUndefined();
  });

  it('writes exactly where triggers.ts says, and never under a prefix that triggers the same function', () => {
    for (const [name] of main.functions) {
      const declared = triggers.filter((x) => x.handler === name);
      const puts = s3Access(t, main, name)['s3:PutObject'] ?? [];
      expect(puts).toEqual([...new Set(declared.flatMap((x) => x.writes))].map((p) => `${p}*`).sort());
      for (const x of declared) if (x.source.kind === 's3') expect(puts).not.toContain(`${x.source.prefix}*`);
    }
  });

  it('grants the functions use of the customer key when kms=true, and CloudWatch use of it for the alarm topic', () => {
    const keyId = logicalId(kms, kms.storage.key!);
    const policies = Object.values(tk.findResources('AWS::IAM::Policy')) as Resource[];
    for (const name of kms.functions.keys()) {
      const role = logicalId(kms, kms.functions.get(name)!.fn.role!);
      const statements = policies.filter((p) => p.Properties.Roles.some((r: any) => r.Ref === role)).flatMap((p) => p.Properties.PolicyDocument.Statement);
      expect(statements).toContainEqual(expect.objectContaining({ Action: expect.arrayContaining(['kms:Decrypt']), Resource: { 'Fn::GetAtt': [keyId, 'Arn'] } }));
    }
    // The alarm topic and the SES feedback topic.
    expect(Object.keys(tk.findResources('AWS::SNS::Topic', { Properties: { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } } }))).toHaveLength(2);
    tk.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: Match.arrayWith(['kms:Decrypt']) })]) },
    });
  });
});

describe('operations', () => {
  it('alarms on errors of every function, and every alarm notifies the alarm topic', () => {
    const topic = logicalId(main, main.operations.topic);
    for (const name of main.functions.keys()) {
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Errors',
        Namespace: 'AWS/Lambda',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId(main, name) } }],
        Threshold: 1,
      });
    }
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')) as Resource[];
    expect(alarms.length).toBeGreaterThanOrEqual(main.functions.size + 2);
    for (const a of alarms) expect(a.Properties.AlarmActions).toEqual([{ Ref: topic }]);
  });

  it('alarms on the rejected share of the files handled over 15 minutes, above a configurable rate', () => {
    const shareAlarm = (tpl: Template) => {
      const found = Object.values(tpl.findResources('AWS::CloudWatch::Alarm')).filter((a) => (a as Resource).Properties.Metrics) as Resource[];
      expect(found).toHaveLength(1);
      return found[0]!.Properties;
    };
    const filesMetric = (id: string, name: string) => ({
      Id: id,
      ReturnData: false,
      MetricStat: { Metric: { Namespace: 'newsdigest', MetricName: name, Dimensions: [{ Name: 'service', Value: 'newsdigest' }] }, Period: 900, Stat: 'Sum' },
    });
    const alarm = shareAlarm(t);
    expect(alarm).toMatchObject({ Threshold: 20, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' });
    expect(alarm.Metrics).toEqual([
      expect.objectContaining({
        Expression: 'IF(FILL(ingested, 0) + FILL(rejected, 0) >= 5, 100 * FILL(rejected, 0) / (FILL(ingested, 0) + FILL(rejected, 0)), 0)',
        ReturnData: true,
      }),
      filesMetric('ingested', 'FilesIngested'),
      filesMetric('rejected', 'FilesRejected'),
    ]);
    // The names are the ones the handlers emit.
    for (const name of ['FilesIngested', 'FilesRejected']) expect(Object.keys(METRICS)).toContain(name);
    const configured = shareAlarm(tk);
    expect(configured.Threshold).toBe(35);
    expect(configured.Metrics[0].Expression).toMatch(/^IF\(FILL\(ingested, 0\) \+ FILL\(rejected, 0\) >= 10, /);
    const ctx = (values: Record<string, unknown>) => ({ tryGetContext: (k: string) => values[k] });
    expect(() => readStackConfig(ctx({ rejectedRatePercent: '150' }))).toThrow(/rejectedRatePercent/);
    expect(() => readStackConfig(ctx({ logLevel: 'loud' }))).toThrow(/logLevel/);
  });

  it('has a dashboard of every pipeline metric, the rejections by reason, the alarm and the function errors', () => {
    const [, dashboard] = only(t, 'AWS::CloudWatch::Dashboard');
    // The body is a JSON text joined with tokens (region, function names, the alarm ARN): stand-ins make it parseable.
    const parts = dashboard.Properties.DashboardBody['Fn::Join'][1] as unknown[];
    const body = JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'TOKEN')).join('')) as {
      widgets: Array<{ properties: { title: string; metrics?: unknown[][]; annotations?: { alarms?: string[] } } }>;
    };
    const byTitle = new Map(body.widgets.map((w) => [w.properties.title, w.properties]));
    const shown = body.widgets.flatMap((w) => (w.properties.metrics ?? []).filter((m) => m[0] === 'newsdigest').map((m) => m[1]));
    expect(new Set(shown)).toEqual(new Set(Object.keys(METRICS)));
    // [namespace, name, dimension, value, dimension, value, options]
    const reasons = byTitle.get('Files rejected, by reason')!.metrics!.map((m) => [m[1], Object.fromEntries([[m[2], m[3]], [m[4], m[5]]])]);
    expect(reasons).toEqual(REJECTION_REASONS.map((reason) => ['FilesRejected', { service: 'newsdigest', reason }]));
    expect(byTitle.get('Rejected share of files (%, per 15 minutes)')!.annotations!.alarms).toEqual(['TOKEN']);
    expect(byTitle.get('Function errors')!.metrics!.map((m) => m[1])).toEqual([...main.functions.keys()].map(() => 'Errors'));
    t.hasOutput('DashboardUrl', { Value: Match.objectLike({ 'Fn::Join': Match.anyValue() }) });
  });

  it('outputs the bucket name and the upload command', () => {
    t.hasOutput('BucketName', { Value: { Ref: bucketId(main) } });
    t.hasOutput('UploadCommand', { Value: { 'Fn::Join': ['', ['aws s3 cp FILE s3://', { Ref: bucketId(main) }, '/inbox/']] } });
  });

  it('reads context values from the CLI as strings and rejects bad ones', () => {
    const ctx = (values: Record<string, unknown>) => ({ tryGetContext: (k: string) => values[k] });
    expect(readStackConfig(ctx({}))).toMatchObject({ windowHours: 48, kms: false, retainData: true, title: 'News digest' });
    expect(readStackConfig(ctx({ kms: 'true', retainData: 'false', windowHours: '12', recipients: 'Ann <a@example.com>, b@example.com' }))).toMatchObject({
      kms: true,
      retainData: false,
      windowHours: 12,
      recipients: 'Ann <a@example.com>, b@example.com',
    });
    expect(senderAddress('News <news@example.org>')).toBe('news@example.org');
    expect(() => readStackConfig(ctx({ kms: 'maybe', windowHours: '-1' }))).toThrow(/kms.*windowHours|windowHours.*kms/);
  });

  it('synthesizes for a placeholder account and region when none is configured (no lookups, no credentials)', () => {
    expect(main.account).toBe(process.env.CDK_DEFAULT_ACCOUNT ?? OFFLINE_ENV.account);
    expect(main.region).toBe(process.env.CDK_DEFAULT_REGION ?? OFFLINE_ENV.region);
    expect(app.node.tryGetContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy')).toBe(FEATURE_FLAGS['@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy']);
  });
});

describe('cdk-nag AwsSolutions', () => {
  type Ack = { path: string; id: string; reason: string };
  const acknowledgements = (): Ack[] => {
    const out: Ack[] = [];
    const walk = (c: IConstruct) => {
      for (const m of c.node.metadata) {
        if (m.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(m.data as Record<string, string>)) out.push({ path: c.node.path, id: id.replace(/^annotation::/i, ''), reason });
      }
      for (const child of c.node.children) walk(child);
    };
    walk(app);
    return out;
  };

  it('has no unacknowledged finding in any variant of the stack', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    const findings = report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(findings).toEqual([]);
  });

  it('stops `cdk synth` (the app registers the pack) when a finding is not acknowledged', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'newsdigest-nag-'));
    try {
      const { app: gated, stack } = buildApp({ appProps: { outdir: dir, context: NO_BUNDLING } });
      new Bucket(stack, 'UnloggedBucket');
      expect(() => gated.synth()).toThrow(/AwsSolutions-S1/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('acknowledges each finding on the resource it concerns, with a written reason, and none that no longer applies', () => {
    // Every raw finding (acknowledgements ignored) …
    const raw = new AwsSolutionsChecks() as unknown as { isAcknowledged: () => boolean; validateScope: AwsSolutionsChecks['validateScope'] };
    raw.isAcknowledged = () => false;
    const findings = raw.validateScope(app).violations.flatMap((v) => v.violatingResources.map((r) => ({ id: v.ruleName, path: r.constructPath })));
    expect(findings.length).toBeGreaterThan(0);
    const acks = acknowledgements();
    for (const a of acks) {
      // … on a resource, not on a whole stack or the app,
      expect(a.path.split('/').length, `${a.id} acknowledged at ${a.path}`).toBeGreaterThan(1);
      // … with a reason a reader can check,
      expect(a.reason.length, `${a.id} at ${a.path}`).toBeGreaterThanOrEqual(60);
      // … matching a finding in that subtree (no stale acknowledgement).
      expect(findings.some((f) => f.id === a.id && (f.path === a.path || (f.path ?? '').startsWith(`${a.path}/`))), `${a.id} at ${a.path} matches no finding`).toBe(true);
    }
  });
});
