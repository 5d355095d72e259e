// SES feedback through the feedback handler: AWS's sample events in SNS envelopes signed with a key and
// certificate made here, the certificate served over real HTTP, the subscribers in the embedded S3.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { SNSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateFetcher } from '../functions/adapters/certificate-fetcher.ts';
import { S3ObjectStore } from '../functions/adapters/s3-store.ts';
import { subscriberId } from '../functions/core/email.ts';
import { createFeedbackHandler } from '../functions/feedback/handler.ts';
import type { FeedbackOutcome } from '../functions/pipeline/feedback.ts';
import { createSubscriber, getSubscriberByAddress, subscriberKey } from '../functions/pipeline/subscribers.ts';
import { createRuntime, lazy } from '../functions/runtime.ts';
import { startEmbeddedS3, type EmbeddedS3 } from '../local/embedded-s3.ts';
import { lineSink, metricsLines } from './log-lines.ts';
import { CERT_URL, TOPIC_ARN, certificateServer, signedSns, signingKey, snsEvent, type EnvelopeOptions, type SigningKey } from './sns-signing.ts';

const FIXTURES = path.resolve(import.meta.dirname, 'fixtures', 'ses');
const T0 = new Date('2026-12-01T08:00:00Z');

/** An AWS sample event, its recipient replaced, its bounce or complaint time moved when asked. */
function sesEvent(name: string, address: string, timestamp?: string): string {
  const event = JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8').replaceAll('recipient@example.com', address)) as Record<string, Record<string, unknown>>;
  if (timestamp) for (const part of ['bounce', 'complaint', 'delivery']) if (event[part]) event[part].timestamp = timestamp;
  return JSON.stringify(event);
}

describe('the feedback handler', () => {
  let s3: EmbeddedS3;
  let store: S3ObjectStore;
  let certs: Awaited<ReturnType<typeof certificateServer>>;
  let key: SigningKey;
  let dir = '';
  const sink = lineSink();
  const makeHandler = () =>
    createFeedbackHandler(
      lazy(() =>
        createRuntime(
          { BUCKET: 'feedback', S3_ENDPOINT: s3.endpoint, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', LOG_LEVEL: 'debug', FEEDBACK_TOPIC_ARN: TOPIC_ARN },
          { logStream: sink.stream },
        ),
      ),
      { fetchCertificate: createCertificateFetcher({ origin: certs.origin }) },
    );
  let handler: ReturnType<typeof createFeedbackHandler>;
  const deliver = async (sns: Record<string, unknown>): Promise<FeedbackOutcome> => {
    const outcomes = await handler(snsEvent(sns) as unknown as SNSEvent);
    expect(outcomes).toHaveLength(1);
    return outcomes[0]!;
  };
  const subscribe = async (address: string) => (await createSubscriber(store, { email: address, status: 'active', at: T0 })).record;
  const status = async (address: string) => (await getSubscriberByAddress(store, address))?.status;
  const stored = async (address: string) => new TextDecoder().decode((await store.get(subscriberKey(subscriberId(address))))!.body);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'newsdigest-feedback-'));
    s3 = await startEmbeddedS3({ directory: dir });
    await s3.createBucket('feedback');
    store = new S3ObjectStore(s3.client, 'feedback');
    key = signingKey();
    certs = await certificateServer(() => key.certificatePem);
    handler = makeHandler();
  });
  afterAll(async () => {
    await certs?.close();
    await s3?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a hard bounce suppresses; the same notification again changes nothing more', async () => {
    await subscribe('hard@example.org');
    const sns = signedSns(key, sesEvent('bounce-permanent', 'hard@example.org'));
    expect(await deliver(sns)).toMatchObject({ status: 'applied', eventType: 'Bounce', changed: 1, unchanged: 0 });
    const record = await getSubscriberByAddress(store, 'hard@example.org');
    expect(record).toMatchObject({ status: 'suppressed', bounces: [{ kind: 'hard', at: '2017-08-05T00:41:02.669Z' }] });
    expect(record!.bounces[0]!.detail).toContain('550 5.1.1 user unknown');
    const before = await stored('hard@example.org');
    expect(await deliver(sns)).toMatchObject({ status: 'applied', changed: 0, unchanged: 1 });
    expect(await stored('hard@example.org')).toBe(before);
  });

  it('a complaint unsubscribes', async () => {
    await subscribe('complains@example.org');
    expect(await deliver(signedSns(key, sesEvent('complaint', 'complains@example.org')))).toMatchObject({ status: 'applied', eventType: 'Complaint', changed: 1 });
    expect(await status('complains@example.org')).toBe('unsubscribed');
  });

  it('three soft bounces in a row suppress; a redelivered one is not counted twice, a delivery resets the count', async () => {
    await subscribe('full@example.org');
    const soft = (minute: number) => signedSns(key, sesEvent('bounce-transient', 'full@example.org', `2026-12-0${minute}T07:00:00.000Z`));
    const second = soft(2);
    await deliver(soft(1));
    await deliver(second);
    expect(await deliver(second)).toMatchObject({ changed: 0, unchanged: 1 });
    expect(await getSubscriberByAddress(store, 'full@example.org')).toMatchObject({ status: 'active', softBounces: 2 });
    await deliver(soft(3));
    expect(await status('full@example.org')).toBe('suppressed');

    await subscribe('flaky@example.org');
    const flaky = (day: number) => signedSns(key, sesEvent('bounce-transient', 'flaky@example.org', `2026-12-0${day}T07:00:00.000Z`));
    await deliver(flaky(1));
    await deliver(flaky(2));
    expect(await deliver(signedSns(key, sesEvent('delivery', 'flaky@example.org')))).toMatchObject({ eventType: 'Delivery', changed: 1 });
    await deliver(flaky(3));
    expect(await getSubscriberByAddress(store, 'flaky@example.org')).toMatchObject({ status: 'active', softBounces: 1 });
  });

  it('accepts SignatureVersion 1 (SHA1withRSA) as well as 2', async () => {
    await subscribe('v1@example.org');
    expect(await deliver(signedSns(key, sesEvent('bounce-permanent', 'v1@example.org'), { version: '1', subject: 'Amazon SES Email Event Notification' }))).toMatchObject({ status: 'applied', changed: 1 });
    expect(await status('v1@example.org')).toBe('suppressed');
  });

  it('refuses forged messages (changed body, wrong key, untrusted certificate URL, another topic), logs and counts them, changes nothing', async () => {
    await subscribe('target@example.org');
    const before = await stored('target@example.org');
    const genuine = signedSns(key, sesEvent('complaint', 'someone@example.org'));
    const forgedBody = { ...genuine, Message: sesEvent('complaint', 'target@example.org') };
    const wrongKey = signedSns(signingKey(), sesEvent('complaint', 'target@example.org'));
    const bounce = sesEvent('bounce-permanent', 'target@example.org');
    const untrusted = (certUrl: string) => signedSns(key, bounce, { certUrl });
    const fetched = certs.requests.length;
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [forgedBody, /signature does not match/],
      [wrongKey, /signature does not match/],
      [{ ...genuine, Subject: 'added after signing' }, /signature does not match/],
      [untrusted('http://sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem'), /not https/],
      [untrusted('https://sns.us-east-1.amazonaws.com.evil.example/SimpleNotificationService-1.pem'), /host is not SNS/],
      [untrusted('https://evil.example/sns.us-east-1.amazonaws.com/x.pem'), /host is not SNS/],
      [untrusted('https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-1.pem'), /host is not SNS/],
      [untrusted('https://sns.us-east-1.amazonaws.com/cert.txt'), /not a \.pem path/],
      [signedSns(key, bounce, { topicArn: 'arn:aws:sns:us-east-1:999999999999:someone-elses' }), /unexpected topic/],
      [{ ...signedSns(key, bounce), SignatureVersion: '3' }, /not an SNS message/],
    ];
    const start = sink.lines.length;
    for (const [sns, reason] of cases) {
      const outcome = await deliver(sns);
      expect(outcome.status).toBe('refused');
      expect(outcome.status === 'refused' && outcome.reason).toMatch(reason);
    }
    expect(await stored('target@example.org')).toBe(before);
    // An untrusted URL is never fetched, nor is a trusted one a second time (cached for the instance).
    expect(certs.requests.length).toBe(fetched);
    const lines = sink.lines.slice(start);
    expect(lines.filter((l) => l.message === 'feedback' && l.status === 'refused' && l.level === 'WARN')).toHaveLength(cases.length);
    const refused = metricsLines(lines).reduce((n, m) => n + Number(m.FeedbackRefused ?? 0), 0);
    expect(refused).toBe(cases.length);
  });

  it('fetches each certificate once per instance, over HTTP through the fetcher port', async () => {
    const fresh = makeHandler();
    const fetched = certs.requests.length;
    await subscribe('twice@example.org');
    const outcomes = await fresh(snsEvent(signedSns(key, sesEvent('delivery', 'twice@example.org')), signedSns(key, sesEvent('complaint', 'twice@example.org'))) as unknown as SNSEvent);
    expect(outcomes.map((o) => o.status)).toEqual(['applied', 'applied']);
    expect(certs.requests.slice(fetched)).toEqual([new URL(CERT_URL).pathname]);
  });

  it('fails the invocation (so Lambda retries it) when the certificate cannot be fetched, and does not remember the failure', async () => {
    const real = createCertificateFetcher({ origin: certs.origin });
    const unreachable = createCertificateFetcher({ origin: 'http://127.0.0.1:9', timeoutMs: 2_000 });
    const tooLarge = createCertificateFetcher({ origin: certs.origin, maxBytes: 100 });
    let fetcher = unreachable;
    const flaky = createFeedbackHandler(
      lazy(() => createRuntime({ BUCKET: 'feedback', S3_ENDPOINT: s3.endpoint, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', LOG_LEVEL: 'silent' })),
      { fetchCertificate: (url) => fetcher(url) },
    );
    await subscribe('retried@example.org');
    const event = snsEvent(signedSns(key, sesEvent('complaint', 'retried@example.org'))) as unknown as SNSEvent;
    await expect(flaky(event)).rejects.toThrow(/fetch failed/);
    fetcher = tooLarge;
    await expect(flaky(event)).rejects.toThrow(/larger than 100 bytes/);
    expect(await status('retried@example.org')).toBe('active');
    fetcher = real;
    expect(await flaky(event)).toMatchObject([{ status: 'applied', changed: 1 }]);
    expect(await status('retried@example.org')).toBe('unsubscribed');
  });

  it('subscription messages: a valid one is ignored (the stack manages the subscription), a forged one refused', async () => {
    const options: EnvelopeOptions = { type: 'SubscriptionConfirmation' };
    const valid = signedSns(key, 'You have chosen to subscribe to the topic', options);
    expect(await deliver(valid)).toMatchObject({ status: 'ignored', reason: expect.stringMatching(/SubscriptionConfirmation/) });
    expect(await deliver({ ...valid, Token: 'another-token' })).toMatchObject({ status: 'refused', reason: 'signature does not match' });
    const unsub = signedSns(key, 'You have chosen to deactivate subscription', { type: 'UnsubscribeConfirmation' });
    expect(await deliver(unsub)).toMatchObject({ status: 'ignored' });
  });

  it('ignores events that change no subscriber, and addresses it does not know', async () => {
    await subscribe('rejected@example.org');
    const before = await stored('rejected@example.org');
    expect(await deliver(signedSns(key, sesEvent('reject', 'rejected@example.org')))).toMatchObject({ status: 'ignored', reason: 'SES Reject event' });
    expect(await stored('rejected@example.org')).toBe(before);
    expect(await deliver(signedSns(key, sesEvent('bounce-permanent', 'nobody@example.org')))).toMatchObject({ status: 'applied', changed: 0, unknown: 1 });
    expect(await store.get(subscriberKey(subscriberId('nobody@example.org')))).toBeNull();
    expect(await deliver(signedSns(key, 'not json'))).toMatchObject({ status: 'ignored', reason: 'the notification is not JSON' });
  });

  it('refuses what is not an SNS event at all', async () => {
    expect(await handler({ Records: [] } as unknown as SNSEvent)).toEqual([]);
    expect(await handler({ Records: [{ Sns: { Type: 'Notification', Message: 'x'.repeat(300_000) } }] } as unknown as SNSEvent)).toMatchObject([{ status: 'refused' }]);
  });
});
