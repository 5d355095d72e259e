// Decides whether an SNS message is authentic: from the expected topic, signed with the certificate at a
// trusted SNS URL. The certificate comes through a port (HTTPS in AWS, a local server in tests) and is kept
// per URL for the life of the instance, so a warm function fetches each of SNS's certificates once.
import type { X509Certificate } from 'node:crypto';
import type { Clock } from '../core/ports.ts';
import { signatureMatches, signingCertificate, trustedCertificateUrl, type Parsed, type SnsMessage } from '../core/sns-message.ts';

/** Fetches a PEM certificate from a trusted https URL; rejects on any network or HTTP failure. */
export type CertificateFetcher = (url: URL) => Promise<string>;

export interface SnsVerifierOptions {
  fetchCertificate: CertificateFetcher;
  clock: Clock;
  /** Only messages of these topics are accepted; empty or unset: any topic. */
  topicArns?: readonly string[] | undefined;
}

export interface SnsVerifier {
  /** ok, or why the message is refused. Throws only when the certificate cannot be fetched (worth a retry). */
  verify(message: SnsMessage): Promise<Parsed<SnsMessage>>;
}

export function createSnsVerifier(options: SnsVerifierOptions): SnsVerifier {
  const certificates = new Map<string, Promise<string>>();
  const fetchOnce = (url: URL): Promise<string> => {
    const key = url.href;
    let pending = certificates.get(key);
    if (!pending) {
      pending = options.fetchCertificate(url);
      certificates.set(key, pending);
      // A failed fetch is not remembered: the next message tries again.
      pending.catch(() => certificates.delete(key));
    }
    return pending;
  };
  const topics = options.topicArns?.filter(Boolean) ?? [];
  return {
    async verify(message) {
      if (topics.length > 0 && !topics.includes(message.topicArn)) return { ok: false, reason: `unexpected topic ${message.topicArn}` };
      const url = trustedCertificateUrl(message.signingCertUrl);
      if (!url.ok) return url;
      const cert: Parsed<X509Certificate> = signingCertificate(await fetchOnce(url.value), options.clock.now());
      if (!cert.ok) return cert;
      return signatureMatches(message, cert.value) ? { ok: true, value: message } : { ok: false, reason: 'signature does not match' };
    },
  };
}
