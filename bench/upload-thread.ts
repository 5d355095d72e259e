// The load run's uploader on its own thread: the files come from a client, as they would from other machines,
// not from the thread that serves the embedded S3. Signed HTTP PUTs (signed-put.ts), or the SDK's PutObject
// with `sdk`; `concurrency` in flight. This module is its own worker script.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../functions/adapters/s3-store.ts';
import { mapLimit } from '../functions/pipeline/digest.ts';
import { selfWorkerScript } from '../functions/pipeline/self-worker.ts';
import { signedPutClient } from './signed-put.ts';

const ROLE = 'newsdigest-load-uploader';

interface UploadJob {
  endpoint: string;
  bucket: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  concurrency: number;
  /** Upload with the AWS SDK's PutObject instead of signed HTTP PUTs. */
  sdk: boolean;
  keys: string[];
  bodies: Uint8Array[];
}

/** An uploader for the load run: signed HTTP PUTs, or the SDK's PutObject. */
export function loadUploader(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }, sdk: boolean) {
  if (!sdk) return signedPutClient(endpoint, credentials);
  const client = createS3Client({ endpoint, credentials });
  return {
    put: async (bucket: string, key: string, body: Uint8Array) => {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    close: () => client.destroy(),
  };
}

/** From the uploader: a PutObject starts (`at` on the shared clock, see `now`), one ended, or all are done. */
export type UploadEvent = { kind: 'start'; index: number; at: number } | { kind: 'uploaded'; done: number } | { kind: 'finished' } | { kind: 'failed'; message: string };

/** Milliseconds on a clock every thread of the process shares (each thread's performance.now() has its own origin). */
export const now = (): number => performance.timeOrigin + performance.now();

if (!isMainThread && (workerData as { role?: string } | null)?.role === ROLE) {
  const job = workerData as UploadJob & { role: string };
  const uploader = loadUploader(job.endpoint, job.credentials, job.sdk);
  const post = (e: UploadEvent) => parentPort!.postMessage(e);
  let done = 0;
  mapLimit(
    job.keys.map((key, index) => ({ key, index })),
    job.concurrency,
    async ({ key, index }) => {
      post({ kind: 'start', index, at: now() });
      await uploader.put(job.bucket, key, job.bodies[index]!);
      job.bodies[index] = new Uint8Array(0); // uploaded bodies are the bucket's now
      post({ kind: 'uploaded', done: ++done });
    },
  ).then(
    () => post({ kind: 'finished' }),
    (e: unknown) => post({ kind: 'failed', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) }),
  ).finally(() => uploader.close());
}

/**
 * Upload `keys` with their `bodies` from a worker thread; the bodies' memory moves to it (transferred, not
 * copied). Resolves when every upload has succeeded; `onEvent` sees each start and end.
 */
export function uploadFromThread(job: UploadJob, onEvent: (e: UploadEvent) => void): Promise<void> {
  const { script, eval: fromSource } = selfWorkerScript(import.meta.url);
  const transfer = job.bodies.map((b) => b.buffer as ArrayBuffer);
  const worker = new Worker(script, { eval: fromSource, workerData: { role: ROLE, ...job }, transferList: transfer });
  return new Promise<void>((resolve, reject) => {
    worker.on('message', (e: UploadEvent) => {
      onEvent(e);
      if (e.kind === 'finished') resolve();
      if (e.kind === 'failed') reject(new Error(`upload failed: ${e.message}`));
    });
    worker.once('error', reject);
    // After the last message, so a settled promise ignores it.
    worker.once('exit', (code) => reject(new Error(`uploader stopped (${code})`)));
  }).finally(() => void worker.terminate());
}
