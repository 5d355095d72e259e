// Runs the parser with a time and memory bound: in worker threads that are stopped when a file takes too
// long or too much memory, so one hostile file becomes a rejection instead of a hung or crashed Lambda.
// The workers also move the CPU-heavy parsing off the thread that does the I/O.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { ParseOutcome } from '../core/parse/index.ts';
import type { ParseLimits } from '../core/parse/limits.ts';
import { DEFAULT_PARSE_MAX_HEAP_MB } from '../config.ts';
import { selfWorkerScript } from './self-worker.ts';

export interface ParseRunner {
  parse(name: string, bytes: Uint8Array, limits: ParseLimits): Promise<ParseOutcome>;
  close(): Promise<void>;
}

// The parser (DOM, Readability, language models) is loaded where it runs, on first use: the thread that
// only does I/O never pays for it at cold start.
const loadParser = () => import('../core/parse/index.ts');

/** In the calling thread, unbounded: for the CLI and tests of the parser itself. */
export const inlineParseRunner: ParseRunner = {
  parse: async (name, bytes, limits) => (await loadParser()).parseFile(name, bytes, limits),
  close: async () => undefined,
};

const ROLE = 'newsdigest-parse-worker';

interface Job {
  id: number;
  name: string;
  bytes: Uint8Array;
  limits: ParseLimits;
}

// Worker side. This module is its own worker script: from source (through tsx) and from the Lambda bundle
// alike, where it is inlined into index.mjs and `import.meta.url` is the bundle itself.
if (!isMainThread && (workerData as { role?: string } | null)?.role === ROLE) {
  const parser = loadParser();
  parentPort!.on('message', (job: Job) => {
    void parser.then(({ parseFile }) => {
      parentPort!.postMessage({ id: job.id, outcome: parseFile(job.name, job.bytes, job.limits) });
    });
  });
}

export interface WorkerParseRunnerOptions {
  /** A file still parsing after this long is rejected and its worker replaced. */
  timeoutMs: number;
  /** Parallel parsers; 1 in Lambda (one event at a time), more in the local runner. */
  workers?: number;
  /** Heap limit of each worker: a file that needs more is rejected (default: DEFAULT_PARSE_MAX_HEAP_MB, `PARSE_MAX_HEAP_MB`). */
  maxHeapMb?: number;
}

interface Slot {
  worker: Worker | null;
  busy: boolean;
}

function failed(error: string): ParseOutcome {
  return { format: null, articles: [], errors: [{ error }] };
}

export function workerParseRunner(options: WorkerParseRunnerOptions): ParseRunner {
  const { script, eval: fromSource } = selfWorkerScript(import.meta.url);
  const slots: Slot[] = Array.from({ length: Math.max(1, options.workers ?? 1) }, () => ({ worker: null, busy: false }));
  const queue: Array<() => void> = [];
  let nextId = 0;

  const spawn = () => {
    const worker = new Worker(script, {
      eval: fromSource,
      workerData: { role: ROLE },
      resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb ?? DEFAULT_PARSE_MAX_HEAP_MB },
    });
    // An idle parser must not keep a CLI run alive; a busy one is held by its timeout timer.
    worker.unref();
    return worker;
  };

  const acquire = async (): Promise<Slot> => {
    for (;;) {
      const free = slots.find((s) => !s.busy);
      if (free) {
        free.busy = true;
        return free;
      }
      await new Promise<void>((r) => queue.push(r));
    }
  };
  const release = (slot: Slot) => {
    slot.busy = false;
    queue.shift()?.();
  };

  const runOn = (slot: Slot, job: Job) =>
    new Promise<ParseOutcome>((resolve) => {
      const worker = (slot.worker ??= spawn());
      const done = (outcome: ParseOutcome, retire: boolean) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (retire) {
          slot.worker = null;
          void worker.terminate();
        }
        resolve(outcome);
      };
      const onMessage = (m: { id: number; outcome: ParseOutcome }) => {
        if (m.id === job.id) done(m.outcome, false);
      };
      const onError = (e: Error) => {
        const oom = 'code' in e && e.code === 'ERR_WORKER_OUT_OF_MEMORY';
        done(failed(oom ? `parsing needed more than ${options.maxHeapMb ?? DEFAULT_PARSE_MAX_HEAP_MB} MB of memory; stopped` : `parser crashed on this file: ${e.message}`), true);
      };
      const onExit = () => done(failed('parser stopped unexpectedly on this file'), true);
      const timer = setTimeout(
        () => done(failed(`parsing took longer than ${(options.timeoutMs / 1000).toFixed(1)} s; stopped`), true),
        options.timeoutMs,
      );
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
      worker.postMessage(job);
    });

  return {
    async parse(name, bytes, limits) {
      const slot = await acquire();
      try {
        return await runOn(slot, { id: nextId++, name, bytes, limits });
      } finally {
        release(slot);
      }
    },
    async close() {
      await Promise.all(slots.map(async (s) => {
        const w = s.worker;
        s.worker = null;
        if (w) await w.terminate();
      }));
    },
  };
}
