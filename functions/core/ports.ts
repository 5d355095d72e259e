// The adapters the pipeline needs, as interfaces: S3 in AWS and locally (s3rver), anything else in a pinch.

export interface StoredObject {
  body: Uint8Array;
  etag: string | null;
  lastModified: Date | null;
}

export interface ListedObject {
  key: string;
  size: number;
}

export interface ObjectStore {
  /** The object, or null when it does not exist (deleted before we got to it). Throws on infrastructure faults. */
  get(key: string): Promise<StoredObject | null>;
  put(key: string, body: string | Uint8Array, contentType: string): Promise<void>;
  delete(key: string): Promise<void>;
  /** Every key under the prefix, in key order. */
  list(prefix: string): AsyncIterable<ListedObject>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
