// Turns each declaration in functions/triggers.ts into AWS wiring: S3 notifications, SQS queues, EventBridge rules.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { EventType, type Bucket } from 'aws-cdk-lib/aws-s3';
import { LambdaDestination, SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Env } from '../functions/config.ts';
import type { SnsTopicName, Trigger } from '../functions/triggers.ts';
import type { PipelineFunction } from './functions.ts';
import { HttpEndpoint } from './http-endpoint.ts';
import type { Operations } from './operations.ts';

export interface WiringProps {
  triggers: readonly Trigger[];
  functions: ReadonlyMap<string, PipelineFunction>;
  bucket: Bucket;
  /** The topics `sns` triggers name. */
  topics?: ReadonlyMap<SnsTopicName, ITopic>;
  operations: Operations;
  maxReceiveCount: number;
  removalPolicy: RemovalPolicy;
}

const pascal = (s: string) =>
  s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');

/** A construct id from what the trigger is, not where it sits in the list: reordering replaces nothing. */
export function triggerId(t: Trigger): string {
  const source = t.source.kind === 's3' ? `From${pascal(t.source.prefix)}` : t.source.kind === 'sns' ? `From${pascal(t.source.topic)}` : t.source.kind === 'http' ? 'Http' : 'Schedule';
  return `${pascal(t.handler)}${source}`;
}

/** `cron(...)`/`rate(...)` as written, or a bare 6-field cron expression wrapped. */
export function scheduleExpression(cron: string): string {
  const c = cron.trim();
  return /^(cron|rate)\(.*\)$/.test(c) ? c : `cron(${c})`;
}

/** S3 rejects two notification rules for the same event whose prefixes overlap: fail at synth, not at deploy. */
export function assertDistinctS3Filters(list: readonly Trigger[]): void {
  const prefixes = list.flatMap((t) => (t.source.kind === 's3' ? [t.source.prefix] : []));
  for (const [i, a] of prefixes.entries()) {
    for (const b of prefixes.slice(i + 1)) {
      if (a.startsWith(b) || b.startsWith(a)) throw new Error(`S3 notification prefixes overlap: ${a} and ${b}`);
    }
  }
}

export class TriggerWiring extends Construct {
  /** Work queues by trigger id (S3 → SQS → Lambda). */
  readonly queues = new Map<string, { queue: Queue; deadLetters: Queue }>();
  readonly rules = new Map<string, Rule>();
  /** HTTP APIs by handler name. */
  readonly apis = new Map<string, HttpEndpoint>();

  constructor(scope: Construct, id: string, props: WiringProps) {
    super(scope, id);
    assertDistinctS3Filters(props.triggers);
    const ids = new Set<string>();
    for (const t of props.triggers) {
      const f = props.functions.get(t.handler);
      if (!f) continue; // declared, but its handler is not written yet
      let tid = triggerId(t);
      for (let n = 2; ids.has(tid); n++) tid = `${triggerId(t)}${n}`;
      ids.add(tid);
      if (t.source.kind === 's3') this.wireS3(tid, t, t.source.prefix, f, props);
      else if (t.source.kind === 'sns') this.wireSns(t, t.source.topic, f, props);
      else if (t.source.kind === 'http') this.apis.set(t.handler, new HttpEndpoint(this, tid, { fn: f.fn, handler: t.handler, ...t.source, removalPolicy: props.removalPolicy }));
      else this.wireSchedule(tid, t, t.source.cron, f, props);
    }
  }

  private wireS3(id: string, t: Trigger, prefix: string, f: PipelineFunction, props: WiringProps): void {
    const filter = { prefix };
    if (t.delivery.kind === 'direct') {
      f.asyncFailureQueue();
      props.bucket.addEventNotification(EventType.OBJECT_CREATED, new LambdaDestination(f.fn), filter);
      return;
    }
    const { batchSize, batchWindowSeconds } = t.delivery;
    const deadLetters = new Queue(this, `${id}DeadLetters`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy,
    });
    const queue = new Queue(this, `${id}Queue`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS's guidance for Lambda consumers: at least six times the function timeout, plus the batching window.
      visibilityTimeout: Duration.seconds(f.fn.timeout!.toSeconds() * 6 + batchWindowSeconds),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: props.maxReceiveCount },
      removalPolicy: props.removalPolicy,
    });
    props.bucket.addEventNotification(EventType.OBJECT_CREATED, new SqsDestination(queue), filter);
    f.fn.addEventSource(
      new SqsEventSource(queue, {
        batchSize,
        maxBatchingWindow: Duration.seconds(batchWindowSeconds),
        reportBatchItemFailures: true,
      }),
    );
    props.operations.alarmOnQueueDepth(deadLetters, `${t.handler} messages dead-lettered from ${prefix}`);
    // Throttled deliveries to a reserved-concurrency-1 consumer wait one visibility timeout; twice that is stuck.
    const visibility = f.fn.timeout!.toSeconds() * 6 + batchWindowSeconds;
    props.operations.alarmOnQueueAge(queue, Duration.seconds(visibility * 2), `${t.handler} queue for ${prefix} not drained`);
    this.queues.set(id, { queue, deadLetters });
  }

  private wireSchedule(id: string, t: Trigger, cron: string, f: PipelineFunction, _props: WiringProps): void {
    if (t.delivery.kind !== 'direct') throw new Error(`${t.handler}: a schedule can only invoke directly, not through a queue`);
    const failures = f.asyncFailureQueue();
    const rule = new Rule(this, `${id}Rule`, {
      description: `newsdigest: runs ${t.handler} on ${scheduleExpression(cron)}`,
      schedule: Schedule.expression(scheduleExpression(cron)),
      targets: [new LambdaFunction(f.fn, { deadLetterQueue: failures, retryAttempts: 2, maxEventAge: Duration.hours(2) })],
    });
    this.rules.set(id, rule);
  }

  /** The function subscribes to the topic; the topic's ARN is the only one its messages may come from. */
  private wireSns(t: Trigger, name: SnsTopicName, f: PipelineFunction, props: WiringProps): void {
    if (t.delivery.kind !== 'direct') throw new Error(`${t.handler}: an SNS topic can only invoke directly, not through a queue`);
    const topic = props.topics?.get(name);
    if (!topic) throw new Error(`${t.handler}: no SNS topic ${name} in this stack`);
    // One queue for both failures: SNS unable to invoke the function, and invocations that failed every retry.
    const failures = f.asyncFailureQueue();
    topic.addSubscription(new LambdaSubscription(f.fn, { deadLetterQueue: failures }));
    f.fn.addEnvironment('FEEDBACK_TOPIC_ARN' satisfies keyof Env, topic.topicArn);
  }
}
