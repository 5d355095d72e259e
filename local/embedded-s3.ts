// The embedded S3: a real S3-compatible HTTP server (s3rver) in this process, storing under a local folder.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import S3rver from '@20minutes/s3rver';
import type { S3Event } from 'aws-lambda';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../functions/adapters/s3-store.ts';
import { IndexedFilesystemStore } from './indexed-store.ts';
import { objectFastPath, objectOf, type ObjectFastPath } from './object-fast-path.ts';

export interface EmbeddedS3 {
  endpoint: string;
  port: number;
  client: S3Client;
  /** Called for every S3 notification the server emits (keys are raw, not URL-encoded). */
  onEvent(listener: (event: S3Event) => void): void;
  /** Requests answered so far, by method and the key's first segment (`GET articles`, `PUT inbox`; `GET /` for bucket-level). */
  requests(): Record<string, number>;
  createBucket(name: string): Promise<void>;
  close(): Promise<void>;
}

function s3Error(res: ServerResponse, status: number, code: string, message: string, extra: Record<string, string>): void {
  const fields = Object.entries(extra).map(([k, v]) => `<${k}>${v.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</${k}>`).join('');
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message>${fields}<RequestId>0</RequestId></Error>`;
  res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Conditional writes as S3 does them (s3rver ignores the headers): a PUT with `If-None-Match: *` fails with
 * 412 when the key exists, one with `If-Match: <etag>` with 412 when the object's ETag differs (404 when there
 * is none). Runs inside the key's turn (see below), so the check and the write are one step, as in S3.
 * Returns true when it answered the request.
 */
async function refusedByCondition(store: IndexedFilesystemStore, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (req.method !== 'PUT' || req.headers['x-amz-copy-source']) return false;
  const noneMatch = req.headers['if-none-match'];
  const match = req.headers['if-match'];
  if (noneMatch === undefined && match === undefined) return false;
  const target = objectOf(req.url);
  if (!target) return false;
  const etag = await store.etagOf(target.bucket, target.key);
  let refusal: [number, string, string, Record<string, string>] | null = null;
  if (noneMatch !== undefined && noneMatch.trim() === '*' && etag !== null) {
    refusal = [412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-None-Match' }];
  } else if (match !== undefined && etag === null) {
    refusal = [404, 'NoSuchKey', 'The specified key does not exist.', { Key: target.key }];
  } else if (match !== undefined && match.trim() !== '*' && match.trim() !== etag) {
    refusal = [412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-Match' }];
  }
  if (!refusal) return false;
  // The body is read (and dropped) before answering, so the connection stays usable.
  await new Promise<void>((resolve) => {
    req.on('end', resolve).on('error', resolve).resume();
  });
  s3Error(res, ...refusal);
  return true;
}

/**
 * S3 makes a PUT visible all at once; s3rver writes the file in place, so two writes of one key at the same
 * time interleave, and a read during a write sees half an object. Requests on one object key therefore take
 * turns here, which is what S3's atomic PUT guarantees. Bucket-level requests (listings) run freely.
 */
function serializePerKey(http: Server, store: IndexedFilesystemStore, fastPath: ObjectFastPath | null): void {
  const handlers = http.listeners('request') as Array<(req: IncomingMessage, res: ServerResponse) => void>;
  http.removeAllListeners('request');
  const tails = new Map<string, Promise<void>>();
  http.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const isObject = path.split('/').filter(Boolean).length >= 2;
    const run = () => handlers.forEach((h) => h(req, res));
    if (!isObject) {
      // Listings (the fast path answers plain ListObjects) run freely.
      if (!fastPath) return run();
      void fastPath.handle(req, res).catch(() => false).then((answered) => answered || run());
      return;
    }
    const previous = tails.get(path) ?? Promise.resolve();
    const done = new Promise<void>((resolve) => res.once('close', () => resolve()));
    const tail = previous.then(async () => {
      if (await refusedByCondition(store, req, res).catch(() => false)) return done;
      if (!(await fastPath?.handle(req, res).catch(() => false))) run();
      return done;
    });
    tails.set(path, tail);
    void tail.then(() => {
      if (tails.get(path) === tail) tails.delete(path);
    });
  });
}

export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/**
 * s3rver derives the SigV4 signing key (four chained HMACs of the secret, the day, the region and the service)
 * again for every request it verifies. The key changes once a day per credential scope, so it is kept, as S3
 * and the SDK do; the signature itself is still checked on every request. Installed once per process: the
 * authentication middleware calls the function through the module object.
 */
function memoizeSigningKey(): void {
  const v4 = createRequire(import.meta.url)('@20minutes/s3rver/lib/signature/v4.js') as {
    getSigningKey: ((secret: string, date: string, region: string, service: string) => Buffer) & { memoized?: true };
  };
  if (v4.getSigningKey.memoized) return;
  const derive = v4.getSigningKey;
  const keys = new Map<string, Buffer>();
  v4.getSigningKey = Object.assign(
    (secret: string, date: string, region: string, service: string) => {
      const scope = JSON.stringify([secret, date, region, service]);
      let key = keys.get(scope);
      if (!key) {
        if (keys.size >= 64) keys.clear();
        keys.set(scope, (key = derive(secret, date, region, service)));
      }
      return key;
    },
    { memoized: true as const },
  );
}

export async function startEmbeddedS3(options: {
  directory: string;
  port?: number;
  address?: string;
  /** Answer plain GetObject and PutObject without s3rver's middleware chain (default true; see object-fast-path.ts). */
  objectFastPath?: boolean;
}): Promise<EmbeddedS3> {
  mkdirSync(options.directory, { recursive: true });
  memoizeSigningKey();
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
  // Its store, with the bookkeeping in memory (same files on disk; see indexed-store.ts).
  const store = new IndexedFilesystemStore(options.directory);
  const app = server as unknown as { store: unknown; context: { store: unknown } };
  app.store = app.context.store = store;
  // s3rver puts koa-logger first in its chain even when silent: it times, measures and colours every
  // response only for winston to drop the line. Silent means no request log, so it leaves the chain
  // (before run() composes it). NEWSDIGEST_DEBUG_S3 keeps it.
  const chain = (server as unknown as { middleware: Array<{ name?: string }> }).middleware;
  if (!process.env.NEWSDIGEST_DEBUG_S3 && chain[0]?.name === 'logger') chain.shift();
  const info = await server.run();
  const httpServer = (server as unknown as { httpServer: Server }).httpServer;
  // Plain GetObject and PutObject skip s3rver's middleware chain (see object-fast-path.ts); NEWSDIGEST_DEBUG_S3
  // sends every request through s3rver, logged.
  const fast = (options.objectFastPath ?? true) && !process.env.NEWSDIGEST_DEBUG_S3;
  const fastPath = fast ? objectFastPath(store, (event) => server.emit('event', event)) : null;
  serializePerKey(httpServer, store, fastPath);
  const requests = new Map<string, number>();
  httpServer.on('request', (req: IncomingMessage) => {
    const target = objectOf(req.url);
    const kind = `${req.method} ${target ? target.key.split('/')[0] : '/'}`;
    requests.set(kind, (requests.get(kind) ?? 0) + 1);
  });
  const endpoint = `http://${address}:${info.port}`;
  const client = createS3Client({ endpoint, credentials: LOCAL_CREDENTIALS });
  return {
    endpoint,
    port: info.port,
    client,
    onEvent: (listener) => server.on('event', listener),
    requests: () => Object.fromEntries(requests),
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
