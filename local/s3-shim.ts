// The embedded S3's front: an HTTP server on the public port that hands each request to s3rver (listening on a
// loopback port of its own, used only through its HTTP API) and adds what S3 does and s3rver does not:
//
// - Signatures as S3 checks them. s3rver computes the canonical path of `/bucket/` (how the SDK addresses
//   bucket-level calls path-style) as `/bucket` and refuses the SDK's listings. The shim checks SigV4 header
//   signatures itself with the SDK's signer (s3-signature.ts) and forwards checked requests without their
//   signature; anonymous and presigned requests go to s3rver as they came, for it to judge.
// - Atomic PUTs: s3rver writes a file in place, so a read during a write sees half an object. Requests on one
//   object key take turns here, as S3's atomic PUT guarantees; bucket-level requests run freely.
// - Conditional writes: a PUT with `If-None-Match: *` or `If-Match: <etag>` (which s3rver ignores) is checked,
//   inside the key's turn, against the object's ETag (a HEAD to s3rver), and refused with 412 (404 for
//   `If-Match` on a missing key), as S3 refuses it.
// - Streamed uploads (`Content-Encoding: aws-chunked`, the SDK's default for bodies of unknown length, with a
//   checksum trailer) are unwrapped to the object's bytes (aws-chunked.ts); s3rver would store the framing.
// - Listings (v1 and v2) in S3's key order, page for page (s3-listing.ts): s3rver walks its folders in file-name
//   order and cuts its pages in that order, so across a page boundary it skips or repeats keys beside a folder
//   or a longer name (`2024-y` beside `2024/x`, `a` beside `a b`); with a delimiter it omits folders that hold
//   only folders; its v2 tokens use DES, which OpenSSL 3 refuses; and it escapes listing text twice. The shim
//   walks s3rver with plain v1 requests, sorts, groups and cuts the pages itself, and keeps each walk for the
//   next page until a write through the shim completes on the bucket. Writes made straight to s3rver's private
//   port (nobody should) would not be seen by the walks kept.
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { awsChunkedDecoder } from './aws-chunked.ts';
import { isListing, Listings } from './s3-listing.ts';
import { signatureChecker } from './s3-signature.ts';

export interface S3Shim {
  port: number;
  /** Requests received so far, by method and the key's first segment (`GET articles`, `PUT inbox`; `GET /` for bucket-level). */
  requests(): Record<string, number>;
  close(): Promise<void>;
}

interface Target {
  bucket: string;
  /** Null for bucket-level requests. */
  key: string | null;
  /** The query string, without `?`. */
  search: string;
  query: Record<string, string>;
}

/** Path-style `/bucket[/key]`, decoded; null for the service root or malformed escapes. */
function targetOf(url: string): Target | null {
  const q = url.indexOf('?');
  const search = q === -1 ? '' : url.slice(q + 1);
  const m = /^\/([^/]+)(?:\/(.*))?$/.exec(q === -1 ? url : url.slice(0, q));
  if (!m) return null;
  try {
    const query = Object.fromEntries(search.split('&').filter(Boolean).map((p) => {
      const eq = p.indexOf('=');
      return eq === -1 ? [decodeURIComponent(p), ''] : [decodeURIComponent(p.slice(0, eq)), decodeURIComponent(p.slice(eq + 1))];
    }));
    return { bucket: decodeURIComponent(m[1]!), key: m[2] ? decodeURIComponent(m[2]) : null, search, query };
  } catch {
    return null;
  }
}

export function s3Error(res: ServerResponse, status: number, code: string, message: string, extra: Record<string, string> = {}): void {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const fields = Object.entries(extra).map(([k, v]) => `<${k}>${esc(v)}</${k}>`).join('');
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${esc(message)}</Message>${fields}<RequestId>0</RequestId></Error>`;
  res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Headers for s3rver: without the checked signature, and for a streamed upload, those of the plain body. */
function forwardedHeaders(method: string, headers: IncomingHttpHeaders, signed: boolean): { headers: IncomingHttpHeaders; chunked: boolean } {
  const out: IncomingHttpHeaders = { ...headers };
  delete out.expect; // the body is forwarded as it arrives
  if (method === 'PUT') {
    // Checked here (conditionFails); s3rver's conditions are for reads.
    delete out['if-none-match'];
    delete out['if-match'];
  }
  if (signed) delete out.authorization;
  const encodings = (headers['content-encoding'] ?? '').split(',').map((e) => e.trim()).filter(Boolean);
  const chunked = encodings.includes('aws-chunked');
  if (chunked) {
    const rest = encodings.filter((e) => e !== 'aws-chunked');
    if (rest.length) out['content-encoding'] = rest.join(', ');
    else delete out['content-encoding'];
    const length = headers['x-amz-decoded-content-length'];
    if (typeof length === 'string') out['content-length'] = length;
    else delete out['content-length'];
    delete out['transfer-encoding'];
    for (const h of ['x-amz-decoded-content-length', 'x-amz-trailer', 'x-amz-content-sha256']) delete out[h];
  }
  return { headers: out, chunked };
}

/** s3rver on its loopback port: requests forwarded to it, and the shim's own (anonymous: s3rver serves those). */
class Upstream {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  constructor(private readonly port: number) {}

  /**
   * One request to s3rver, its answer piped to `res`; resolves when `res` is done and s3rver has answered (a
   * client gone early does not end a write early: what follows it on the key, and the listings, wait for it).
   */
  forward(req: IncomingMessage, res: ServerResponse, path: string, headers: IncomingHttpHeaders, body: Readable): Promise<void> {
    return new Promise<void>((resolve) => {
      const up = http.request({ hostname: '127.0.0.1', port: this.port, agent: this.agent, method: req.method, path, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      up.on('error', () => res.destroy());
      let open = 2;
      const closed = () => --open === 0 && resolve();
      res.once('close', closed);
      up.once('close', closed);
      body.on('error', () => up.destroy());
      body.pipe(up);
    });
  }

  /** A request of the shim's own, its answer read whole. */
  ask(method: string, path: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
    return new Promise((resolve, reject) => {
      http.request({ hostname: '127.0.0.1', port: this.port, agent: this.agent, method, path }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c)).on('error', reject);
        answer.on('end', () => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks).toString('utf8') }));
      }).on('error', reject).end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

type Refusal = [status: number, code: string, message: string, extra: Record<string, string>];

/** The 412 (or 404) S3 answers a conditional PUT with when its condition fails, or null to go ahead. */
async function conditionFails(upstream: Upstream, req: IncomingMessage, path: string): Promise<Refusal | null> {
  const noneMatch = req.headers['if-none-match']?.trim();
  const match = req.headers['if-match']?.trim();
  if (req.method !== 'PUT' || req.headers['x-amz-copy-source'] || (noneMatch === undefined && match === undefined)) return null;
  const head = await upstream.ask('HEAD', path);
  const etag = head.status === 200 ? String(head.headers.etag ?? '') : null;
  const failed = 'At least one of the pre-conditions you specified did not hold';
  if (noneMatch === '*' && etag !== null) return [412, 'PreconditionFailed', failed, { Condition: 'If-None-Match' }];
  if (match !== undefined && etag === null) return [404, 'NoSuchKey', 'The specified key does not exist.', {}];
  const bare = (e: string) => e.replace(/^W\//, '').replace(/"/g, '');
  if (match !== undefined && match !== '*' && bare(match) !== bare(etag!)) return [412, 'PreconditionFailed', failed, { Condition: 'If-Match' }];
  return null;
}

/** A listing, made from s3rver's (see s3-listing.ts). */
async function answerListing(listings: Listings, res: ServerResponse, t: Target): Promise<void> {
  const answer = await listings.answer(t.bucket, t.query);
  if ('argument' in answer) return s3Error(res, 400, 'InvalidArgument', answer.message, { ArgumentName: answer.argument });
  res.writeHead(answer.status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(answer.body) });
  res.end(answer.body);
}

/** Runs each request on one object key after the previous one has been answered. */
function keyTurns(): (name: string, run: () => Promise<void>) => Promise<void> {
  const tails = new Map<string, Promise<void>>();
  return (name, run) => {
    const tail = (tails.get(name) ?? Promise.resolve()).then(run);
    const settled = tail.catch(() => undefined);
    tails.set(name, settled);
    void settled.then(() => {
      if (tails.get(name) === settled) tails.delete(name);
    });
    return tail;
  };
}

export async function startS3Shim(options: { upstreamPort: number; address: string; port: number; secrets: Readonly<Record<string, string>> }): Promise<S3Shim> {
  const upstream = new Upstream(options.upstreamPort);
  const checkSignature = signatureChecker(options.secrets);
  const inTurn = keyTurns();
  const listings = new Listings((method, path) => upstream.ask(method, path));

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = req.url ?? '/';
    const check = await checkSignature(req.method ?? 'GET', url, req.headers);
    if (check.kind === 'refused') {
      req.resume();
      return s3Error(res, check.status, check.code, check.message);
    }
    const t = targetOf(url);
    const { headers, chunked } = forwardedHeaders(req.method ?? 'GET', req.headers, check.kind === 'valid');
    const body: Readable = chunked ? req.pipe(awsChunkedDecoder()) : req;
    if (t === null) return upstream.forward(req, res, url, headers, body);
    if (t.key === null) {
      if (isListing(req.method ?? 'GET', t.query)) {
        req.resume();
        return answerListing(listings, res, t);
      }
      // `/bucket/` and `/bucket` are one resource to S3; s3rver routes the latter.
      return upstream.forward(req, res, `/${encodeURIComponent(t.bucket)}${t.search ? `?${t.search}` : ''}`, headers, body);
    }
    const path = url.split('?')[0]!;
    return inTurn(`${t.bucket}/${t.key}`, async () => {
      const refusal = await conditionFails(upstream, req, path);
      if (!refusal) return upstream.forward(req, res, url, headers, body);
      body.resume(); // read and dropped, so the connection stays usable
      s3Error(res, ...refusal);
    });
  };

  const requests = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const t = targetOf(req.url ?? '/');
    const kind = `${req.method} ${t?.key ? t.key.split('/')[0] : '/'}`;
    requests.set(kind, (requests.get(kind) ?? 0) + 1);
    const writes = t !== null && !['GET', 'HEAD', 'OPTIONS'].includes(req.method ?? 'GET');
    handle(req, res)
      .catch((e: unknown) => {
        if (res.headersSent) res.destroy();
        else s3Error(res, 500, 'InternalError', `embedded S3: ${e instanceof Error ? e.message : String(e)}`);
      })
      // Once s3rver has answered: the listings' walks of the bucket are out of date (a bucket-level POST may
      // create keys it names in its body; a DELETE creates none).
      .finally(() => writes && listings.written(t.bucket, req.method === 'DELETE' ? undefined : t.key));
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(options.port, options.address, () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    requests: () => Object.fromEntries(requests),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      upstream.close();
    },
  };
}
