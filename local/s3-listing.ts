// ListObjects (v1) and ListObjectsV2 answered from s3rver's v1 listing, for two of s3rver's faults: its v2
// continuation tokens are DES-encrypted, which OpenSSL 3 refuses (a v2 listing past 1,000 keys fails), and it
// escapes listing text twice (`&` arrives as `&amp;amp;`, so a key holding `& < > ' "` or a backquote is
// listed wrong). Each page is one v1 page of s3rver's (marker = where the page starts), read, unescaped once,
// sorted in S3's key order (UTF-8 bytes) and written again; a v2 continuation token is that marker, base64.

/** The query parameters of a listing; a bucket GET with any other is a sub-resource (?cors, ?location…). */
const LISTING_PARAMS = new Set(['list-type', 'prefix', 'delimiter', 'marker', 'max-keys', 'continuation-token', 'start-after', 'fetch-owner', 'encoding-type']);

export function isListing(method: string, query: Readonly<Record<string, string>>): boolean {
  return method === 'GET' && Object.keys(query).every((k) => LISTING_PARAMS.has(k)) && (query['list-type'] ?? '2') === '2';
}

interface Listed {
  key: string;
  lastModified: string;
  etag: string;
  size: string;
  /** s3rver's <Owner> element as it wrote it (an id and a name, nothing to escape). */
  owner: string;
}

interface Page {
  contents: Listed[];
  prefixes: string[];
  truncated: boolean;
  /** Where the next page starts: s3rver's NextMarker, or the last key in its order. */
  next: string | null;
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#x27': "'", '#x60': '`' };
/** One level of entities: the XML builder's, then (called again) those of `he`, which s3rver escapes with first. */
const unescapeOnce = (s: string) => s.replace(/&(amp|lt|gt|quot|apos|#x27|#x60);/g, (_, e: string) => XML_ENTITIES[e]!);
const textOf = (s: string) => unescapeOnce(unescapeOnce(s));
const xmlText = (s: string) => s.replace(/[&<>"']/g, (c) => `&${({ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' } as const)[c as '&']};`);
const element = (name: string, value: string | number | boolean | undefined) => (value === undefined ? '' : `<${name}>${xmlText(String(value))}</${name}>`);
const field = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
const s3Order = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** s3rver's ListBucketResult (v1), read. */
export function readV1Page(xml: string): Page {
  const contents: Listed[] = [];
  for (const [, inner] of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
    const raw = field(inner!, 'Key') ?? '';
    contents.push({ key: textOf(raw), lastModified: field(inner!, 'LastModified') ?? '', etag: textOf(field(inner!, 'ETag') ?? ''), size: field(inner!, 'Size') ?? '0', owner: /<Owner>[\s\S]*?<\/Owner>/.exec(inner!)?.[0] ?? '' });
  }
  const prefixes = [...xml.matchAll(/<CommonPrefixes><Prefix>([^<]*)<\/Prefix><\/CommonPrefixes>/g)].map((m) => textOf(m[1]!));
  const truncated = field(xml, 'IsTruncated') === 'true';
  const nextMarker = field(xml, 'NextMarker');
  const next = truncated ? (nextMarker !== undefined ? textOf(nextMarker) : (contents.at(-1)?.key ?? null)) : null;
  return { contents: contents.sort((a, b) => s3Order(a.key, b.key)), prefixes: prefixes.sort(s3Order), truncated, next };
}

const contentsXml = (o: Listed, owner: boolean) =>
  `<Contents>${element('Key', o.key)}${element('LastModified', o.lastModified)}${element('ETag', o.etag)}${element('Size', o.size)}${owner ? o.owner : ''}<StorageClass>STANDARD</StorageClass></Contents>`;

/** The v1 query to ask s3rver for the page a listing request wants, or an error for a bad continuation token. */
export function v1QueryFor(query: Readonly<Record<string, string>>): Record<string, string> | { error: string } {
  let marker = query.marker;
  if (query['list-type'] === '2') {
    marker = query['start-after'];
    const token = query['continuation-token'];
    if (token !== undefined) {
      marker = Buffer.from(token, 'base64url').toString('utf8');
      if (!marker || Buffer.from(marker).toString('base64url') !== token) return { error: 'The continuation token provided is incorrect' };
    }
  }
  const v1: Record<string, string> = {};
  for (const [k, v] of Object.entries({ prefix: query.prefix, delimiter: query.delimiter, 'max-keys': query['max-keys'], marker })) if (v) v1[k] = v;
  return v1;
}

/** The answer to the listing request `query` on `bucket`, given s3rver's v1 page for it. */
export function listingXml(bucket: string, query: Readonly<Record<string, string>>, page: Page): string {
  const v2 = query['list-type'] === '2';
  const head = [element('Name', bucket), element('Prefix', query.prefix ?? '')];
  if (v2) {
    head.push(
      element('StartAfter', query['continuation-token'] === undefined ? query['start-after'] : undefined),
      element('ContinuationToken', query['continuation-token']),
      element('NextContinuationToken', page.truncated && page.next !== null ? Buffer.from(page.next).toString('base64url') : undefined),
      element('KeyCount', page.contents.length + page.prefixes.length),
    );
  } else {
    head.push(element('Marker', query.marker ?? ''), element('NextMarker', query.delimiter && page.truncated ? (page.next ?? undefined) : undefined));
  }
  head.push(element('MaxKeys', query['max-keys'] ?? 1000), element('Delimiter', query.delimiter || undefined), element('IsTruncated', page.truncated));
  const owner = !v2 || query['fetch-owner'] === 'true';
  const body = page.contents.map((o) => contentsXml(o, owner)).join('') + page.prefixes.map((p) => `<CommonPrefixes>${element('Prefix', p)}</CommonPrefixes>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${head.join('')}${body}</ListBucketResult>`;
}
