// The embedded S3: a real S3-compatible HTTP server (s3rver) in this process, storing under a local folder.
import { mkdirSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import S3rver from '@20minutes/s3rver';
import type { S3Event } from 'aws-lambda';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../functions/adapters/s3-store.ts';

export interface EmbeddedS3 {
  endpoint: string;
  port: number;
  client: S3Client;
  /** Called for every S3 notification the server emits (keys are raw, not URL-encoded). */
  onEvent(listener: (event: S3Event) => void): void;
  createBucket(name: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * S3 makes a PUT visible all at once; s3rver writes the file in place, so two writes of one key at the same
 * time interleave, and a read during a write sees half an object. Requests on one object key therefore take
 * turns here, which is what S3's atomic PUT guarantees. Bucket-level requests (listings) run freely.
 */
function serializePerKey(http: Server): void {
  const handlers = http.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  http.removeAllListeners('request');
  const tails = new Map<string, Promise<void>>();
  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const isObject = path.split('/').filter(Boolean).length >= 2;
    const run = () => handlers.forEach((h) => h(req, res));
    if (!isObject) return run();
    const previous = tails.get(path) ?? Promise.resolve();
    const done = new Promise<void>((resolve) => res.once('close', () => resolve()));
    const tail = previous.then(() => {
      run();
      return done;
    });
    tails.set(path, tail);
    void tail.then(() => {
      if (tails.get(path) === tail) tails.delete(path);
    });
  });
}

export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export async function startEmbeddedS3(options: { directory: string; port?: number; address?: string }): Promise<EmbeddedS3> {
  mkdirSync(options.directory, { recursive: true });
  const address = options.address ?? '127.0.0.1';
  const server = new S3rver({
    address,
    port: options.port ?? 0,
    silent: true,
    directory: options.directory,
    // Path-style only: bucket names never become hostnames on localhost.
    vhostBuckets: false,
  });
  // s3rver answers its own faults with a bare 500; NEWSDIGEST_DEBUG_S3=1 shows what failed inside it.
  if (process.env.NEWSDIGEST_DEBUG_S3) {
    server.on('error', (err: Error, ctx: { method?: string; path?: string }) => console.error(`s3rver ${ctx?.method} ${ctx?.path}: ${err.stack}`));
  }
  // s3rver puts koa-logger first in its chain even when silent: it times, measures and colours every
  // response only for winston to drop the line. Silent means no request log, so it leaves the chain
  // (before run() composes it). NEWSDIGEST_DEBUG_S3 keeps it.
  const chain = (server as unknown as { middleware: Array<{ name?: string }> }).middleware;
  if (!process.env.NEWSDIGEST_DEBUG_S3 && chain[0]?.name === 'logger') chain.shift();
  const info = await server.run();
  serializePerKey((server as unknown as { httpServer: Server }).httpServer);
  const endpoint = `http://${address}:${info.port}`;
  const client = createS3Client({ endpoint, credentials: LOCAL_CREDENTIALS });
  return {
    endpoint,
    port: info.port,
    client,
    onEvent: (listener) => server.on('event', listener),
    createBucket: async (name) => {
      try {
        await client.send(new CreateBucketCommand({ Bucket: name }));
      } catch (e) {
        if (!(e instanceof Error && /BucketAlready(Exists|OwnedByYou)/.test(e.name))) throw e;
      }
    },
    close: async () => {
      client.destroy();
      await server.close();
    },
  };
}
