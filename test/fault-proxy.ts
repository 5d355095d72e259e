// A failing HTTP proxy in front of the embedded S3: answers chosen requests with 503 SlowDown, 500,
// a connection reset or silence, and forwards the rest. Faults a real server will not produce on demand.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault = 'pass' | 'slowdown' | 'internal' | 'reset' | 'hang';

export interface FaultProxy {
  endpoint: string;
  /** Decides the fate of each request, given its method, path and the count of requests seen so far. */
  rule: (req: { method: string; path: string; n: number }) => Fault;
  seen: Array<{ method: string; path: string; fault: Fault }>;
  close(): Promise<void>;
}

const errorBody = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>FAULT</RequestId></Error>`;

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const hung = new Set<http.ServerResponse>();
  const proxy: FaultProxy = {
    endpoint: '',
    rule: () => 'pass',
    seen: [],
    close: async () => {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const server = http.createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const fault = proxy.rule({ method, path, n: proxy.seen.length });
    proxy.seen.push({ method, path, fault });
    const reply = (status: number, code: string, message: string) => {
      req.resume();
      res.writeHead(status, { 'content-type': 'application/xml' }).end(errorBody(code, message));
    };
    switch (fault) {
      case 'slowdown':
        return reply(503, 'SlowDown', 'Please reduce your request rate.');
      case 'internal':
        return reply(500, 'InternalError', 'We encountered an internal error. Please try again.');
      case 'reset':
        req.resume();
        return req.socket.destroy();
      case 'hang':
        req.resume();
        hung.add(res);
        return;
      case 'pass': {
        const forward = http.request(
          { host: upstream.hostname, port: upstream.port, method, path, headers: req.headers },
          (up) => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            up.pipe(res);
          },
        );
        forward.on('error', () => res.destroy());
        req.pipe(forward);
      }
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  proxy.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
