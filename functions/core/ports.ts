// The adapters the pipeline needs, as interfaces: S3 in AWS and locally (s3rver), anything else in a pinch.

export interface StoredObject {
  body: Uint8Array;
  etag: string | null;
  lastModified: Date | null;
}

export interface ListedObject {
  key: string;
  size: number;
  /** As the store lists it (S3 quotes it); null when it gave none. */
  etag: string | null;
}

export interface ObjectStore {
  /** The object, or null when it does not exist (deleted before we got to it). Throws on infrastructure faults. */
  get(key: string): Promise<StoredObject | null>;
  put(key: string, body: string | Uint8Array, contentType: string): Promise<void>;
  /**
   * Create the object only if the key is free, in one atomic step (S3: PutObject with `If-None-Match: *`).
   * False when the key exists, or when a concurrent create holds it; the caller then reads what is there.
   */
  putIfAbsent(key: string, body: string | Uint8Array, contentType: string): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Every key under the prefix, in key order. */
  list(prefix: string): AsyncIterable<ListedObject>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock standing still at `at` (replays, tests). */
export function fixedClock(at: Date): Clock {
  return { now: () => new Date(at.getTime()) };
}
