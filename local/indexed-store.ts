// s3rver's filesystem store with its bookkeeping in memory. s3rver keeps every object as files
// (`<key>._S3rver_object`, `.md5`, `._S3rver_metadata.json`) and answers each request from the disk: a GET
// stats the object and reads two side files, every request reads the bucket's CORS and website
// configurations (two failed reads), a listing walks the whole bucket folder synchronously (a stat per
// file, again for every page) and reads two side files per key listed. This store writes the same files,
// so a bucket folder stays readable by plain s3rver and survives restarts, but keeps an index of the
// objects (metadata, ETag, size, time) and of the bucket configurations, built once from the folder the
// first time a bucket is used. Requests then touch the disk only for object bodies and writes.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { promises as fs, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';

const require = createRequire(import.meta.url);
// s3rver's own classes: the store keeps its file layout and its object model.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const FilesystemStore = require('@20minutes/s3rver/lib/stores/filesystem.js') as FilesystemStoreClass;
const S3Object = require('@20minutes/s3rver/lib/models/object.js') as S3ObjectClass;

type Metadata = Record<string, string | number>;
interface S3ObjectLike {
  bucket: string;
  key: string;
  content: unknown;
  metadata: Metadata;
}
type S3ObjectClass = new (bucket: string, key: string, content: unknown, metadata: Metadata) => S3ObjectLike & { size: number };
interface FilesystemStoreInstance {
  rootDirectory: string;
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  getMetadata(bucket: string, key: string): Promise<Metadata>;
  putContent(objectPath: string, content: unknown): Promise<[number, string]>;
  getObject(bucket: string, key: string, options?: { start?: number; end?: number }): Promise<(S3ObjectLike & { size: number }) | null>;
  putObject(object: S3ObjectLike): Promise<{ size: number; md5: string }>;
  copyObject(srcBucket: string, srcKey: string, destBucket: string, destKey: string, replacementMetadata?: Metadata): Promise<Metadata>;
  deleteObject(bucket: string, key: string): Promise<void>;
  putObjectMultipart(bucket: string, uploadId: string, parts: unknown[]): Promise<{ size: number; md5: string }>;
  getBucket(bucket: string): Promise<unknown>;
  putBucket(bucket: string): Promise<unknown>;
  deleteBucket(bucket: string): Promise<void>;
  getSubresource(bucket: string, key: string | undefined, type: string): Promise<unknown>;
  putSubresource(bucket: string, key: string | undefined, resource: { type: string }): Promise<void>;
  deleteSubresource(bucket: string, key: string | undefined, type: string): Promise<void>;
  reset(): void;
}
type FilesystemStoreClass = (new (root: string) => FilesystemStoreInstance) & { decodeKeyPath(p: string): string };

const OBJECT_SUFFIX = '._S3rver_object';
/** Stored in the metadata file beside s3rver's fields (plain s3rver ignores them): the body's MD5 and write time. */
const MD5_FIELD = 'x-newsdigest-md5';
const TIME_FIELD = 'x-newsdigest-mtime';
const ALLOWED = new Set((S3Object as unknown as { ALLOWED_METADATA: string[] }).ALLOWED_METADATA);
/**
 * Objects up to this size are read and written whole, with synchronous calls: a few KB from and to the page
 * cache take microseconds, while each asynchronous call is a round trip through libuv's thread pool (open,
 * write or read, close: three or four per file, two files per PUT), which cost more CPU than the copy itself.
 * Larger objects stream, as in s3rver.
 */
const SMALL_OBJECT_BYTES = 1 << 20;

/** A request body read whole (bodies declared at most SMALL_OBJECT_BYTES long). */
async function readAll(content: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of content) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

export interface ListOptions {
  delimiter?: string;
  startAfter?: string;
  prefix?: string;
  maxKeys?: number;
}

/** An object's entry in the index, as others may read it. */
export type StoredEntry = Readonly<Pick<Entry, 'stored' | 'md5' | 'size' | 'mtime'>>;

interface Entry {
  /** What s3rver stores in the metadata file (content type and the like, x-amz-meta-*). */
  stored: Metadata;
  md5: string;
  size: number;
  mtime: Date;
  /** Written by plain s3rver: an .md5 side file exists and must go when the object is overwritten. */
  legacy: boolean;
}

/** S3 lists keys in UTF-8 byte order; JavaScript compares UTF-16 units, which differs only past U+FFFF. */
function compareKeys(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a), Buffer.from(b));
}

class Bucket {
  readonly objects = new Map<string, Entry>();
  private sorted: string[] | null = null;
  keys(): string[] {
    return (this.sorted ??= [...this.objects.keys()].sort(compareKeys));
  }
  set(key: string, entry: Entry): void {
    if (!this.objects.has(key)) this.sorted = null;
    this.objects.set(key, entry);
  }
  delete(key: string): void {
    if (this.objects.delete(key)) this.sorted = null;
  }
}

/** The first index in the sorted `keys` whose key is greater than `after` (binary search). */
function firstAfter(keys: string[], after: string, inclusive: boolean): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareKeys(keys[mid]!, after);
    if (c < 0 || (c === 0 && !inclusive)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class IndexedFilesystemStore extends FilesystemStore {
  private readonly buckets = new Map<string, Promise<Bucket | null>>();
  private readonly subresources = new Map<string, Promise<unknown>>();
  /** Folders known to exist, so a PUT creates its folder only once. */
  private readonly folders = new Set<string>();

  /** The bucket's index, built from its folder on first use; null when the bucket does not exist. */
  private bucket(name: string): Promise<Bucket | null> {
    let b = this.buckets.get(name);
    if (!b) {
      b = this.load(name);
      this.buckets.set(name, b);
    }
    return b;
  }

  private async load(name: string): Promise<Bucket | null> {
    const root = path.join(this.rootDirectory, name);
    try {
      if (!statSync(root).isDirectory()) return null;
    } catch {
      return null;
    }
    const index = new Bucket();
    const keys: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const file = path.posix.join(dir, entry.name);
        if (entry.isDirectory()) walk(file);
        else if (entry.name.endsWith(OBJECT_SUFFIX)) keys.push(FilesystemStore.decodeKeyPath(file.slice(root.length + 1, -OBJECT_SUFFIX.length)));
      }
    };
    walk(root);
    for (let i = 0; i < keys.length; i += 64) {
      await Promise.all(keys.slice(i, i + 64).map(async (key) => {
        const entry = await this.readEntry(name, key);
        if (entry) index.set(key, entry);
      }));
    }
    return index;
  }

  /** One object's entry from its files (this store's metadata file, or s3rver's files). */
  private async readEntry(bucket: string, key: string): Promise<Entry | null> {
    try {
      const [stat, metaText] = await Promise.all([
        fs.stat(this.getResourcePath(bucket, key, 'object')),
        fs.readFile(this.getResourcePath(bucket, key, 'metadata.json'), 'utf8').catch((e: { code?: string }) => {
          if (e.code === 'ENOENT') return '{}';
          throw e;
        }),
      ]);
      const meta = JSON.parse(metaText) as Metadata;
      const stored: Metadata = {};
      for (const [k, v] of Object.entries(meta)) if (ALLOWED.has(k) || k.startsWith('x-amz-meta-')) stored[k] = v;
      const md5 = meta[MD5_FIELD];
      const time = meta[TIME_FIELD];
      if (typeof md5 === 'string' && typeof time === 'number') return { stored, md5, size: stat.size, mtime: new Date(time), legacy: false };
      // Written by plain s3rver: its .md5 file (computed and written by s3rver when missing).
      const m = await super.getMetadata(bucket, key);
      return { stored, md5: JSON.parse(String(m.etag)) as string, size: stat.size, mtime: stat.mtime, legacy: true };
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') return null;
      throw e;
    }
  }

  private async refresh(bucket: string, key: string): Promise<void> {
    const index = await this.bucket(bucket);
    const entry = await this.readEntry(bucket, key);
    if (entry) index?.set(key, entry);
    else index?.delete(key);
  }

  /** The metadata s3rver's object model is built from (stored headers, ETag, time, length). */
  static metadataOf(e: StoredEntry): Metadata {
    return { ...e.stored, etag: JSON.stringify(e.md5), 'last-modified': e.mtime.toUTCString(), 'content-length': e.size };
  }

  override async getMetadata(bucket: string, key: string): Promise<Metadata> {
    const e = (await this.bucket(bucket))?.objects.get(key);
    if (!e) throw Object.assign(new Error(`no such object: ${key}`), { code: 'ENOENT' });
    return IndexedFilesystemStore.metadataOf(e);
  }

  async existsObject(bucket: string, key: string): Promise<boolean> {
    return (await this.bucket(bucket))?.objects.has(key) ?? false;
  }

  /** The object's ETag (quoted, as S3 sends it), or null: for conditional requests. */
  async etagOf(bucket: string, key: string): Promise<string | null> {
    const e = (await this.bucket(bucket))?.objects.get(key);
    return e ? JSON.stringify(e.md5) : null;
  }

  /**
   * A small object's body, read whole, with its index entry (the same entry object until the key is written
   * again, so callers may cache what they derive from it); null when the key is missing or the object large.
   */
  async smallObject(bucket: string, key: string): Promise<{ body: Buffer; entry: StoredEntry } | null> {
    const e = (await this.bucket(bucket))?.objects.get(key);
    if (!e || e.size > SMALL_OBJECT_BYTES) return null;
    try {
      return { body: readFileSync(this.getResourcePath(bucket, key, 'object')), entry: e };
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') return null;
      throw err;
    }
  }

  override async getObject(bucket: string, key: string, options?: { start?: number; end?: number }) {
    const e = (await this.bucket(bucket))?.objects.get(key);
    if (!e) return null;
    // Whole small objects are read in one call instead of streamed (the common case: records, articles).
    if (options?.start === undefined && options?.end === undefined && e.size <= SMALL_OBJECT_BYTES) {
      const found = await this.smallObject(bucket, key);
      // Gone or rewritten large since the lookup above: s3rver's own read answers (null, or a stream).
      if (!found) return super.getObject(bucket, key, options);
      // s3rver destroys the content stream of a HEAD request; a buffer has nothing to release.
      return new S3Object(bucket, key, Object.assign(found.body, { destroy: () => undefined }), IndexedFilesystemStore.metadataOf(found.entry));
    }
    return super.getObject(bucket, key, options);
  }

  override async putObject(object: S3ObjectLike): Promise<{ size: number; md5: string }> {
    const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
    const dir = path.dirname(objectPath);
    if (!this.folders.has(dir)) {
      mkdirSync(dir, { recursive: true, mode: 0o755 });
      this.folders.add(dir);
    }
    let size: number;
    let md5: string;
    const declared = Number(object.metadata['content-length']);
    if (Buffer.isBuffer(object.content) || (Number.isFinite(declared) && declared <= SMALL_OBJECT_BYTES)) {
      // Read whole, then written in one call: an upload that breaks off leaves the stored object as it was.
      const body = Buffer.isBuffer(object.content) ? object.content : await readAll(object.content as Readable);
      writeFileSync(objectPath, body);
      size = body.length;
      md5 = createHash('md5').update(body).digest('hex');
    } else {
      [size, md5] = await this.putContent(objectPath, object.content);
    }
    const mtime = new Date();
    const stored: Metadata = {};
    for (const [k, v] of Object.entries(object.metadata)) if (ALLOWED.has(k) || k.startsWith('x-amz-meta-')) stored[k] = v;
    // One side file: s3rver's metadata plus the MD5 and the time (plain s3rver recomputes the .md5 file when absent).
    writeFileSync(this.getResourcePath(object.bucket, object.key, 'metadata.json'), JSON.stringify({ ...stored, [MD5_FIELD]: md5, [TIME_FIELD]: mtime.getTime() }));
    const index = await this.bucket(object.bucket);
    if (index?.objects.get(object.key)?.legacy) await fs.rm(this.getResourcePath(object.bucket, object.key, 'object.md5'), { force: true });
    index?.set(object.key, { stored, md5, size, mtime, legacy: false });
    return { size, md5 };
  }

  override async copyObject(srcBucket: string, srcKey: string, destBucket: string, destKey: string, replacementMetadata?: Metadata) {
    await super.copyObject(srcBucket, srcKey, destBucket, destKey, replacementMetadata);
    await this.refresh(destBucket, destKey);
    return this.getMetadata(destBucket, destKey);
  }

  override async putObjectMultipart(bucket: string, uploadId: string, parts: unknown[]) {
    return super.putObjectMultipart(bucket, uploadId, parts); // through putObject above
  }

  override async deleteObject(bucket: string, key: string): Promise<void> {
    (await this.bucket(bucket))?.delete(key);
    await super.deleteObject(bucket, key);
    this.folders.clear(); // s3rver removes the folders it empties
  }

  /**
   * One page of a listing as s3rver's listObjects computes it, with each key's index entry: what a listing
   * needs (ETag, size, time), without building s3rver's object model for every key.
   */
  async listEntries(bucket: string, options: ListOptions): Promise<{ entries: Array<{ key: string; entry: StoredEntry }>; commonPrefixes: string[]; isTruncated: boolean }> {
    const { delimiter = '', startAfter = '', prefix = '', maxKeys = Infinity } = options;
    const index = await this.bucket(bucket);
    const keys = index?.keys() ?? [];
    const commonPrefixes = new Set<string>();
    const entries: Array<{ key: string; entry: StoredEntry }> = [];
    let isTruncated = false;
    const from = compareKeys(startAfter, prefix) >= 0 ? firstAfter(keys, startAfter, false) : firstAfter(keys, prefix, true);
    for (let i = from; i < keys.length; i++) {
      const key = keys[i]!;
      if (!key.startsWith(prefix)) break;
      if (delimiter) {
        const at = key.indexOf(delimiter, prefix.length);
        if (at !== -1) {
          commonPrefixes.add(key.slice(0, at + delimiter.length));
          continue;
        }
      }
      if (entries.length >= maxKeys) {
        isTruncated = true;
        break;
      }
      entries.push({ key, entry: index!.objects.get(key)! });
    }
    return { entries, commonPrefixes: [...commonPrefixes].sort(compareKeys), isTruncated };
  }

  async listObjects(bucket: string, options: ListOptions) {
    const { entries, commonPrefixes, isTruncated } = await this.listEntries(bucket, options);
    const objects = entries.map(({ key, entry }) => new S3Object(bucket, key, null, IndexedFilesystemStore.metadataOf(entry)));
    return { objects, commonPrefixes, isTruncated };
  }

  /** s3rver asks for the bucket on every object request (a stat of its folder): answered once. */
  private readonly bucketInfo = new Map<string, Promise<unknown>>();

  override getBucket(bucket: string): Promise<unknown> {
    let info = this.bucketInfo.get(bucket);
    if (!info) {
      info = super.getBucket(bucket);
      this.bucketInfo.set(bucket, info);
      info.then((b) => b ?? this.bucketInfo.delete(bucket), () => this.bucketInfo.delete(bucket));
    }
    return info;
  }

  override async putBucket(bucket: string): Promise<unknown> {
    this.bucketInfo.delete(bucket);
    const made = await super.putBucket(bucket);
    if (!(await this.bucket(bucket))) this.buckets.delete(bucket); // created now: index it afresh
    return made;
  }

  override async deleteBucket(bucket: string): Promise<void> {
    await super.deleteBucket(bucket);
    this.buckets.delete(bucket);
    this.bucketInfo.delete(bucket);
    this.folders.clear();
    for (const k of this.subresources.keys()) if (k.startsWith(`${bucket}\u0000`)) this.subresources.delete(k);
  }

  override getSubresource(bucket: string, key: string | undefined, type: string): Promise<unknown> {
    const k = `${bucket}\u0000${key ?? ''}\u0000${type}`;
    let r = this.subresources.get(k);
    if (!r) {
      r = super.getSubresource(bucket, key, type);
      this.subresources.set(k, r);
      r.catch(() => this.subresources.delete(k));
    }
    return r;
  }

  override async putSubresource(bucket: string, key: string | undefined, resource: { type: string }): Promise<void> {
    this.subresources.delete(`${bucket}\u0000${key ?? ''}\u0000${resource.type}`);
    await super.putSubresource(bucket, key, resource);
    this.subresources.delete(`${bucket}\u0000${key ?? ''}\u0000${resource.type}`);
  }

  override async deleteSubresource(bucket: string, key: string | undefined, type: string): Promise<void> {
    this.subresources.delete(`${bucket}\u0000${key ?? ''}\u0000${type}`);
    await super.deleteSubresource(bucket, key, type);
    this.subresources.delete(`${bucket}\u0000${key ?? ''}\u0000${type}`);
  }

  override reset(): void {
    super.reset();
    this.buckets.clear();
    this.bucketInfo.clear();
    this.subresources.clear();
    this.folders.clear();
  }
}
