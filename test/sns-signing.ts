// Test plumbing for SNS: a signing key with a self-signed certificate (real RSA, real X.509), a local HTTP
// server that serves the certificate, and envelopes signed as SNS signs them (SignatureVersion 1 or 2).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { canonicalString, type SnsMessage } from '../functions/core/sns-message.ts';

export interface SigningKey {
  privateKey: KeyObject;
  certificatePem: string;
}

export function signingKey(commonName = 'sns.us-east-1.amazonaws.com'): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 86_400_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  const name = [{ name: 'commonName', value: commonName }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.sign(forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()), forge.md.sha256.create());
  return { privateKey, certificatePem: forge.pki.certificateToPem(cert) };
}

/** Serves `pem` at every path; counts the requests. */
export async function certificateServer(pem: () => string): Promise<{ origin: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(pem());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { origin: `http://127.0.0.1:${port}`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:newsdigest-ses-feedback';
export const CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem';

export interface EnvelopeOptions {
  type?: SnsMessage['type'];
  version?: '1' | '2';
  certUrl?: string;
  topicArn?: string;
  subject?: string | null;
  timestamp?: string;
}

/** A signed SNS message in the shape Lambda hands over (Records[].Sns: SigningCertUrl, UnsubscribeUrl). */
export function signedSns(key: SigningKey, message: string, o: EnvelopeOptions = {}): Record<string, unknown> {
  const type = o.type ?? 'Notification';
  const m: SnsMessage = {
    type,
    messageId: randomUUID(),
    topicArn: o.topicArn ?? TOPIC_ARN,
    subject: o.subject === undefined ? null : o.subject,
    message,
    timestamp: o.timestamp ?? '2026-12-07T07:01:02.345Z',
    signatureVersion: o.version ?? '2',
    signature: '',
    signingCertUrl: o.certUrl ?? CERT_URL,
    subscribeUrl: type === 'Notification' ? null : `https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC_ARN}&Token=t0k3n`,
    token: type === 'Notification' ? null : 't0k3n',
  };
  const signature = sign(m.signatureVersion === '1' ? 'sha1' : 'sha256', Buffer.from(canonicalString(m), 'utf8'), key.privateKey).toString('base64');
  return {
    Type: m.type,
    MessageId: m.messageId,
    TopicArn: m.topicArn,
    Subject: m.subject,
    Message: m.message,
    Timestamp: m.timestamp,
    SignatureVersion: m.signatureVersion,
    Signature: signature,
    SigningCertUrl: m.signingCertUrl,
    UnsubscribeUrl: `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${m.topicArn}:1`,
    MessageAttributes: {},
    ...(m.subscribeUrl ? { SubscribeURL: m.subscribeUrl, Token: m.token } : {}),
  };
}

/** The event Lambda receives from an SNS subscription. */
export function snsEvent(...records: Array<Record<string, unknown>>) {
  return {
    Records: records.map((Sns) => ({
      EventVersion: '1.0',
      EventSubscriptionArn: `${TOPIC_ARN}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55`,
      EventSource: 'aws:sns',
      Sns,
    })),
  };
}
