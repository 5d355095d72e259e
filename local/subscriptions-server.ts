// The subscriptions Lambda on a local port: each HTTP request becomes the payload-2.0 event API Gateway's HTTP
// API sends, and the real handler answers it. Used by `newsdigest dev` and by the end-to-end tests.
import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { generateKeyText, parseKey } from '../functions/core/token.ts';
import { MAX_FORM_BYTES } from '../functions/core/subscription-forms.ts';
import { createRuntime, lazy } from '../functions/runtime.ts';
import { createSubscriptionsHandler } from '../functions/subscriptions/handler.ts';

/** The local signing key: generated once into the data folder (readable by its owner only), then reused. */
export function ensureLocalTokenKey(dataDir: string): string {
  const file = path.join(dataDir, 'token-key');
  if (existsSync(file)) {
    parseKey(readFileSync(file, 'utf8'));
    return file;
  }
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${generateKeyText()}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return file;
}

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_FORM_BYTES) return null;
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

function toEvent(req: IncomingMessage, body: Buffer): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://local');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  const method = (req.method ?? 'GET').toUpperCase();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    requestContext: {
      accountId: '123456789012', apiId: 'local', domainName: 'localhost', domainPrefix: 'localhost', requestId: randomUUID(), routeKey: '$default', stage: '$default',
      time: new Date().toUTCString(), timeEpoch: Date.now(),
      http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
    },
    ...(body.length ? { body: body.toString('base64'), isBase64Encoded: true } : { isBase64Encoded: false }),
  };
}

export interface SubscriptionsServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * Listens first (so the URL is known), then serves the handler with SUBSCRIPTIONS_URL set to that URL. `env`
 * may be a function: read at the first request (dev starts this before the pipeline whose bucket it serves).
 */
export async function startSubscriptionsServer(env: NodeJS.ProcessEnv | (() => NodeJS.ProcessEnv), options: { port?: number; host?: string; publicUrl?: string } = {}): Promise<SubscriptionsServer> {
  const host = options.host ?? '127.0.0.1';
  let handle: ReturnType<typeof createSubscriptionsHandler> | undefined;
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      if (!body) return res.writeHead(413, { 'Content-Type': 'text/plain' }).end('Too large\n');
      const out = await handle!(toEvent(req, body));
      res.writeHead(out.statusCode ?? 200, out.headers as Record<string, string>).end(out.body ?? '');
    })().catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`Internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(options.port ?? 0, host, () => resolve()));
  const url = options.publicUrl ?? `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${(server.address() as AddressInfo).port}`;
  handle = createSubscriptionsHandler(lazy(() => createRuntime({ ...(typeof env === 'function' ? env() : env), SUBSCRIPTIONS_URL: url })));
  return { url, server, close: () => new Promise<void>((r) => server.close(() => r())) };
}
