// The one declaration of what fires which handler. The CDK stack and the local runner both read it,
// so the two cannot drift apart. No handler writes under the prefix that triggers it (no loops).

export const PREFIX = {
  inbox: 'inbox/',
  sources: 'sources/',
  rejected: 'rejected/',
  digests: 'digests/',
  config: 'config/',
  /** One marker per edition and subscriber once the digest was sent: deliveries/<edition>/<subscriber id>.json. */
  deliveries: 'deliveries/',
  /** One record per subscriber: subscribers/<subscriber id>.json. */
  subscribers: 'subscribers/',
  /** Rate-limit counters of the subscriptions endpoint: limits/<day>/<kind>/<hash>.json. */
  limits: 'limits/',
} as const;

/** EventBridge schedule of the deliver handler (DELIVER_SCHEDULE at synth time): daily 07:00 UTC by default. */
export const DELIVER_SCHEDULE = process.env.DELIVER_SCHEDULE?.trim() || 'cron(0 7 * * ? *)';

export type TriggerSource =
  | { kind: 's3'; prefix: string; events: 'created' }
  | { kind: 'schedule'; cron: string }
  /** An SNS topic the stack creates, named here (`ses-feedback`: the SES configuration set's events). */
  | { kind: 'sns'; topic: SnsTopicName }
  /** HTTPS requests (API Gateway HTTP API in AWS, a local port in dev), throttled to this many requests a second. */
  | { kind: 'http'; rateLimit: number; burstLimit: number };

/** SNS topics a handler can subscribe to; the stack creates each one. */
export type SnsTopicName = 'ses-feedback';

export type TriggerDelivery =
  /** S3 invokes the function asynchronously with one S3Event per object. */
  | { kind: 'direct' }
  /** S3 notifications go to an SQS queue; the function drains it in batches. */
  | { kind: 'queue'; batchSize: number; batchWindowSeconds: number };

export interface Trigger {
  handler: 'ingest' | 'digest' | 'deliver' | 'subscriptions' | 'feedback';
  source: TriggerSource;
  delivery: TriggerDelivery;
  /** Prefixes the handler writes; checked against every trigger's prefix to rule out loops. */
  writes: string[];
}

export const triggers: readonly Trigger[] = [
  {
    handler: 'ingest',
    source: { kind: 's3', prefix: PREFIX.inbox, events: 'created' },
    delivery: { kind: 'direct' },
    writes: [PREFIX.sources, PREFIX.rejected],
  },
  {
    handler: 'digest',
    // One source record per ingested file (its articles inside) wakes the digest.
    source: { kind: 's3', prefix: PREFIX.sources, events: 'created' },
    // A burst of uploads becomes one or two rebuilds, not one per file: the first batch comes within 10 s (or at
    // SQS's caps: 10,000 messages, or 6 MB of payload, about 5,000 notifications), and its rebuild keeps
    // reading the records that arrive while the burst lasts (loadSources' catch-up, up to a minute), so the
    // batches queued behind it find their sources already published and skip. The edition of a burst is out
    // soon after its last file, instead of waiting out a long window or a second rebuild.
    delivery: { kind: 'queue', batchSize: 10_000, batchWindowSeconds: 10 },
    writes: [PREFIX.digests],
  },
  {
    handler: 'deliver',
    // Mails the latest edition; reserved concurrency 1, so two runs never send side by side.
    source: { kind: 'schedule', cron: DELIVER_SCHEDULE },
    delivery: { kind: 'direct' },
    // Subscribers from the old list (config/subscribers.json, SUBSCRIBERS) are imported into the store.
    writes: [PREFIX.deliveries, PREFIX.subscribers],
  },
  {
    handler: 'subscriptions',
    // The subscribe, confirm, unsubscribe and preferences pages; the throttle caps what a flood can cost.
    source: { kind: 'http', rateLimit: 20, burstLimit: 40 },
    delivery: { kind: 'direct' },
    writes: [PREFIX.subscribers, PREFIX.limits],
  },
  {
    handler: 'feedback',
    // SES bounces, complaints and deliveries, through SNS: each updates a subscriber record.
    source: { kind: 'sns', topic: 'ses-feedback' },
    delivery: { kind: 'direct' },
    writes: [PREFIX.subscribers],
  },
] as const;

/** Throws when a handler would write where its own trigger (or another trigger of itself) listens. */
export function assertNoTriggerLoops(list: readonly Trigger[] = triggers): void {
  for (const t of list) {
    if (t.source.kind !== 's3') continue;
    const listen = t.source.prefix;
    for (const w of t.writes) {
      if (w.startsWith(listen) || listen.startsWith(w)) {
        throw new Error(`trigger loop: ${t.handler} writes ${w} and is triggered by ${listen}`);
      }
    }
  }
}

/** The handlers served over HTTP. */
export function httpTriggers(list: readonly Trigger[] = triggers): Array<Trigger & { source: { kind: 'http' } }> {
  return list.filter((t): t is Trigger & { source: { kind: 'http' } } => t.source.kind === 'http');
}

/** The S3-triggered handlers for an object key, in declaration order. */
export function triggersForKey(key: string, list: readonly Trigger[] = triggers): Trigger[] {
  return list.filter((t) => t.source.kind === 's3' && key.startsWith(t.source.prefix));
}
