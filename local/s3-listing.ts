// ListObjects (v1) and ListObjectsV2 as S3 answers them, made from s3rver's v1 listings. s3rver's own pages are
// wrong in four ways:
// - it walks its folders in file-name order (strcmp of `<name>._S3rver_object` for an object, `<name>` for a
//   folder), not in key order, cuts a page at 1,000 keys of that walk (its cap, whatever max-keys asks), and
//   filters `key <= marker` in key order: across a page boundary, keys beside a folder or a longer name (`2024-y`
//   beside `2024/x`, `a` beside `a b`) are skipped or repeated;
// - with a delimiter it omits folders that hold only folders;
// - its v2 continuation tokens are DES-encrypted, which OpenSSL 3 refuses;
// - it escapes listing text twice (`&` arrives as `&amp;amp;`).
//
// So a listing walks s3rver itself, with delimiter-free v1 requests: where s3rver cuts a page short, the walk
// goes on from the last key it gave (the marker), and also asks for what s3rver's walk would have reached next
// although it sorts before that key (`continuation`). The keys found are sorted in S3's order (UTF-8 bytes) and
// the page is made here: common prefixes grouped by the delimiter and counted toward max-keys, NextMarker (v1),
// NextContinuationToken (v2: the last key or common prefix, base64url), KeyCount. A page asks s3rver only until
// every key it could show is found: in a folder of plain names, one request per page of 1,000. Where s3rver cut
// its page inside a folder, the walk asks about each of the 46 characters below `/` that could extend the
// folder's name beside it (`2024-y` beside `2024/`): each such request makes s3rver look at every file in that
// folder, so those that found nothing are kept until a write creates such a name.
//
// A walk is kept per bucket and prefix while no write through the shim has completed on the bucket (`written`),
// so the next page of a listing carries on from where the last one stopped. Writes made straight to s3rver's
// private port (nobody should) are not seen: pages would then be made from keys found before them.
import type { IncomingHttpHeaders } from 'node:http';

/** The query parameters of a listing; a bucket GET with any other is a sub-resource (?cors, ?location…). */
const LISTING_PARAMS = new Set(['list-type', 'prefix', 'delimiter', 'marker', 'max-keys', 'continuation-token', 'start-after', 'fetch-owner', 'encoding-type']);

export function isListing(method: string, query: Readonly<Record<string, string>>): boolean {
  return method === 'GET' && Object.keys(query).every((k) => LISTING_PARAMS.has(k)) && (query['list-type'] ?? '2') === '2';
}

export interface Listed {
  key: string;
  lastModified: string;
  etag: string;
  size: string;
  /** s3rver's <Owner> element as it wrote it (an id and a name, nothing to escape). */
  owner: string;
}

/**
 * S3's key order (the keys' UTF-8 bytes) on JS strings: UTF-16 code units compare alike, except that a surrogate
 * (half of a character above U+FFFF) sorts below U+E000–U+FFFF in UTF-16 and above them in UTF-8.
 */
export function s3Compare(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800 && x < 0xe000 !== y < 0xe000) return x < 0xe000 ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#x27': "'", '#x60': '`' };
/** One level of entities: the XML builder's, then (called again) those of `he`, which s3rver escapes with first. */
const unescapeOnce = (s: string) => s.replace(/&(amp|lt|gt|quot|apos|#x27|#x60);/g, (_, e: string) => XML_ENTITIES[e]!);
const textOf = (s: string) => unescapeOnce(unescapeOnce(s));
const xmlText = (s: string) => s.replace(/[&<>"']/g, (c) => `&${({ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' } as const)[c as '&']};`);
const element = (name: string, value: string | number | boolean | undefined) => (value === undefined ? '' : `<${name}>${xmlText(String(value))}</${name}>`);
const field = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

/** An s3rver v1 page, its keys in the order of its walk: the last is where the walk stopped. */
export function readS3rverPage(xml: string): { contents: Listed[]; truncated: boolean } {
  const contents: Listed[] = [];
  for (const [, inner] of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
    const raw = field(inner!, 'Key') ?? '';
    contents.push({ key: textOf(raw), lastModified: field(inner!, 'LastModified') ?? '', etag: textOf(field(inner!, 'ETag') ?? ''), size: field(inner!, 'Size') ?? '0', owner: /<Owner>[\s\S]*?<\/Owner>/.exec(inner!)?.[0] ?? '' });
  }
  return { contents, truncated: field(xml, 'IsTruncated') === 'true' };
}

export interface ListingRequest {
  v2: boolean;
  prefix: string;
  /** '' for none. */
  delimiter: string;
  /** The page holds what sorts after it: the marker, start-after or continuation token ('' from the start). */
  start: string;
  /** At most 1,000, as S3 caps it. */
  maxKeys: number;
}

/** The listing a query asks for, or the argument S3 would refuse. */
export function listingRequest(query: Readonly<Record<string, string>>): ListingRequest | { argument: string; message: string } {
  const v2 = query['list-type'] === '2';
  let start = (v2 ? query['start-after'] : query.marker) ?? '';
  const token = v2 ? query['continuation-token'] : undefined;
  if (token !== undefined) {
    start = Buffer.from(token, 'base64url').toString('utf8');
    if (!start || Buffer.from(start).toString('base64url') !== token) return { argument: 'continuation-token', message: 'The continuation token provided is incorrect' };
  }
  const max = query['max-keys'] ?? '1000';
  if (!/^\d+$/.test(max) || Number(max) > 2147483647) return { argument: 'max-keys', message: 'Provided max-keys not an integer or within integer range' };
  return { v2, prefix: query.prefix ?? '', delimiter: query.delimiter ?? '', start, maxKeys: Math.min(1000, Number(max)) };
}

export interface Page {
  contents: Listed[];
  prefixes: string[];
  truncated: boolean;
  /** The last key or common prefix of the page: where the next one starts. */
  next: string | null;
}

/** The first index of `keys` (in S3 order) past `start`. */
function firstAfter(keys: readonly Listed[], start: string): number {
  let [lo, hi] = [0, keys.length];
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s3Compare(keys[mid]!.key, start) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The page `r` asks for, from `keys` (in S3 order, all under the prefix) of which every key sorting below `bound`
 * has been found (all of them when null), `more` when a key not found yet is known to exist; null when the page
 * depends on keys not found yet.
 */
export function pageOf(keys: readonly Listed[], bound: string | null, r: ListingRequest, more = false): Page | null {
  const page: Page = { contents: [], prefixes: [], truncated: false, next: null };
  if (r.maxKeys === 0) return page;
  let group: string | null = null;
  for (let i = firstAfter(keys, r.start); i < keys.length; i++) {
    const o = keys[i]!;
    const cut = r.delimiter ? o.key.indexOf(r.delimiter, r.prefix.length) : -1;
    const common = cut === -1 ? null : o.key.slice(0, cut + r.delimiter.length);
    // Under the common prefix just listed, or under one at or before the start (an earlier page's).
    if (common !== null && (common === group || s3Compare(common, r.start) <= 0)) continue;
    if (page.contents.length + page.prefixes.length === r.maxKeys) return { ...page, truncated: true };
    if (bound !== null && s3Compare(o.key, bound) >= 0) return null;
    if (common === null) page.contents.push(o);
    else page.prefixes.push((group = common));
    page.next = common ?? o.key;
  }
  if (bound === null) return page;
  // A full page is followed by a key not found yet (it sorts after the page), unless that key could fall under
  // the common prefix that ends the page.
  const full = page.contents.length + page.prefixes.length === r.maxKeys;
  return full && more && page.next !== group ? { ...page, truncated: true } : null;
}

/** The answer to the listing request `r` (from `query`) on `bucket`. */
export function listingXml(bucket: string, query: Readonly<Record<string, string>>, r: ListingRequest, page: Page): string {
  const head = [element('Name', bucket), element('Prefix', r.prefix)];
  if (r.v2) {
    head.push(
      element('StartAfter', query['continuation-token'] === undefined ? query['start-after'] : undefined),
      element('ContinuationToken', query['continuation-token']),
      element('NextContinuationToken', page.truncated && page.next !== null ? Buffer.from(page.next).toString('base64url') : undefined),
      element('KeyCount', page.contents.length + page.prefixes.length),
    );
  } else {
    head.push(element('Marker', query.marker ?? ''), element('NextMarker', r.delimiter && page.truncated ? (page.next ?? undefined) : undefined));
  }
  head.push(element('MaxKeys', query['max-keys'] ?? 1000), element('Delimiter', r.delimiter || undefined), element('IsTruncated', page.truncated));
  const owner = !r.v2 || query['fetch-owner'] === 'true';
  const contents = page.contents.map((o) => `<Contents>${element('Key', o.key)}${element('LastModified', o.lastModified)}${element('ETag', o.etag)}${element('Size', o.size)}${owner ? o.owner : ''}<StorageClass>STANDARD</StorageClass></Contents>`);
  const body = contents.join('') + page.prefixes.map((p) => `<CommonPrefixes>${element('Prefix', p)}</CommonPrefixes>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${head.join('')}${body}</ListBucketResult>`;
}

/** What one s3rver request lists: the keys under `prefix` that s3rver's `key > marker` (UTF-16) lets through. */
export interface Range {
  prefix: string;
  marker: string;
}

const OBJECT_FILE = '._S3rver_object';

/** `range` narrowed to the keys it shares with `within`; none when they share none. */
function clip(range: Range, within: Range): Range[] {
  if (!range.prefix.startsWith(within.prefix) && !within.prefix.startsWith(range.prefix)) return [];
  const prefix = range.prefix.length > within.prefix.length ? range.prefix : within.prefix;
  const marker = range.marker > within.marker ? range.marker : within.marker;
  return marker >= prefix && !marker.startsWith(prefix) ? [] : [{ prefix, marker }];
}

/**
 * Where s3rver's walk goes on after `last`, the last key of a page it cut short while listing `range`: the keys
 * after `last`, and those its walk reaches later although they sort before `last` (which asking from `last` on
 * would skip). Those are, at each level of `last`'s path: objects named by a start of the segment whose file
 * sorts after the segment's entry (`a._S3rver_object` after `a b._S3rver_object`; after the folder `a`, the
 * object `a`); beside a folder, names that extend it with a character below `/` (`2024-y` after the folder
 * `2024`, before `2024/x`); and where the segment holds a character in U+E000–U+FFFF, names holding one above
 * U+FFFF there instead (after it in the walk's UTF-8 order, below it in the UTF-16 order of s3rver's marker).
 * Objects come as keys to look up (`exact`), the rest as ranges to list.
 */
export function continuation(last: string, range: Range): { ranges: Range[]; exact: string[] } {
  const ranges: Range[] = [{ prefix: range.prefix, marker: last }];
  const exact: string[] = [];
  const segments = last.split('/');
  let dir = '';
  segments.forEach((segment, i) => {
    const folder = i < segments.length - 1;
    const entry = Buffer.from(folder ? segment : segment + OBJECT_FILE);
    let name = '';
    for (const ch of segment) {
      name += ch;
      if (!folder && name.length === segment.length) break;
      if (Buffer.compare(Buffer.from(name + OBJECT_FILE), entry) > 0) exact.push(dir + name);
    }
    if (folder) for (let c = 1; c < 0x2f; c++) ranges.push({ prefix: dir + segment + String.fromCharCode(c), marker: range.marker });
    for (let j = Math.max(0, range.prefix.length - dir.length); j < segment.length; j++) {
      if (segment.charCodeAt(j) >= 0xe000) ranges.push({ prefix: dir + segment.slice(0, j), marker: `${dir}${segment.slice(0, j)}\ud7ff` });
    }
    dir += `${segment}/`;
  });
  return { ranges: ranges.flatMap((r) => clip(r, range)), exact: exact.filter((k) => k.startsWith(range.prefix) && k > range.marker) };
}

/** `s` up to its first code unit at or above U+D800: below it, UTF-16 and UTF-8 order agree. */
function plain(s: string): string {
  const i = s.search(/[\ud800-\uffff]/);
  return i === -1 ? s : s.slice(0, i);
}
/** No key of `range` sorts (in S3 order) below it. */
function lowest(r: Range): string {
  const p = plain(r.marker);
  // Past a marker that UTF-16 and UTF-8 order alike, the lowest key there can be is the marker and U+0000.
  const above = p === r.marker ? `${p}\u0000` : p;
  return s3Compare(r.prefix, above) >= 0 ? r.prefix : above;
}

/** A request of the shim's own to s3rver (anonymous: s3rver serves those), its answer read whole. */
export type Ask = (method: 'GET' | 'HEAD', path: string) => Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>;

/** s3rver refused a listing (no such bucket…): its answer goes to the client as it is. */
class Refused extends Error {
  constructor(readonly status: number, readonly body: string) {
    super(`s3rver answered ${status}`);
  }
}

const objectPath = (bucket: string, key: string) => `/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;

/** What the shim knows of one bucket, valid until a write through it completes. */
class BucketState {
  generation = 0;
  /** Walks by prefix, made since the last write. */
  readonly walks = new Map<string, Walk>();
  /**
   * Prefixes under which s3rver held no key when asked, with no write through the shim creating one since:
   * the walk asks about each character below `/` beside every folder it enters, and on a folder of thousands
   * of objects each of those requests costs s3rver a look at every file in it.
   */
  readonly empty = new Set<string>();
  private readonly probes = new Set<{ prefix: string; dirty: boolean }>();

  /** Asking whether `prefix` is empty: the answer is kept unless a write under it completes meanwhile. */
  probe(prefix: string): (empty: boolean) => void {
    const probe = { prefix, dirty: false };
    this.probes.add(probe);
    return (empty) => {
      if (this.probes.delete(probe) && empty && !probe.dirty) this.empty.add(prefix);
    };
  }

  /** A write completed: on `created` (null: keys unknown, as a bucket-level POST), or deletions only (undefined). */
  written(created: string | null | undefined): void {
    this.generation++;
    this.walks.clear();
    if (created === undefined) return;
    for (const p of this.empty) if (created === null || created.startsWith(p)) this.empty.delete(p);
    for (const p of this.probes) if (created === null || created.startsWith(p.prefix)) p.dirty = true;
  }
}

/** The keys under one prefix after one start, as far as s3rver has been asked. */
class Walk {
  private readonly found = new Map<string, Listed>();
  private sorted: Listed[] = [];
  private unsorted = false;
  private readonly pending: Range[] = [];
  private readonly queued = new Set<string>();
  /** The range being asked for: its keys are not found yet. */
  private current: Range | null = null;
  private stepping: Promise<void> | null = null;
  /**
   * A key not found yet exists: s3rver cut its last page short, so its walk held one more key, which is in the
   * ranges that page queued unless a look-up found it or a later answer may have.
   */
  more = false;
  readonly generation: number;

  constructor(private readonly ask: Ask, private readonly bucket: string, private readonly state: BucketState, readonly prefix: string, readonly start: string) {
    this.generation = state.generation;
    // Every key past `start` in S3 order is past this for s3rver's UTF-16 marker.
    this.queue({ prefix, marker: plain(start) });
  }

  keys(): readonly Listed[] {
    if (this.unsorted) this.sorted = [...this.found.values()].sort((a, b) => s3Compare(a.key, b.key));
    this.unsorted = false;
    return this.sorted;
  }

  /** Every key sorting below it has been found; null once every key has. */
  bound(): string | null {
    let low: string | null = null;
    for (const r of this.current ? [this.current, ...this.pending] : this.pending) {
      const b = lowest(r);
      if (low === null || s3Compare(b, low) < 0) low = b;
    }
    return low;
  }

  /** Asks s3rver for the range holding the lowest keys not found yet (one step at a time). */
  step(): Promise<void> {
    this.stepping ??= this.next().finally(() => {
      this.stepping = null;
    });
    return this.stepping;
  }

  private async next(): Promise<void> {
    let i = -1;
    this.pending.forEach((r, j) => {
      if (i === -1 || s3Compare(lowest(r), lowest(this.pending[i]!)) < 0) i = j;
    });
    if (i === -1) return;
    this.current = this.pending.splice(i, 1)[0]!;
    try {
      await this.list(this.current);
    } finally {
      this.current = null;
    }
  }

  private async list(r: Range): Promise<void> {
    const whole = r.marker < r.prefix; // every key under the prefix
    if (whole && this.state.empty.has(r.prefix)) return;
    const settle = whole ? this.state.probe(r.prefix) : () => undefined;
    let page: ReturnType<typeof readS3rverPage> | null = null;
    try {
      const search = new URLSearchParams({ prefix: r.prefix, ...(r.marker ? { marker: r.marker } : {}), 'max-keys': '1000' });
      const answer = await this.ask('GET', `/${encodeURIComponent(this.bucket)}?${search.toString().replace(/\+/g, '%20')}`);
      if (answer.status !== 200) throw new Refused(answer.status, answer.body);
      page = readS3rverPage(answer.body);
    } finally {
      settle(page !== null && page.contents.length === 0 && !page.truncated);
    }
    for (const o of page.contents) this.found.set(o.key, o);
    if (page.contents.length > 0) this.unsorted = true;
    if (page.contents.length > 0) this.more = false;
    if (!page.truncated) return;
    const last = page.contents.at(-1);
    this.more = true;
    // Every object of the page went before s3rver read it: ask again.
    if (!last) return void this.pending.push(r);
    const next = continuation(last.key, r);
    for (const n of next.ranges) this.queue(n);
    const looked = await Promise.all(next.exact.filter((k) => !this.found.has(k)).map((k) => this.head(k, last.owner)));
    if (looked.includes(true)) this.more = false;
  }

  /** An object the walk may have passed over, looked up by its key: true when it exists. */
  private async head(key: string, owner: string): Promise<boolean> {
    const answer = await this.ask('HEAD', objectPath(this.bucket, key));
    if (answer.status === 404) return false;
    if (answer.status !== 200) throw new Refused(answer.status, answer.body);
    const h = answer.headers;
    this.found.set(key, { key, lastModified: new Date(String(h['last-modified'])).toISOString(), etag: String(h.etag ?? ''), size: String(h['content-length'] ?? '0'), owner });
    this.unsorted = true;
    return true;
  }

  private queue(r: Range): void {
    const id = `${r.prefix}\u0000${r.marker}`;
    if (this.queued.has(id)) return;
    this.queued.add(id);
    this.pending.push(r);
  }
}

/** Walks kept for the next pages, per bucket. */
const KEPT_WALKS = 16;

/** The listings of the buckets behind one shim. */
export class Listings {
  private readonly buckets = new Map<string, BucketState>();
  constructor(private readonly ask: Ask) {}

  /** A write on `bucket` has completed (see BucketState.written). */
  written(bucket: string, created: string | null | undefined): void {
    this.buckets.get(bucket)?.written(created);
  }

  /** The answer to a listing request: the page, s3rver's refusal, or the argument S3 would refuse. */
  async answer(bucket: string, query: Readonly<Record<string, string>>): Promise<{ status: number; body: string } | { argument: string; message: string }> {
    const r = listingRequest(query);
    if ('argument' in r) return r;
    let state = this.buckets.get(bucket);
    if (!state) this.buckets.set(bucket, (state = new BucketState()));
    let walk = state.walks.get(r.prefix);
    if (!walk || walk.generation !== state.generation || s3Compare(r.start, walk.start) < 0) {
      walk = new Walk(this.ask, bucket, state, r.prefix, r.start);
      state.walks.delete(r.prefix);
      state.walks.set(r.prefix, walk);
      if (state.walks.size > KEPT_WALKS) state.walks.delete(state.walks.keys().next().value!);
    }
    try {
      let page: Page | null;
      while (!(page = pageOf(walk.keys(), walk.bound(), r, walk.more))) await walk.step();
      return { status: 200, body: listingXml(bucket, query, r, page) };
    } catch (e) {
      if (state.walks.get(r.prefix) === walk) state.walks.delete(r.prefix);
      if (e instanceof Refused) return { status: e.status, body: e.body };
      throw e;
    }
  }
}
