// The load run's uploader: one SigV4-signed HTTP PUT per file over keep-alive connections, as a newsroom's
// upload tool (curl, rclone, a CMS) sends them. Uploaders run on other machines in production; on this
// 2-core box their CPU competes with the pipeline, and the full SDK client spends ~0.75 ms of CPU per
// PutObject against ~0.15 ms here. The signature is the SDK's own signer, so the embedded S3 verifies
// every upload as it verifies the handlers' requests. `--sdk-uploads` on `bench:load` uses the SDK instead.
import http from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../local/s3-signature.ts';

export interface SignedPutClient {
  /** PUT `body` at `bucket/key`; rejects on anything but a 2xx answer. */
  put(bucket: string, key: string, body: Uint8Array): Promise<void>;
  close(): void;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** S3 path-style object path: each key segment escaped as RFC 3986 wants (what S3 and the signer expect). */
export function objectPath(bucket: string, key: string): string {
  const escape = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `/${escape(bucket)}/${key.split('/').map(escape).join('/')}`;
}

/**
 * Sends one SigV4-signed request to an S3 endpoint over plain HTTP and collects the answer, whatever its status.
 * `path` is already escaped (see objectPath); `query` values are signed and sent as given.
 */
export function signedRequester(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }, region = 'us-east-1') {
  const url = new URL(endpoint);
  if (url.protocol !== 'http:') throw new Error(`signed requests here speak plain HTTP only (the embedded S3), not ${url.protocol}`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const signer = new SignatureV4({ credentials, region, service: 's3', sha256: NodeSha256, uriEscapePath: false });
  const port = Number(url.port || 80);
  const send = async (method: string, path: string, options: { headers?: Record<string, string>; body?: Uint8Array; query?: Record<string, string> } = {}): Promise<RawResponse> => {
    const body = options.body;
    const query = options.query ?? {};
    const headers: Record<string, string> = { host: url.host, ...options.headers };
    if (body) headers['content-length'] = String(body.byteLength);
    const signed = await signer.sign({ method, protocol: 'http:', hostname: url.hostname, port, path, query, headers, body });
    const search = new URLSearchParams(query).toString();
    return new Promise<RawResponse>((resolve, reject) => {
      const req = http.request({ agent, hostname: url.hostname, port, method, path: search ? `${path}?${search}` : path, headers: signed.headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  };
  return { send, close: () => agent.destroy() };
}

export function signedPutClient(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }, region = 'us-east-1'): SignedPutClient {
  const requester = signedRequester(endpoint, credentials, region);
  return {
    async put(bucket, key, body) {
      const res = await requester.send('PUT', objectPath(bucket, key), { body, headers: { 'content-type': 'application/octet-stream' } });
      if (res.status < 200 || res.status >= 300) throw new Error(`PUT ${key}: HTTP ${res.status} ${res.body.toString('utf8').slice(0, 300)}`);
    },
    close: requester.close,
  };
}
