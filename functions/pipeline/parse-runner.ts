// Runs the parser with a time and memory bound: in worker threads that are stopped when a file takes too
// long or too much memory, so one hostile file becomes a rejection instead of a hung or crashed Lambda.
// The workers also move the CPU-heavy parsing off the thread that does the I/O.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import type { ParseLimits } from '../core/parse/limits.ts';
import type { RecordsOutcome } from '../core/records.ts';
import { DEFAULT_PARSE_MAX_HEAP_MB } from '../config.ts';
import { selfWorkerScript } from './self-worker.ts';

export interface ParseRunner {
  /** Parse and build the stored records (ids, word counts, fingerprints) in the same bounded step. */
  records(key: string, bytes: Uint8Array, limits: ParseLimits, receivedAt: string): Promise<RecordsOutcome>;
  /**
   * Load the parser now (start its threads, import DOM, Readability and the language models) instead of on
   * the first file. Never rejects: a parser that fails to start fails its first file instead, as it would cold.
   */
  warm(): Promise<void>;
  close(): Promise<void>;
}

// The parser (DOM, Readability, language models) is loaded where it runs, on first use: the thread that
// only does I/O never pays for it at cold start.
const loadParser = () => import('../core/records.ts');

/** In the calling thread, unbounded: for the CLI and tests of the parser itself. */
export const inlineParseRunner: ParseRunner = {
  records: async (key, bytes, limits, receivedAt) => (await loadParser()).parseRecords(key, bytes, limits, receivedAt),
  warm: async () => {
    await loadParser().catch(() => undefined);
  },
  close: async () => undefined,
};

const ROLE = 'newsdigest-parse-worker';

interface Job {
  id: number;
  key: string;
  bytes: Uint8Array;
  limits: ParseLimits;
  receivedAt: string;
}

// Worker side. This module is its own worker script: from source (through tsx) and from the Lambda bundle
// alike, where it is inlined into index.mjs and `import.meta.url` is the bundle itself.
if (!isMainThread && (workerData as { role?: string } | null)?.role === ROLE) {
  const parser = loadParser();
  // Loaded: a runner warming up waits for this (see ParseRunner.warm).
  void parser.then(() => parentPort!.postMessage({ ready: true }));
  parentPort!.on('message', (job: Job) => {
    void parser.then(({ parseRecords }) => {
      parentPort!.postMessage({ id: job.id, outcome: parseRecords(job.key, job.bytes, job.limits, job.receivedAt) });
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
  /**
   * Files handed to one worker before its current one is done (default 2): the next file is already waiting
   * when a parse ends, instead of the worker idling for a round trip to a busy caller. Only the file being
   * parsed is timed.
   */
  depth?: number;
}

interface Pending {
  job: Job;
  resolve: (outcome: RecordsOutcome) => void;
}

interface Slot {
  worker: Worker | null;
  /** Jobs posted to the worker, in order; the first is the one it is parsing. */
  jobs: Pending[];
  timer: NodeJS.Timeout | null;
  /** Resolves when the worker has loaded the parser, or has gone (see ParseRunner.warm). */
  ready: Promise<void>;
}

/** A file the worker could not finish: no records, one error. */
function failed(error: string): RecordsOutcome {
  return { format: null, records: [], errors: [{ error }] };
}

export function workerParseRunner(options: WorkerParseRunnerOptions): ParseRunner {
  const { script, eval: fromSource } = selfWorkerScript(import.meta.url);
  const depth = Math.max(1, options.depth ?? 2);
  const maxHeapMb = options.maxHeapMb ?? DEFAULT_PARSE_MAX_HEAP_MB;
  const slots: Slot[] = Array.from({ length: Math.max(1, options.workers ?? 1) }, () => ({ worker: null, jobs: [], timer: null, ready: Promise.resolve() }));
  const waiting: Array<() => void> = [];
  let nextId = 0;

  /** The first job is running from now on: it alone is timed. */
  const timeHead = (slot: Slot) => {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    if (slot.jobs.length === 0) return;
    slot.timer = setTimeout(() => fail(slot, `parsing took longer than ${(options.timeoutMs / 1000).toFixed(1)} s; stopped`), options.timeoutMs);
  };

  /** The job at the head ends (answered or failed); the next one starts timing, and a caller waiting for room goes on. */
  const finishHead = (slot: Slot, outcome: RecordsOutcome) => {
    const head = slot.jobs.shift();
    timeHead(slot);
    head?.resolve(outcome);
    waiting.shift()?.();
  };

  /**
   * The file being parsed failed the worker (too slow, out of memory, a crash): it gets the rejection, the
   * worker is replaced, and the files queued behind it go to the new worker in their order.
   */
  const fail = (slot: Slot, reason: string) => {
    const worker = slot.worker;
    slot.worker = null;
    if (worker) {
      worker.removeAllListeners();
      worker.on('error', () => undefined);
      void worker.terminate();
    }
    finishHead(slot, failed(reason));
    if (slot.jobs.length > 0) {
      const fresh = spawn(slot);
      for (const p of slot.jobs) fresh.postMessage(p.job);
    }
  };

  const spawn = (slot: Slot): Worker => {
    const worker = new Worker(script, { eval: fromSource, workerData: { role: ROLE }, resourceLimits: { maxOldGenerationSizeMb: maxHeapMb } });
    let loaded!: () => void;
    slot.ready = new Promise((resolve) => (loaded = resolve));
    worker.once('exit', () => loaded());
    worker.on('message', (m: { id: number; outcome: RecordsOutcome } | { ready: true }) => {
      if ('ready' in m) loaded();
      else if (slot.worker === worker && slot.jobs[0]?.job.id === m.id) finishHead(slot, m.outcome);
    });
    worker.once('error', (e: Error) => {
      if (slot.worker !== worker) return;
      const oom = 'code' in e && e.code === 'ERR_WORKER_OUT_OF_MEMORY';
      fail(slot, oom ? `parsing needed more than ${maxHeapMb} MB of memory; stopped` : `parser crashed on this file: ${e.message}`);
    });
    worker.once('exit', () => {
      if (slot.worker === worker) fail(slot, 'parser stopped unexpectedly on this file');
    });
    // An idle parser must not keep a CLI run alive; a busy one is held by its timeout timer. (After the
    // listeners: attaching a 'message' listener refs the worker's port again.)
    worker.unref();
    slot.worker = worker;
    return worker;
  };

  const run = async (fields: Omit<Job, 'id'>): Promise<RecordsOutcome> => {
    for (;;) {
      const slot = slots.reduce((a, b) => (b.jobs.length < a.jobs.length ? b : a));
      if (slot.jobs.length < depth) {
        const job: Job = { id: nextId++, ...fields };
        return new Promise<RecordsOutcome>((resolve) => {
          slot.jobs.push({ job, resolve });
          (slot.worker ?? spawn(slot)).postMessage(job);
          if (slot.jobs.length === 1) timeHead(slot);
        });
      }
      await new Promise<void>((r) => waiting.push(r));
    }
  };

  return {
    records: (key, bytes, limits, receivedAt) => run({ key, bytes, limits, receivedAt }),
    async warm() {
      for (const slot of slots) if (!slot.worker) spawn(slot);
      // Idle workers are unref'd (see spawn), so a caller that only awaits this, such as a Lambda module's
      // top-level warm-up, would see the event loop end first (Node exits with code 13). Held until loaded.
      const held = slots.flatMap((s) => (s.worker ? [s.worker] : []));
      for (const w of held) w.ref();
      try {
        await Promise.all(slots.map((s) => s.ready));
      } finally {
        for (const w of held) w.unref();
      }
    },
    async close() {
      await Promise.all(
        slots.map(async (s) => {
          const w = s.worker;
          s.worker = null;
          if (s.timer) clearTimeout(s.timer);
          s.timer = null;
          for (const p of s.jobs.splice(0)) p.resolve(failed('parser closed before this file was done'));
          if (w) await w.terminate();
        }),
      );
    },
  };
}
