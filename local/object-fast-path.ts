// The embedded S3's hot requests, plain GetObject, PutObject and ListObjects, answered without s3rver's koa stack.
// Every request in s3rver runs a dozen middlewares (CORS and website lookups, the router's parameter decoding,
// response-header overrides, koa's context objects), ~0.4 ms of CPU per request on this machine; the load run
// makes four such requests per file, on the thread that also hands events to the handlers, and the digest lists
// every source record on each rebuild. This path does what s3rver does for these requests, with s3rver's own
// SigV4 functions (the signing key memoized by embedded-s3.ts) and account registry and the same store;
// s3rver's object, event and listing answers are rebuilt here, field for field, without lodash and one random
// call per id (so the bucket folder, the events and the answers are identical, but for the listing escape
// noted at xmlText). Anything else, or anything unusual about these (a range, a condition, a copy, a listing
// parameter of v2, a CORS or website configuration, a streamed or oversized body, a failed signature, a missing
// key or bucket), goes to s3rver untouched, and s3rver answers it, errors included.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { parse as parseQuery } from 'node:querystring';
import { IndexedFilesystemStore, type ListOptions, type StoredEntry } from './indexed-store.ts';

const require = createRequire(import.meta.url);
/* eslint-disable @typescript-eslint/no-require-imports */
const v4 = require('@20minutes/s3rver/lib/signature/v4.js') as {
  parseHeader(headers: IncomingMessage['headers']): { accessKeyId: string; credential: { date: string; region: string; service: string; termination: string }; signedHeaders: string[]; signatureProvided: string };
  getStringToSign(canonical: { method: string; uri: string; querystring: string; headers: IncomingMessage['headers']; timestamp: string }, request: { credential: object; signedHeaders: string[] }): string;
  getSigningKey(secret: string, date: string, region: string, service: string): Buffer;
};
const utils = require('@20minutes/s3rver/lib/utils.js') as {
  encodeURIComponentRFC3986(s: string): string;
  capitalizeHeader(h: string): string;
  parseDate(s: string): Date;
};
const AWSAccount = require('@20minutes/s3rver/lib/models/account.js') as {
  registry: Map<string, { accessKeys: Map<string, string> }>;
  DUMMY_ACCOUNT: { id: number; displayName: string };
};
const S3Object = require('@20minutes/s3rver/lib/models/object.js') as { ALLOWED_METADATA: string[] };
/* eslint-enable @typescript-eslint/no-require-imports */

/** Bodies up to this size are taken here (the store reads them whole); larger ones go to s3rver. */
const MAX_BODY_BYTES = 1 << 20;
/** s3rver's allowed clock skew for header-signed requests. */
const MAX_SKEW_MS = 15 * 60 * 1000;
/** Request headers that ask for more than a plain read or write: s3rver handles those. */
const GET_DECLINES = ['range', 'if-none-match', 'if-match', 'if-modified-since', 'if-unmodified-since', 'origin'];
const PUT_DECLINES = ['x-amz-copy-source', 'x-amz-website-redirect-location', 'x-amz-storage-class', 'content-md5', 'transfer-encoding', 'expect', 'origin'];

interface Target {
  bucket: string;
  key: string;
  /** The SDK's `x-id=GetObject` marker, or '' (the canonical query string the signature covers). */
  query: string;
}

/** The bucket and key an object request addresses (path-style), or null for bucket-level requests. */
export function objectOf(url: string | undefined): { bucket: string; key: string } | null {
  const path = (url ?? '/').split('?')[0]!;
  const m = /^\/([^/]+)\/(.+)$/.exec(path);
  if (!m) return null;
  try {
    return { bucket: decodeURIComponent(m[1]!), key: decodeURIComponent(m[2]!) };
  } catch {
    return null; // malformed escapes: s3rver answers those itself
  }
}

/** Path-style `/bucket/key` with no query but the SDK's `x-id`; null for anything else. */
function plainTarget(url: string): Target | null {
  const q = url.indexOf('?');
  const query = q === -1 ? '' : url.slice(q + 1);
  if (query && !/^x-id=[A-Za-z]+$/.test(query)) return null;
  const target = objectOf(url);
  return target && { ...target, query };
}

/** The canonical query string of a plain object request: the SDK's `x-id` marker or nothing. */
function objectQuery(t: Target): string {
  return t.query ? t.query.split('=').map((s) => encodeURIComponent(decodeURIComponent(s))).join('=') : '';
}

/**
 * s3rver's SigV4 header check (authentication.js): `resource` is the decoded path (`/bucket` or `/bucket/key`),
 * `querystring` the canonical query string.
 */
function signatureHolds(req: IncomingMessage, resource: string, querystring: string): boolean {
  const auth = req.headers.authorization;
  if (!auth?.startsWith('AWS4-HMAC-SHA256 ')) return false;
  let parsed: ReturnType<typeof v4.parseHeader>;
  try {
    parsed = v4.parseHeader(req.headers);
  } catch {
    return false;
  }
  const time = (req.headers['x-amz-date'] ?? req.headers.date) as string | undefined;
  if (!time) return false;
  const requestTime = utils.parseDate(time).getTime();
  if (Number.isNaN(requestTime) || Math.abs(Date.now() - requestTime) > MAX_SKEW_MS) return false;
  const secret = AWSAccount.registry.get(parsed.accessKeyId)?.accessKeys.get(parsed.accessKeyId);
  if (secret === undefined) return false;
  const uri = resource.split('/').map(utils.encodeURIComponentRFC3986).join('/');
  const stringToSign = v4.getStringToSign({ method: req.method!, uri, querystring, headers: req.headers, timestamp: time }, parsed);
  const { date, region, service } = parsed.credential;
  const signature = createHmac('sha256', v4.getSigningKey(secret, date, region, service)).update(stringToSign, 'utf8').digest('hex');
  return signature === parsed.signatureProvided;
}

/** The headers s3rver keeps with an object (its S3Object model, without lodash's pick), in its order. */
const KEPT_HEADERS = [...S3Object.ALLOWED_METADATA, 'last-modified', 'etag', 'content-length'];
function storedMetadata(headers: IncomingMessage['headers']): Record<string, string> {
  // Node joins repeated headers into one string (only Set-Cookie stays a list, and it is not kept).
  const metadata: Record<string, string> = {};
  for (const h of KEPT_HEADERS) if (h in headers) metadata[h] = headers[h] as string;
  if (!metadata['content-type']) metadata['content-type'] = 'binary/octet-stream';
  for (const h of Object.keys(headers)) if (h.startsWith('x-amz-meta-')) metadata[h] = headers[h] as string;
  return metadata;
}

/**
 * Random upper-case hex for the ids of a notification, as s3rver makes them, drawn from a pool of random
 * bytes instead of one randomBytes call (a system call) per id.
 */
let randomPool = Buffer.alloc(0);
let randomAt = 0;
function randomHex(length: number): string {
  const bytes = Math.ceil(length / 2);
  if (randomAt + bytes > randomPool.length) {
    randomPool = randomBytes(4096);
    randomAt = 0;
  }
  randomAt += bytes;
  return randomPool.toString('hex', randomAt - bytes, randomAt).slice(0, length).toUpperCase();
}

/** s3rver's hash of the Host header (its x-amz-id-2), by host. */
const hostIds = new Map<string, string>();
function hostId(host: string): string {
  let id = hostIds.get(host);
  if (id === undefined) {
    if (hostIds.size >= 64) hostIds.clear();
    hostIds.set(host, (id = createHash('sha256').update(host).digest('base64')));
  }
  return id;
}

/** The ObjectCreated:Put notification s3rver's S3Event model builds, field for field. */
function putEvent(bucket: string, key: string, size: number, md5: string, host: string, sourceIp: string): object {
  return {
    Records: [
      {
        eventVersion: '2.0',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: `AWS:${randomHex(21)}` },
        requestParameters: { sourceIPAddress: sourceIp },
        responseElements: { 'x-amz-request-id': randomHex(16), 'x-amz-id-2': hostId(host) },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'testConfigId',
          bucket: { name: bucket, ownerIdentity: { principalId: randomHex(14) }, arn: `arn:aws:s3: : :${bucket}` },
          object: { key, sequencer: Date.now().toString(16).toUpperCase(), size, eTag: md5 },
        },
      },
    ],
  };
}

/**
 * The headers s3rver's getObject answers a whole object with: Accept-Ranges, each header its object model
 * keeps (lodash's pick of the stored metadata, the default type, x-amz-meta-*), capitalized, and the length.
 * Built once per stored version of an object (the store replaces the entry when the key is written).
 */
const answers = new WeakMap<StoredEntry, Record<string, string | number>>();
function responseHeaders(entry: StoredEntry): Record<string, string | number> {
  let headers = answers.get(entry);
  if (!headers) {
    const metadata = IndexedFilesystemStore.metadataOf(entry);
    headers = { 'Accept-Ranges': 'bytes' };
    for (const h of KEPT_HEADERS) if (h in metadata) headers[utils.capitalizeHeader(h)] = metadata[h]!;
    if (!metadata['content-type']) headers['Content-Type'] = 'binary/octet-stream';
    for (const h of Object.keys(metadata)) if (h.startsWith('x-amz-meta-')) headers[utils.capitalizeHeader(h)] = metadata[h]!;
    headers['Content-Length'] = entry.size;
    answers.set(entry, headers);
  }
  return headers;
}

function declines(req: IncomingMessage, headers: readonly string[]): boolean {
  for (const h of headers) if (req.headers[h] !== undefined) return true;
  return false;
}

/** The query parameters of a ListObjects (v1) request this path answers; anything else goes to s3rver. */
const LIST_PARAMS = new Set(['prefix', 'marker', 'delimiter', 'max-keys']);

/**
 * Text in XML. s3rver escapes with `he` and then fast-xml-parser escapes again, so a key holding `&`, `<`,
 * `>`, `'` or a backquote comes back from its listings as, say, `&amp;amp;`, which the SDK reads as `&amp;`:
 * a client that lists, then reads what it listed, misses that object. Here text is escaped once, with the
 * builder's own entities (so an ETag's quotes read `&quot;` as before); for every other key the answer is byte
 * for byte s3rver's (the test compares them).
 */
const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
function xmlText(s: string): string {
  return s.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!);
}

/** An element, when its value is set (s3rver's XML builder leaves out undefined values). */
function element(name: string, value: string | number | boolean | undefined): string {
  return value === undefined ? '' : `<${name}>${xmlText(String(value))}</${name}>`;
}

export interface ObjectFastPath {
  /** Answers the request and returns true, or returns false without touching it (s3rver's turn). */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

export function objectFastPath(store: IndexedFilesystemStore, emitEvent: (event: object) => void): ObjectFastPath {
  /** A bucket this path may serve: it exists, with no CORS or website configuration (those change responses). */
  const plainBucket = async (bucket: string): Promise<boolean> => {
    if (!(await store.getBucket(bucket))) return false;
    const [cors, website] = await Promise.all([store.getSubresource(bucket, undefined, 'cors'), store.getSubresource(bucket, undefined, 'website')]);
    return !cors && !website;
  };

  const get = async (req: IncomingMessage, res: ServerResponse, t: Target): Promise<boolean> => {
    if (declines(req, GET_DECLINES) || !(await plainBucket(t.bucket)) || !signatureHolds(req, `/${t.bucket}/${t.key}`, objectQuery(t))) return false;
    const found = await store.smallObject(t.bucket, t.key);
    // s3rver's NoSuchKey, or a large object s3rver streams; a file changed behind the index is s3rver's too.
    if (!found || found.body.length !== found.entry.size) return false;
    res.writeHead(200, responseHeaders(found.entry));
    res.end(found.body);
    return true;
  };

  const put = async (req: IncomingMessage, res: ServerResponse, t: Target): Promise<boolean> => {
    if (declines(req, PUT_DECLINES)) return false;
    const length = Number(req.headers['content-length']);
    const payload = req.headers['x-amz-content-sha256'];
    if (!Number.isInteger(length) || length > MAX_BODY_BYTES) return false;
    if (typeof payload !== 'string' || !(payload === 'UNSIGNED-PAYLOAD' || /^[0-9A-Fa-f]{64}$/.test(payload))) return false;
    const host = req.headers.host;
    if (host === undefined) return false; // s3rver's notification hashes it
    if (!(await plainBucket(t.bucket)) || !signatureHolds(req, `/${t.bucket}/${t.key}`, objectQuery(t))) return false;
    // From here the request is ours: the store reads the body whole and writes it (see indexed-store.ts).
    let stored: { size: number; md5: string };
    try {
      stored = await store.putObject({ bucket: t.bucket, key: t.key, content: req, metadata: storedMetadata(req.headers) });
    } catch {
      const body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>';
      res.writeHead(500, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return true;
    }
    emitEvent(putEvent(t.bucket, t.key, stored.size, stored.md5, host, req.socket.remoteAddress ?? ''));
    res.writeHead(200, { ETag: JSON.stringify(stored.md5), 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 0 });
    res.end();
    return true;
  };

  /**
   * ListObjects (v1), as s3rver's getBucket answers it (owners included, as v1 does), from the store's index:
   * s3rver builds an object model per key (lodash's pick) and an XML tree for fast-xml-parser, ~50 µs per key
   * listed; the digest lists every source record on each rebuild.
   */
  const list = async (req: IncomingMessage, res: ServerResponse, url: string): Promise<boolean> => {
    const q = url.indexOf('?');
    const m = /^\/([^/?]+)$/.exec(q === -1 ? url : url.slice(0, q));
    if (!m || declines(req, GET_DECLINES)) return false;
    let bucket: string;
    try {
      bucket = decodeURIComponent(m[1]!);
    } catch {
      return false;
    }
    // Parsed as koa parses it for s3rver, and signed over the same canonical form.
    const query = parseQuery(q === -1 ? '' : url.slice(q + 1));
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(query)) {
      if (!LIST_PARAMS.has(k) || typeof v !== 'string') return false;
      params[k] = v;
    }
    const canonical = Object.entries(params).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).sort().join('&');
    if (!(await plainBucket(bucket)) || !signatureHolds(req, `/${bucket}`, canonical)) return false;
    const options: ListOptions = { maxKeys: 1000 };
    if (params.prefix) options.prefix = params.prefix;
    if (params.delimiter) options.delimiter = params.delimiter;
    if (params.marker) options.startAfter = params.marker;
    if (params['max-keys']) {
      // Out-of-range values are s3rver's InvalidArgument to answer.
      if (!/^\d+$/.test(params['max-keys']) || Number(params['max-keys']) > 2147483647) return false;
      options.maxKeys = Math.min(1000, Number(params['max-keys']));
    }
    const page = options.maxKeys === 0 ? { entries: [], commonPrefixes: [], isTruncated: false } : await store.listEntries(bucket, options);
    const last = page.entries.at(-1)?.key;
    const owner = `<Owner>${element('ID', AWSAccount.DUMMY_ACCOUNT.id)}${element('DisplayName', AWSAccount.DUMMY_ACCOUNT.displayName)}</Owner>`;
    const parts = [
      '<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://doc.s3.amazonaws.com/2006-03-01/">',
      element('Name', bucket),
      element('Prefix', params.prefix || ''),
      element('Marker', params.marker || ''),
      element('NextMarker', params.delimiter && page.isTruncated ? last : undefined),
      element('MaxKeys', params['max-keys'] || 1000),
      element('Delimiter', params.delimiter || undefined),
      element('IsTruncated', page.isTruncated),
    ];
    for (const { key, entry } of page.entries) {
      // s3rver's time goes through the Last-Modified header, which holds whole seconds.
      const modified = new Date(Math.floor(entry.mtime.getTime() / 1000) * 1000).toISOString();
      parts.push(`<Contents>${element('Key', key)}${element('LastModified', modified)}${element('ETag', JSON.stringify(entry.md5))}${element('Size', entry.size)}${owner}<StorageClass>STANDARD</StorageClass></Contents>`);
    }
    for (const prefix of page.commonPrefixes) parts.push(`<CommonPrefixes>${element('Prefix', prefix)}</CommonPrefixes>`);
    parts.push('</ListBucketResult>');
    const body = parts.join('');
    res.writeHead(200, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
    return true;
  };

  return {
    async handle(req, res) {
      if (req.method !== 'GET' && req.method !== 'PUT') return false;
      const url = req.url ?? '/';
      const t = plainTarget(url);
      if (!t) return req.method === 'GET' ? list(req, res, url) : false;
      return req.method === 'GET' ? get(req, res, t) : put(req, res, t);
    },
  };
}
