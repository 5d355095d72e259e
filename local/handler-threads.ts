// Handler invocations on worker threads: each thread is one warm "Lambda instance" running the real handler
// (its own runtime and S3 client; ingest also its own parse worker), so the handlers' request work (SDK
// signing, XML, JSON) and the digest's clustering run beside the embedded S3 instead of blocking its thread.
// This module is its own worker script.
import type { S3Event, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { IngestResult } from '../functions/pipeline/ingest.ts';
import { selfWorkerScript } from '../functions/pipeline/self-worker.ts';

const ROLE = 'newsdigest-handler-thread';

/** The handlers a thread can run: their event and what they return. */
export interface ThreadHandlers {
  ingest: { event: S3Event; result: { results: IngestResult[] } };
  digest: { event: SQSEvent; result: SQSBatchResponse };
}
type HandlerName = keyof ThreadHandlers;

interface Invocation {
  id: number;
  event: unknown;
  /** Not an event: load the handler and warm it (see HandlerThreads.warm). */
  warm?: true;
}
type Reply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { name: string; message: string; stack?: string; $metadata?: unknown } };

type LoadedHandler = ((event: never) => Promise<unknown>) & { warm(): Promise<void> };

async function loadHandler(name: HandlerName, env: NodeJS.ProcessEnv): Promise<LoadedHandler> {
  const { createRuntime, lazy } = await import('../functions/runtime.ts');
  const runtime = lazy(() => createRuntime(env));
  if (name === 'ingest') return (await import('../functions/ingest/handler.ts')).createIngestHandler(runtime);
  return (await import('../functions/digest/handler.ts')).createDigestHandler(runtime);
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === ROLE) {
  const { env, handler: name } = workerData as { env: NodeJS.ProcessEnv; handler: HandlerName };
  const handler = loadHandler(name, env);
  parentPort!.on('message', (m: Invocation) => {
    void handler
      .then((h) => (m.warm ? h.warm() : h(m.event as never)))
      .then(
        (result) => parentPort!.postMessage({ id: m.id, ok: true, result } satisfies Reply),
        (e: unknown) => {
          const err = e instanceof Error ? e : new Error(String(e));
          const $metadata = (e as { $metadata?: unknown }).$metadata;
          parentPort!.postMessage({
            id: m.id,
            ok: false,
            error: { name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}), ...($metadata ? { $metadata } : {}) },
          } satisfies Reply);
        },
      );
  });
}

export interface HandlerThreads<H extends HandlerName> {
  invoke(event: ThreadHandlers[H]['event']): Promise<ThreadHandlers[H]['result']>;
  /** Every instance loads its handler and warms it (the ingest instances start their parsers). */
  warm(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Heap limits of one ingest thread. An ingest invocation holds one file and its parsed articles (parsing itself
 * runs on the parser thread, which has its own limit), so a small young generation and a bounded old one keep
 * each instance's garbage collected early instead of letting every thread grow its heap towards V8's default.
 */
export const INGEST_THREAD_LIMITS = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 16 } as const;

/**
 * `threads` warm instances of one handler; invocations go to the one with the fewest in flight. Without
 * `resourceLimits` a thread has V8's default heap (the digest holds every record of the window).
 */
export function startHandlerThreads<H extends HandlerName>(
  handler: H,
  threads: number,
  env: NodeJS.ProcessEnv,
  resourceLimits: { maxOldGenerationSizeMb?: number; maxYoungGenerationSizeMb?: number } = {},
): HandlerThreads<H> {
  type Result = ThreadHandlers[H]['result'];
  const { script, eval: fromSource } = selfWorkerScript(import.meta.url);
  const pending = new Map<number, { resolve: (r: Result) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  let closing = false;
  const spawn = (slot: { worker: Worker | null; inFlight: Set<number> }) => {
    const worker = new Worker(script, { eval: fromSource, workerData: { role: ROLE, env, handler }, resourceLimits });
    worker.unref();
    slot.worker = worker;
    worker.on('message', (r: Reply) => {
      const p = pending.get(r.id);
      pending.delete(r.id);
      slot.inFlight.delete(r.id);
      if (!p) return;
      if (r.ok) p.resolve(r.result as Result);
      else p.reject(Object.assign(new Error(r.error.message), r.error));
    });
    // A thread that dies fails its invocations (the runner retries them, as Lambda would) and is replaced.
    worker.once('exit', (code) => {
      const e = new Error(`${handler} thread exited (${code})`);
      for (const id of slot.inFlight) {
        pending.get(id)?.reject(e);
        pending.delete(id);
      }
      slot.inFlight.clear();
      if (!closing) spawn(slot);
    });
    worker.on('error', () => undefined); // followed by 'exit'
  };
  const pool = Array.from({ length: Math.max(1, threads) }, () => {
    const slot = { worker: null as Worker | null, inFlight: new Set<number>() };
    spawn(slot);
    return slot;
  });
  const post = (slot: (typeof pool)[number], message: Omit<Invocation, 'id'>): Promise<Result> => {
    const id = nextId++;
    slot.inFlight.add(id);
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      slot.worker!.postMessage({ id, ...message } satisfies Invocation);
    });
  };
  return {
    invoke(event) {
      return post(pool.reduce((a, b) => (b.inFlight.size < a.inFlight.size ? b : a)), { event });
    },
    async warm() {
      await Promise.all(pool.map((slot) => post(slot, { event: null, warm: true })));
    },
    async close() {
      closing = true;
      await Promise.all(pool.flatMap((s) => (s.worker ? [s.worker.terminate()] : [])));
    },
  };
}
