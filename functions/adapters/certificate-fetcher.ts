// Fetches SNS signing certificates over HTTPS: bounded in time and size, no redirects.
import type { CertificateFetcher } from '../pipeline/sns-verifier.ts';

export interface CertificateFetcherOptions {
  timeoutMs?: number;
  /** SNS's certificates are about 2 KB; anything far larger is not one. */
  maxBytes?: number;
  /** Fetch the same path from this origin instead (tests serve their certificate on a local port). */
  origin?: string;
}

export function createCertificateFetcher(options: CertificateFetcherOptions = {}): CertificateFetcher {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const maxBytes = options.maxBytes ?? 65_536;
  return async (url) => {
    const target = options.origin ? new URL(url.pathname, options.origin) : url;
    const res = await fetch(target, { redirect: 'error', signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok || !res.body) throw new Error(`signing certificate ${url.href}: HTTP ${res.status}`);
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += chunk.byteLength;
      if (size > maxBytes) throw new Error(`signing certificate ${url.href}: larger than ${maxBytes} bytes`);
      chunks.push(chunk);
    }
    return Buffer.concat(chunks).toString('utf8');
  };
}
