// The deployed wiring, run locally: S3 notifications from the embedded server drive the same Lambda
// handlers, following the one trigger declaration the CDK stack also reads.
import type { S3Event, S3EventRecord, SQSEvent, SQSRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { decodeEventKey } from '../functions/core/keys.ts';
import { createDigestHandler } from '../functions/digest/handler.ts';
import { createIngestHandler } from '../functions/ingest/handler.ts';
import type { IngestResult } from '../functions/pipeline/ingest.ts';
import { INGEST_THREAD_LIMITS, startHandlerThreads, type HandlerThreads } from './handler-threads.ts';
import { createRuntime, lazy, type Runtime } from '../functions/runtime.ts';
import { triggers as declaredTriggers, triggersForKey, type Trigger } from '../functions/triggers.ts';

export interface LocalRunnerOptions {
  env: NodeJS.ProcessEnv;
  /** Quiet time before a queue batch is delivered: the local stand-in for SQS's batching window. */
  batchWindowMs?: number;
  /** Ingest invocations in flight, as Lambda would run them concurrently. */
  concurrency?: number;
  /** Retries of a failed invocation before it counts as failed (Lambda's async default is 2). */
  retries?: number;
  triggers?: readonly Trigger[];
  /**
   * Run ingest invocations on this many worker threads (warm instances with their own S3 client and
   * parser), beside the embedded S3 instead of on its thread. 0 (default): in this thread.
   */
  ingestThreads?: number;
  /**
   * Run the digest on a worker thread (one warm instance, reserved concurrency 1 as deployed), so a rebuild's
   * reads and clustering never stall the embedded S3 answering ingest. Default: in this thread.
   */
  digestThread?: boolean;
  onIngest?: (result: IngestResult) => void;
  /** Called as a queue batch is handed to its handler, with the number of messages in it. */
  onBatch?: (handler: string, messages: number) => void;
  onError?: (handler: string, error: unknown) => void;
}

type Handlers = {
  ingest: (event: S3Event) => Promise<{ results: IngestResult[] }>;
  digest: (event: SQSEvent) => Promise<unknown>;
};

function inThisThread<E, R>(handler: ((event: E) => Promise<R>) & { warm(): Promise<void> }) {
  return { run: handler, warm: () => handler.warm() };
}

/** An SQS message carrying one S3 notification, as S3 → SQS delivers it. */
export function sqsMessage(record: S3EventRecord, queue: string, messageId: string = randomUUID()): SQSRecord {
  const body = JSON.stringify({ Records: [record] });
  return {
    messageId,
    receiptHandle: `${messageId}-receipt`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'AIDAS3NOTIFICATIONS',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queue}`,
    awsRegion: 'us-east-1',
  };
}

/**
 * Lambda hands an SQS batch to the function once it holds `batchSize` messages or 6 MB of payload, whichever
 * comes first (or the batching window ends): the cap that makes large batches smaller than `batchSize`.
 */
export const MAX_BATCH_PAYLOAD_BYTES = 6 * 1024 * 1024;

interface QueueState {
  records: SQSRecord[];
  /** The JSON size of each waiting record, in step with `records`. */
  sizes: number[];
  bytes: number;
  timer: NodeJS.Timeout | null;
  running: Promise<void> | null;
  /** A delivery is on its way (waiting for the running batch): no second one is started. */
  pending: boolean;
  firstAt: number;
  /** When the newest waiting message arrived: the quiet moment counts from it. */
  lastAt: number;
  batchSize: number;
  windowSeconds: number;
}

/** How many of the waiting messages (their JSON sizes, in order) the next batch takes: up to `batchSize` and 6 MB. */
export function batchLength(sizes: readonly number[], batchSize: number): number {
  let n = 0;
  let bytes = 0;
  while (n < sizes.length && n < batchSize && (n === 0 || bytes + sizes[n]! <= MAX_BATCH_PAYLOAD_BYTES)) bytes += sizes[n++]!;
  return n;
}

/** A full batch waits for nothing: the count or the payload cap is reached. */
function batchFull(q: QueueState): boolean {
  return q.records.length >= q.batchSize || q.bytes >= MAX_BATCH_PAYLOAD_BYTES;
}

export class LocalRunner {
  private readonly handlers: Handlers;
  private readonly runtime: () => Runtime;
  private readonly triggers: readonly Trigger[];
  private readonly batchWindowMs: number;
  private readonly concurrency: number;
  private readonly retries: number;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly queues = new Map<string, QueueState>();
  /** Direct (ingest) invocations dispatched and not finished, queued for a slot included. */
  private directInFlight = 0;
  private pending = new Set<Promise<unknown>>();
  /** Waiters woken whenever a tracked invocation settles. */
  private readonly changed = new Set<() => void>();
  readonly errors: Array<{ handler: string; error: unknown }> = [];
  private readonly threads: HandlerThreads<'ingest'> | null;
  private readonly digestThread: HandlerThreads<'digest'> | null;
  private readonly warmAll: () => Promise<void>;

  constructor(private readonly options: LocalRunnerOptions) {
    this.runtime = lazy(() => createRuntime(options.env));
    const threads = options.ingestThreads ? startHandlerThreads('ingest', options.ingestThreads, options.env, INGEST_THREAD_LIMITS) : null;
    const digestThread = options.digestThread ? startHandlerThreads('digest', 1, options.env) : null;
    this.threads = threads;
    this.digestThread = digestThread;
    // Each handler runs either here or on its threads; both kinds warm up alike.
    const ingest = threads ? { run: (event: S3Event) => threads.invoke(event), warm: () => threads.warm() } : inThisThread(createIngestHandler(this.runtime));
    const digest = digestThread ? { run: (event: SQSEvent) => digestThread.invoke(event), warm: () => digestThread.warm() } : inThisThread(createDigestHandler(this.runtime));
    this.handlers = { ingest: ingest.run, digest: digest.run };
    this.warmAll = async () => {
      await Promise.all([ingest.warm(), digest.warm()]);
    };
    this.triggers = options.triggers ?? declaredTriggers;
    this.batchWindowMs = options.batchWindowMs ?? 250;
    this.concurrency = options.concurrency ?? 4;
    this.retries = options.retries ?? 2;
  }

  /**
   * Load every handler and start the ingest parsers now, as provisioned instances would be, instead of on
   * the first files: a run that starts uploading at once does not wait seconds for cold starts.
   */
  warm(): Promise<void> {
    return this.warmAll();
  }

  /** Feed one notification from the embedded S3 (subscribe with `s3.onEvent(e => runner.dispatch(e))`). */
  dispatch(event: S3Event): void {
    for (const record of event.Records) {
      if (!record.eventName.startsWith('ObjectCreated')) continue;
      // Keys arrive URL-encoded, as S3 sends them; the trigger prefixes are plain.
      for (const trigger of triggersForKey(decodeEventKey(record.s3.object.key), this.triggers)) {
        if (trigger.delivery.kind === 'direct') {
          this.directInFlight++;
          this.track(this.invokeDirect(trigger, record).finally(() => this.directInFlight--));
        }
        else this.enqueue(trigger, record);
      }
    }
  }

  /** Resolves once every triggered invocation, including the ones they triggered in turn, has finished. */
  async idle(): Promise<void> {
    // The embedded S3 emits a notification just after answering the PUT: quiet must last a moment
    // (50 ms) before the pipeline counts as idle, or a last event slips past. Waits on one change signal,
    // not on every pending invocation (racing thousands of promises every tick piles up reactions).
    let quietSince: number | null = null;
    for (;;) {
      const timersArmed = [...this.queues.values()].some((q) => q.timer !== null || q.running !== null || q.records.length > 0);
      if (this.pending.size === 0 && !timersArmed) {
        quietSince ??= Date.now();
        if (Date.now() - quietSince >= 50) return;
      } else {
        quietSince = null;
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.changed.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, 20);
        this.changed.add(wake);
      });
    }
  }

  /** Stop the handler threads, if any. */
  async close(): Promise<void> {
    await Promise.all([this.threads?.close(), this.digestThread?.close()]);
  }

  /** Deliver queued batches now instead of waiting for the window. */
  async flush(): Promise<void> {
    for (const [name, q] of this.queues) {
      if (q.timer) clearTimeout(q.timer);
      q.timer = null;
      this.track(this.deliver(name, true));
    }
    await this.idle();
  }

  private track(p: Promise<unknown>): void {
    this.pending.add(p);
    void p.finally(() => {
      this.pending.delete(p);
      // A copy: a waiter may leave the set while it is woken.
      // oxlint-disable-next-line unicorn/no-useless-spread
      for (const wake of [...this.changed]) wake();
    });
  }

  private async slot<T>(fn: () => Promise<T>): Promise<T> {
    while (this.inFlight >= this.concurrency) await new Promise<void>((r) => this.waiting.push(r));
    this.inFlight++;
    try {
      return await fn();
    } finally {
      this.inFlight--;
      this.waiting.shift()?.();
    }
  }

  private fail(handler: string, error: unknown): void {
    this.errors.push({ handler, error });
    this.options.onError?.(handler, error);
  }

  /**
   * As Lambda does: an asynchronous invocation that throws is retried twice, and a queue batch is
   * received again, before the failure is final (the dead-letter queue in AWS, `errors` here).
   */
  private async withRetries(handler: string, run: () => Promise<void>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await run();
      } catch (e) {
        if (attempt >= this.retries) return this.fail(handler, e);
        await new Promise((r) => setTimeout(r, 100 * 4 ** attempt));
      }
    }
  }

  private async invokeDirect(trigger: Trigger, record: S3EventRecord): Promise<void> {
    if (trigger.handler !== 'ingest') throw new Error(`no local direct invocation for ${trigger.handler}`);
    await this.slot(() =>
      this.withRetries(trigger.handler, async () => {
        const { results } = await this.handlers.ingest({ Records: [record] });
        for (const r of results) this.options.onIngest?.(r);
      }),
    );
  }

  private enqueue(trigger: Trigger, record: S3EventRecord): void {
    if (trigger.delivery.kind !== 'queue') return;
    const name = trigger.handler;
    let q = this.queues.get(name);
    if (!q) this.queues.set(name, (q = { records: [], sizes: [], bytes: 0, timer: null, running: null, pending: false, firstAt: 0, lastAt: 0, batchSize: trigger.delivery.batchSize, windowSeconds: trigger.delivery.batchWindowSeconds }));
    if (q.records.length === 0) q.firstAt = Date.now();
    q.lastAt = Date.now();
    const message = sqsMessage(record, `${name}-queue`);
    const size = Buffer.byteLength(JSON.stringify(message)) + 1;
    q.records.push(message);
    q.sizes.push(size);
    q.bytes += size;
    this.schedule(name, q);
  }

  /**
   * When the waiting messages go out. A full batch (see batchFull) goes at once, as SQS hands it over. Otherwise
   * the batching window: a quiet moment, and (as with SQS's MaximumBatchingWindow) never longer than the declared
   * window. While ingest invocations are still running, more messages are on their way: a batch that is not full
   * waits for them (up to the declared window), since every rebuild reads and clusters the whole bucket.
   */
  private schedule(name: string, q: QueueState): void {
    if (q.timer) clearTimeout(q.timer);
    q.timer = null;
    // A running batch reschedules what is waiting when it ends.
    if (q.records.length === 0 || q.running || q.pending) return;
    if (batchFull(q)) {
      this.track(this.deliver(name));
      return;
    }
    const deadline = q.firstAt + q.windowSeconds * 1000;
    const arm = (delay: number) => {
      q.timer = setTimeout(() => {
        q.timer = null;
        if (this.directInFlight > 0 && Date.now() < deadline) return arm(Math.min(this.batchWindowMs, deadline - Date.now()));
        this.track(this.deliver(name));
      }, Math.max(0, delay));
    };
    // Messages that waited out a running batch have been quiet since they arrived.
    arm(Math.min(q.lastAt + this.batchWindowMs, deadline) - Date.now());
  }

  /** One batch at a time per queue, as reserved concurrency 1 does for the digest function. */
  private async deliver(name: string, everything = false): Promise<void> {
    const q = this.queues.get(name);
    if (!q) return;
    q.pending = true;
    while (q.running) await q.running;
    q.pending = false;
    if (q.records.length === 0) return;
    const n = everything ? q.records.length : batchLength(q.sizes, q.batchSize);
    const batch = q.records.splice(0, n);
    for (const size of q.sizes.splice(0, n)) q.bytes -= size;
    q.firstAt = Date.now();
    q.running = (async () => {
      try {
        if (name !== 'digest') throw new Error(`no local queue consumer for ${name}`);
        this.options.onBatch?.(name, batch.length);
        await this.withRetries(name, async () => {
          await this.handlers.digest({ Records: batch });
        });
      } finally {
        q.running = null;
      }
    })();
    await q.running;
    // What arrived meanwhile is scheduled afresh: at once when it already fills a batch.
    if (q.timer === null) this.schedule(name, q);
  }
}
