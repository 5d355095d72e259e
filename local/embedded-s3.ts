// The embedded S3: a real S3-compatible HTTP server (s3rver) in this process, storing under a local folder.
import { mkdirSync } from 'node:fs';
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
  const info = await server.run();
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
