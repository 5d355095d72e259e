// One Lambda function per handler directory (functions/<name>/handler.ts), bundled by the local esbuild.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination as LambdaSqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Charset, LogLevel, NodejsFunction, OutputFormat, SourceMapMode, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EnvSchema, type Env } from '../functions/config.ts';
import { SERVICE } from '../functions/core/telemetry.ts';
import { PREFIX, type Trigger } from '../functions/triggers.ts';
import type { StackConfig } from './config.ts';
import type { Operations } from './operations.ts';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..');
export type HandlerName = Trigger['handler'];

/** Where Lambda unpacks the bundle; the templates are copied beside index.mjs. */
export const LAMBDA_TASK_ROOT = '/var/task';

export interface HandlerSpec {
  description: string;
  memoryMiB: number;
  timeout: Duration;
  /** 1 for handlers that rebuild shared output: two concurrent runs would race on digests/latest/. */
  reservedConcurrency?: number;
  /** Copy templates/ into the bundle (handlers that render). */
  templates: boolean;
  /** Prefixes read besides the one that triggers the handler. */
  reads: string[];
  /** Prefixes under which the handler deletes objects (a subset of what triggers.ts says it writes). */
  deletes: string[];
  /** `compose`: renders the email (sender, links); `send`: also sends it through SES. */
  email?: 'compose' | 'send';
  /** Signs or checks subscription links: reads the token key secret. */
  tokenKey?: boolean;
}

export const HANDLER_SPECS: Record<HandlerName, HandlerSpec> = {
  ingest: {
    description: 'newsdigest ingest: parses a file dropped in inbox/ into article records',
    // Parsing HTML (DOM + readability) is CPU-bound and Lambda CPU scales with memory; the parse worker thread
    // may take up to 768 MB of heap (parse-runner's default) on top of the main thread's.
    memoryMiB: 1536,
    timeout: Duration.seconds(90),
    templates: false,
    // It reads the source record an earlier upload of the same key left (a redelivery, an overwrite).
    reads: [PREFIX.sources],
    // A fixed source drops its rejection report (an overwritten one replaces its source record in place).
    deletes: [PREFIX.rejected],
  },
  digest: {
    description: 'newsdigest digest: rebuilds the edition from sources/ and publishes it under digests/',
    memoryMiB: 1024,
    timeout: Duration.minutes(5),
    reservedConcurrency: 1,
    templates: true,
    // The archive pages list the editions already published.
    reads: [PREFIX.digests],
    deletes: [],
    email: 'compose',
  },
  deliver: {
    description: 'newsdigest deliver: mails the latest edition',
    memoryMiB: 512,
    // One send per subscriber, paced to the account's send rate (10,000 at SES's common 14/s take ~12 min);
    // the handler stops early on the remaining time and the retry or the next run resumes.
    timeout: Duration.minutes(15),
    reservedConcurrency: 1,
    templates: true,
    // The latest edition, the subscriber list and store, and the per-subscriber markers of what was sent.
    reads: [PREFIX.digests, PREFIX.config, PREFIX.deliveries, PREFIX.subscribers],
    deletes: [],
    email: 'send',
    tokenKey: true,
  },
  subscriptions: {
    description: 'newsdigest subscriptions: subscribe, confirm, unsubscribe and preferences pages',
    memoryMiB: 512,
    timeout: Duration.seconds(15),
    templates: true,
    reads: [PREFIX.subscribers, PREFIX.limits],
    deletes: [],
    // Sends the double opt-in confirmation emails.
    email: 'send',
    tokenKey: true,
  },
  feedback: {
    description: 'newsdigest feedback: applies SES bounces and complaints (signed SNS messages) to subscribers/',
    memoryMiB: 256,
    timeout: Duration.seconds(30),
    // Subscriber updates re-read and write back a record: one at a time, so two events for one address never
    // race (SNS and Lambda's async queue hold the rest; feedback is a trickle).
    reservedConcurrency: 1,
    templates: false,
    reads: [PREFIX.subscribers],
    deletes: [],
  },
};

/** Handlers named in the trigger list whose source exists (a declared but unwritten handler is skipped). */
export function deployableHandlers(list: readonly Trigger[], root = REPO_ROOT): HandlerName[] {
  return [...new Set(list.map((t) => t.handler))].filter((h) => existsSync(handlerEntry(h, root)));
}

export function handlerEntry(name: HandlerName, root = REPO_ROOT): string {
  return path.join(root, 'functions', name, 'handler.ts');
}

/** `Name <a@b>` → `a@b`. */
export function senderAddress(from: string): string {
  const m = from.match(/<([^<>\s]+@[^<>\s]+)>\s*$/);
  return (m ? m[1]! : from).trim();
}

type EnvName = Exclude<keyof Env, 'AWS_REGION' | 'S3_ENDPOINT'> | 'NODE_OPTIONS';

/** The handler environment, keyed by the names functions/config.ts validates (a rename breaks the type check). */
export function handlerEnvironment(config: StackConfig, bucketName: string, spec: HandlerSpec): Partial<Record<EnvName, string>> {
  const env: Partial<Record<EnvName, string>> = {
    BUCKET: bucketName,
    EDITION_WINDOW_HOURS: String(config.windowHours),
    DIGEST_TITLE: config.title,
    EDITION_TIME_ZONE: config.timeZone,
    LOG_LEVEL: config.logLevel,
    // Powertools reads these: the `service` of every log line and metric, and the metrics' namespace (the
    // stack's alarm and dashboard read the same).
    POWERTOOLS_SERVICE_NAME: SERVICE,
    POWERTOOLS_METRICS_NAMESPACE: SERVICE,
    NODE_OPTIONS: '--enable-source-maps',
  };
  if (spec.templates) env.TEMPLATES_DIR = `${LAMBDA_TASK_ROOT}/templates`;
  if (config.maxFileBytes !== undefined) env.MAX_FILE_BYTES = String(config.maxFileBytes);
  if (config.maxDecompressedBytes !== undefined) env.MAX_DECOMPRESSED_BYTES = String(config.maxDecompressedBytes);
  if (config.maxArticlesPerFile !== undefined) env.MAX_ARTICLES_PER_FILE = String(config.maxArticlesPerFile);
  if (spec.email) {
    if (config.sender !== undefined) env.MAIL_FROM = config.sender;
    if (config.publicBaseUrl !== undefined) env.PUBLIC_BASE_URL = config.publicBaseUrl;
    if (config.unsubscribeUrl !== undefined) env.UNSUBSCRIBE_URL = config.unsubscribeUrl;
    if (config.unsubscribeMailto !== undefined) env.UNSUBSCRIBE_MAILTO = config.unsubscribeMailto;
    if (config.emailMaxBytes !== undefined) env.EMAIL_MAX_BYTES = String(config.emailMaxBytes);
  }
  if (spec.email === 'send') {
    // SMTP needs a password (SMTP_URL), which belongs in a secret store, not in the function's environment.
    env.MAILER = 'ses';
    if (config.recipients !== undefined) env.SUBSCRIBERS = config.recipients;
    if (config.sesConfigurationSet !== undefined) env.SES_CONFIGURATION_SET = config.sesConfigurationSet;
  }
  return env;
}

const stub = (file: string) => path.join(REPO_ROOT, 'infra', 'bundle-stubs', file);

/** Packages the Lambda Node.js runtime provides, left out of the bundles. */
export const RUNTIME_PROVIDED_MODULES = ['@aws-sdk/*'] as const;

/** ESM for Node 22 with a `require` for the CommonJS dependencies, the AWS SDK left to the runtime (see bench/bundles.ts). */
export function bundlingOptions(spec: HandlerSpec): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: 'node22',
    mainFields: ['module', 'main'],
    minify: true,
    sourceMap: true,
    sourceMapMode: SourceMapMode.DEFAULT,
    sourcesContent: false,
    charset: Charset.UTF8,
    logLevel: LogLevel.ERROR,
    // The AWS SDK v3 comes from the Lambda runtime (nodejs22.x ships it, and AWS patches it there): bundling it
    // cost 425–490 KiB per function, half of the 1 MB budget. The code uses only long-stable client APIs; the
    // checksum settings in the S3 store are for the local s3rver and are ignored by an older runtime SDK.
    // test/bundles.test.ts runs the bundles with only the SDK reachable, as Lambda does.
    externalModules: [...RUNTIME_PROVIDED_MODULES],
    // juice parses with htmlparser2 (its `xml` option), so cheerio's parse5/undici/encoding-sniffer half is dead
    // weight: the slim build is the same code path at a third of the size.
    // linkedom's CSS parser runs only when a <style> element's `sheet` is read, which parsing never does.
    // The SDK clients load through require() stubs: see infra/bundle-stubs/sdk-client-s3.cjs.
    esbuildArgs: {
      '--alias:cheerio': 'cheerio/slim',
      '--alias:cssomnom/parse': stub('cssom-parse.mjs'),
      '--alias:@aws-sdk/client-s3': stub('sdk-client-s3.cjs'),
      '--alias:@aws-sdk/client-sesv2': stub('sdk-client-sesv2.cjs'),
      '--alias:@aws-sdk/client-secrets-manager': stub('sdk-client-secrets-manager.cjs'),
    },
    banner: "import{createRequire as __ndCreateRequire}from'node:module';const require=__ndCreateRequire(import.meta.url);",
    forceDockerBundling: false,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (inputDir: string, outputDir: string) =>
        spec.templates ? [`cp -R "${path.join(inputDir, 'templates')}" "${path.join(outputDir, 'templates')}"`] : [],
    },
  };
}

export interface PipelineFunctionProps {
  name: HandlerName;
  config: StackConfig;
  bucket: IBucket;
  key: IKey | undefined;
  writes: string[];
  listens: string[];
  operations: Operations;
  removalPolicy: RemovalPolicy;
  root?: string;
}

export class PipelineFunction extends Construct {
  readonly name: HandlerName;
  readonly fn: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly spec: HandlerSpec;
  /** Prefixes granted as `<prefix>*` object wildcards (acknowledged for cdk-nag in the stack). */
  prefixWildcards: string[] = [];
  private failures: Queue | undefined;
  private readonly props: PipelineFunctionProps;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    this.props = props;
    this.name = props.name;
    this.spec = HANDLER_SPECS[props.name];
    const root = props.root ?? REPO_ROOT;

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.config.logRetentionDays as RetentionDays,
      removalPolicy: props.removalPolicy,
    });

    this.fn = new NodejsFunction(this, 'Function', {
      entry: handlerEntry(props.name, root),
      handler: 'handler',
      projectRoot: root,
      depsLockFilePath: path.join(root, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: this.spec.memoryMiB,
      timeout: this.spec.timeout,
      ...(this.spec.reservedConcurrency !== undefined ? { reservedConcurrentExecutions: this.spec.reservedConcurrency } : {}),
      description: this.spec.description,
      environment: handlerEnvironment(props.config, props.bucket.bucketName, this.spec) as Record<string, string>,
      logGroup: this.logGroup,
      bundling: bundlingOptions(this.spec),
    });

    this.grantBucketAccess(props);
    if (this.spec.email === 'send') this.grantSend(props.config);
    props.operations.alarmOnErrors(this.fn, `${props.name} function errors`);

    Validations.of(this.fn).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: `The ${props.name} role uses the AWS managed basic execution policy only to write its own CloudWatch logs (CreateLogStream/PutLogEvents).`,
      },
      {
        id: 'AwsSolutions-L1',
        reason: 'The runtime is pinned to nodejs22.x, the version the project targets and tests; moving to a newer runtime is a deliberate upgrade.',
      },
    );
  }

  /** Exact prefixes, exact actions: GetObject where it reads, PutObject where it writes, DeleteObject where it deletes. */
  private grantBucketAccess(props: PipelineFunctionProps): void {
    const { bucket, key } = props;
    for (const d of this.spec.deletes) {
      if (!props.writes.includes(d)) throw new Error(`${props.name} deletes under ${d} but triggers.ts does not say it writes there`);
    }
    const reads = [...new Set([...props.listens, ...this.spec.reads])];
    const objects = (prefixes: string[]) => prefixes.map((p) => bucket.arnForObjects(`${p}*`));
    // Without ListBucket, S3 answers 403 instead of 404 for a missing key, and the handlers treat
    // "not there yet" (no manifest, no previous record) as normal. It reveals key names, not contents.
    this.fn.addToRolePolicy(new PolicyStatement({ sid: 'ListBucket', actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
    if (reads.length > 0) this.fn.addToRolePolicy(new PolicyStatement({ sid: 'ReadObjects', actions: ['s3:GetObject'], resources: objects(reads) }));
    if (props.writes.length > 0) this.fn.addToRolePolicy(new PolicyStatement({ sid: 'WriteObjects', actions: ['s3:PutObject'], resources: objects(props.writes) }));
    if (this.spec.deletes.length > 0) this.fn.addToRolePolicy(new PolicyStatement({ sid: 'DeleteObjects', actions: ['s3:DeleteObject'], resources: objects(this.spec.deletes) }));
    if (key) {
      // SSE-KMS: Decrypt to read; GenerateDataKey to write (the bucket key is derived from it).
      const actions = props.writes.length > 0 ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'];
      this.fn.addToRolePolicy(new PolicyStatement({ sid: 'UseBucketKey', actions, resources: [key.keyArn] }));
    }
    this.prefixWildcards = [...new Set([...reads, ...props.writes, ...this.spec.deletes])];
  }

  /** SES v2 SendEmail as the sender's identities only (the address and its domain), and its configuration set. */
  private grantSend(config: StackConfig): void {
    const stack = Stack.of(this);
    const address = senderAddress(config.sender ?? EnvSchema.shape.MAIL_FROM.parse(undefined));
    const domain = address.slice(address.lastIndexOf('@') + 1);
    const arn = (resource: string) => stack.formatArn({ service: 'ses', resource, resourceName: undefined, arnFormat: ArnFormat.NO_RESOURCE_NAME });
    const resources = [arn(`identity/${address}`), arn(`identity/${domain}`)];
    if (config.sesConfigurationSet) resources.push(arn(`configuration-set/${config.sesConfigurationSet}`));
    this.fn.addToRolePolicy(new PolicyStatement({ sid: 'SendDigest', actions: ['ses:SendEmail'], resources }));
    // The account's send rate, which delivery paces itself to; GetAccount has no resource to scope it to.
    if (this.name === 'deliver') this.fn.addToRolePolicy(new PolicyStatement({ sid: 'ReadSendQuota', actions: ['ses:GetAccount'], resources: ['*'] }));
  }

  /** The dead-letter queue for failed asynchronous invocations (S3 direct, EventBridge), created once. */
  asyncFailureQueue(): Queue {
    if (this.failures) return this.failures;
    const q = new Queue(this, 'FailedInvocations', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: this.props.removalPolicy,
    });
    Validations.of(q).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: `This queue is itself the dead-letter destination of the ${this.name} function's failed asynchronous invocations.`,
    });
    this.fn.configureAsyncInvoke({ onFailure: new LambdaSqsDestination(q), retryAttempts: 2, maxEventAge: Duration.hours(6) });
    this.props.operations.alarmOnQueueDepth(q, `${this.name} failed invocations`);
    this.failures = q;
    return q;
  }
}
