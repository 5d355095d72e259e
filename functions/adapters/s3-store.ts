// ObjectStore over the real S3 API: AWS in Lambda, or any S3-compatible endpoint (the embedded S3 locally).
import {
  DeleteObjectCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  paginateListObjectsV2,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import type { ListedObject, ObjectStore, StoredObject } from '../core/ports.ts';

export interface S3Endpoint {
  /** An S3-compatible endpoint, addressed path-style; unset in AWS. */
  endpoint?: string | undefined;
  region?: string | undefined;
  /** Static credentials; unset in AWS, where the execution role's are used. */
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
  maxAttempts?: number | undefined;
  /** Milliseconds before a stalled request is abandoned and retried. */
  requestTimeoutMs?: number | undefined;
}

/** The SDK's client with its defaults (checksums, signing, middleware), configured only where it must be. */
export function createS3Client(options: S3Endpoint = {}): S3Client {
  const config: S3ClientConfig = {
    region: options.region ?? 'us-east-1',
    // Standard retry mode: 503 SlowDown, 500s, resets and timeouts are retried with jittered backoff;
    // when attempts run out the error reaches the handler, which throws so Lambda retries the event.
    retryMode: 'standard',
    maxAttempts: options.maxAttempts ?? 5,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: options.requestTimeoutMs ?? 30_000, throwOnRequestTimeout: true },
  };
  if (options.endpoint) {
    config.endpoint = options.endpoint;
    // S3-compatible servers answer on one host: buckets go in the path, not in a DNS name.
    config.forcePathStyle = true;
  }
  if (options.credentials) config.credentials = options.credentials;
  return new S3Client(config);
}

function isNotFound(e: unknown): boolean {
  return e instanceof NoSuchKey || (e instanceof S3ServiceException && (e.name === 'NoSuchKey' || e.$metadata.httpStatusCode === 404));
}

export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
  ) {}

  async get(key: string): Promise<StoredObject | null> {
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      const body = res.Body ? await res.Body.transformToByteArray() : new Uint8Array();
      return { body, etag: res.ETag ?? null, lastModified: res.LastModified ?? null };
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  async put(key: string, body: string | Uint8Array, contentType: string): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }));
  }

  /**
   * Create the object only if the key is free (`If-None-Match: *`, atomic in S3; the embedded S3 honours it
   * too). False when the key exists (412) or a concurrent conditional write holds it (409).
   */
  async putIfAbsent(key: string, body: string | Uint8Array, contentType: string): Promise<boolean> {
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType, IfNoneMatch: '*' }));
      return true;
    } catch (e) {
      if (e instanceof S3ServiceException && [409, 412].includes(e.$metadata.httpStatusCode ?? 0)) return false;
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /** Every key under the prefix in S3's order, page by page (ListObjectsV2), with its size and ETag. */
  async *list(prefix: string): AsyncIterable<ListedObject & { etag: string | null }> {
    for await (const page of paginateListObjectsV2({ client: this.client }, { Bucket: this.bucket, Prefix: prefix })) {
      for (const o of page.Contents ?? []) {
        if (o.Key) yield { key: o.Key, size: o.Size ?? 0, etag: o.ETag ?? null };
      }
    }
  }
}
