// The embedded S3: s3rver (a real S3-compatible HTTP server) in this process, storing under a local folder,
// used only through its public API (options, run, close, its 'event' emitter), behind the shim (s3-shim.ts)
// that adds what S3 does and s3rver does not.
import { mkdirSync } from 'node:fs';
import S3rver from '@20minutes/s3rver';
import type { S3Event } from 'aws-lambda';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../functions/adapters/s3-store.ts';
import { startS3Shim } from './s3-shim.ts';

export interface EmbeddedS3 {
  endpoint: string;
  port: number;
  client: S3Client;
  /** Called for every S3 notification, keys URL-encoded as S3 sends them. */
  onEvent(listener: (event: S3Event) => void): void;
  /** Requests received so far, by method and the key's first segment (`GET articles`, `PUT inbox`; `GET /` for bucket-level). */
  requests(): Record<string, number>;
  createBucket(name: string): Promise<void>;
  close(): Promise<void>;
}

/** s3rver's one account (its documented default); the shim checks signatures against it. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/**
 * A key as S3 writes it in a notification: form-URL-encoded (a space is `+`; letters, digits and `*-._` stay),
 * with `/` kept. s3rver puts the raw key there.
 */
export function s3EventKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
    .replace(/%2F/g, '/');
}

function withEncodedKeys(event: S3Event): S3Event {
  return { ...event, Records: event.Records.map((r) => ({ ...r, s3: { ...r.s3, object: { ...r.s3.object, key: s3EventKey(r.s3.object.key) } } })) };
}

export async function startEmbeddedS3(options: { directory: string; port?: number; address?: string }): Promise<EmbeddedS3> {
  mkdirSync(options.directory, { recursive: true });
  const address = options.address ?? '127.0.0.1';
  // s3rver on a loopback port of its own: only the shim talks to it.
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: !process.env.NEWSDIGEST_DEBUG_S3, directory: options.directory, vhostBuckets: false });
  // s3rver answers its own faults with a bare 500; NEWSDIGEST_DEBUG_S3=1 shows what failed inside it.
  if (process.env.NEWSDIGEST_DEBUG_S3) {
    server.on('error', (err: Error, ctx: { method?: string; path?: string }) => console.error(`s3rver ${ctx?.method} ${ctx?.path}: ${err.stack}`));
  }
  const inner = await server.run();
  const shim = await startS3Shim({
    upstreamPort: inner.port,
    address,
    port: options.port ?? 0,
    secrets: { [LOCAL_CREDENTIALS.accessKeyId]: LOCAL_CREDENTIALS.secretAccessKey },
  }).catch(async (e: unknown) => {
    await server.close();
    throw e;
  });
  const endpoint = `http://${address === '0.0.0.0' ? '127.0.0.1' : address}:${shim.port}`;
  const client = createS3Client({ endpoint, credentials: LOCAL_CREDENTIALS });
  return {
    endpoint,
    port: shim.port,
    client,
    onEvent: (listener) => server.on('event', (event: S3Event) => listener(withEncodedKeys(event))),
    requests: () => shim.requests(),
    createBucket: async (name) => {
      try {
        await client.send(new CreateBucketCommand({ Bucket: name }));
      } catch (e) {
        if (!(e instanceof Error && /BucketAlready(Exists|OwnedByYou)/.test(e.name))) throw e;
      }
    },
    close: async () => {
      client.destroy();
      await shim.close();
      await server.close();
    },
  };
}
