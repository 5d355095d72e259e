// SigV4 header signatures checked as S3 checks them: the request is signed again with the SDK's own signer
// (@smithy/signature-v4) over the headers the client signed, and the two signatures compared.
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Checksum, SourceData } from '@smithy/types';

/** node:crypto's SHA-256 (and HMAC-SHA-256 with a secret) in the shape the signer hashes with. */
export class NodeSha256 implements Checksum {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(this.secret));
  }
  update(data: Uint8Array | string): void {
    this.hash.update(typeof data === 'string' ? Buffer.from(data) : data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

function toBytes(data: SourceData): Uint8Array {
  if (typeof data === 'string') return Buffer.from(data);
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

export type SignatureCheck =
  /** No Authorization header: anonymous, or signed in the query string (presigned); s3rver judges those. */
  | { kind: 'not-header-signed' }
  | { kind: 'valid' }
  | { kind: 'refused'; status: number; code: string; message: string };

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;
/** S3's allowed clock skew. */
const MAX_SKEW_MS = 15 * 60 * 1000;

/** Query parameters as the signer takes them: decoded, repeated names as lists. */
function queryOf(search: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const part of search.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const name = decodeURIComponent(eq === -1 ? part : part.slice(0, eq));
    const value = eq === -1 ? '' : decodeURIComponent(part.slice(eq + 1));
    const seen = query[name];
    query[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return query;
}

/** `20260101T120000Z` as a Date, or null. */
function amzDate(value: string | undefined): Date | null {
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(value ?? '');
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : null;
}

/** Checks header-signed requests against `secrets` (access key id → secret access key). */
export function signatureChecker(secrets: Readonly<Record<string, string>>) {
  const signers = new Map<string, SignatureV4>();
  const signerFor = (accessKeyId: string, secretAccessKey: string) => {
    let signer = signers.get(accessKeyId);
    if (!signer) {
      // The payload hash is the client's x-amz-content-sha256 header, as S3 takes it; the path is signed as sent.
      signer = new SignatureV4({ credentials: { accessKeyId, secretAccessKey }, region: 'us-east-1', service: 's3', sha256: NodeSha256, uriEscapePath: false, applyChecksum: false });
      signers.set(accessKeyId, signer);
    }
    return signer;
  };
  const refused = (code: string, message: string): SignatureCheck => ({ kind: 'refused', status: 403, code, message });

  return async (method: string, url: string, headers: IncomingHttpHeaders): Promise<SignatureCheck> => {
    const authorization = headers.authorization;
    if (authorization === undefined) return { kind: 'not-header-signed' };
    const m = AUTHORIZATION.exec(authorization);
    if (!m) return { kind: 'refused', status: 400, code: 'AuthorizationHeaderMalformed', message: 'The authorization header is malformed.' };
    const [, accessKeyId, , region, service, signedList, provided] = m as unknown as string[];
    const secret = secrets[accessKeyId!];
    if (secret === undefined) return refused('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
    const signingDate = amzDate(headers['x-amz-date'] as string | undefined);
    if (!signingDate) return refused('AccessDenied', 'AWS authentication requires a valid x-amz-date header.');
    if (Math.abs(Date.now() - signingDate.getTime()) > MAX_SKEW_MS) return refused('RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.');
    const signed = signedList!.split(';');
    const signedHeaders: Record<string, string> = {};
    for (const name of signed) {
      const value = headers[name];
      if (value === undefined) return refused('SignatureDoesNotMatch', `The signed header ${name} is missing.`);
      signedHeaders[name] = Array.isArray(value) ? value.join(',') : value;
    }
    const q = url.indexOf('?');
    let expected: string;
    try {
      const path = q === -1 ? url : url.slice(0, q);
      const request = { method, protocol: 'http:', hostname: 'localhost', path, query: q === -1 ? {} : queryOf(url.slice(q + 1)), headers: signedHeaders };
      const again = await signerFor(accessKeyId!, secret).sign(request, { signingDate, signingRegion: region, signingService: service, signableHeaders: new Set(signed) });
      expected = /Signature=([0-9a-f]{64})/.exec(String(again.headers.authorization))?.[1] ?? '';
    } catch {
      return refused('SignatureDoesNotMatch', 'The request could not be signed again (malformed path or query).');
    }
    if (expected !== provided) {
      return refused('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
    }
    return { kind: 'valid' };
  };
}
