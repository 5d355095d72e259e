// The pure parts of the feedback path: SES event JSON → per-recipient events, the SNS message schema, the
// string SNS signs and the certificate URLs trusted.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSesEvent } from '../functions/core/ses-event.ts';
import { canonicalString, parseSnsMessage, trustedCertificateUrl } from '../functions/core/sns-message.ts';

const fixture = (name: string) => JSON.parse(readFileSync(path.resolve(import.meta.dirname, 'fixtures', 'ses', `${name}.json`), 'utf8')) as Record<string, unknown>;

describe('parseSesEvent', () => {
  it('turns AWS’s sample events into one event per recipient', () => {
    expect(parseSesEvent(fixture('bounce-permanent'))).toMatchObject({
      status: 'feedback',
      eventType: 'Bounce',
      messageId: 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000',
      feedback: [{ address: 'recipient@example.com', event: { kind: 'bounce', type: 'permanent', at: new Date('2017-08-05T00:41:02.669Z'), detail: 'Permanent/General 5.1.1 smtp; 550 5.1.1 user unknown' } }],
    });
    expect(parseSesEvent(fixture('bounce-transient'))).toMatchObject({ feedback: [{ event: { kind: 'bounce', type: 'transient' } }] });
    expect(parseSesEvent(fixture('complaint'))).toMatchObject({ feedback: [{ address: 'recipient@example.com', event: { kind: 'complaint', detail: 'complaint abuse' } }] });
    expect(parseSesEvent(fixture('delivery'))).toMatchObject({ feedback: [{ event: { kind: 'delivery', at: new Date('2016-10-19T23:21:04.133Z') } }] });
    expect(parseSesEvent(fixture('reject'))).toEqual({ status: 'ignored', eventType: 'Reject', messageId: 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000' });
  });

  it('reads identity notifications (notificationType) and bracketed addresses; skips invalid ones; bounds what it keeps', () => {
    const e = fixture('bounce-permanent');
    const bounce = e.bounce as { bouncedRecipients: Array<Record<string, string>> };
    bounce.bouncedRecipients = [
      { emailAddress: '"Ann" <Ann@Example.ORG>', diagnosticCode: `smtp; 550\r\n${'x'.repeat(5_000)}` },
      { emailAddress: 'not an address' },
    ];
    const r = parseSesEvent({ notificationType: 'Bounce', bounce: e.bounce, mail: e.mail });
    expect(r).toMatchObject({ status: 'invalid' }); // the diagnostic is longer than any SES field may be
    bounce.bouncedRecipients[0]!.diagnosticCode = 'smtp; 550\r\nno such user';
    const ok = parseSesEvent({ notificationType: 'Bounce', bounce: e.bounce, mail: e.mail });
    expect(ok).toMatchObject({ status: 'feedback', invalidAddresses: 1, feedback: [{ address: 'ann@example.org', event: { detail: 'Permanent/General smtp; 550 no such user' } }] });
  });

  it('rejects malformed events', () => {
    expect(parseSesEvent({ eventType: 'Bounce', mail: { messageId: 'm' }, bounce: { bounceType: 'Permanent' } })).toMatchObject({ status: 'invalid' });
    expect(parseSesEvent({ eventType: 'Complaint', mail: { messageId: 'm' }, complaint: { complainedRecipients: Array(51).fill({ emailAddress: 'a@b.org' }), timestamp: '2026-01-01T00:00:00Z' } })).toMatchObject({ status: 'invalid' });
    expect(parseSesEvent([])).toMatchObject({ status: 'invalid' });
  });
});

describe('SNS messages', () => {
  const base = {
    Type: 'Notification',
    MessageId: 'm-1',
    TopicArn: 'arn:aws:sns:us-east-1:123456789012:t',
    Message: 'hello',
    Timestamp: '2026-12-07T07:00:00.000Z',
    SignatureVersion: '2',
    Signature: 'AAAA',
    SigningCertURL: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem',
  };

  it('signs Subject only when there is one, and the confirmation fields for confirmations', () => {
    const plain = parseSnsMessage(base);
    expect(plain.ok && canonicalString(plain.value)).toBe('Message\nhello\nMessageId\nm-1\nTimestamp\n2026-12-07T07:00:00.000Z\nTopicArn\narn:aws:sns:us-east-1:123456789012:t\nType\nNotification\n');
    const subject = parseSnsMessage({ ...base, Subject: 'S' });
    expect(subject.ok && canonicalString(subject.value)).toContain('MessageId\nm-1\nSubject\nS\nTimestamp\n');
    const confirm = parseSnsMessage({ ...base, Type: 'SubscriptionConfirmation', SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription', Token: 'tok' });
    expect(confirm.ok && canonicalString(confirm.value)).toBe(
      'Message\nhello\nMessageId\nm-1\nSubscribeURL\nhttps://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription\nTimestamp\n2026-12-07T07:00:00.000Z\nToken\ntok\nTopicArn\narn:aws:sns:us-east-1:123456789012:t\nType\nSubscriptionConfirmation\n',
    );
    expect(parseSnsMessage({ ...base, Type: 'SubscriptionConfirmation' })).toMatchObject({ ok: false });
    expect(parseSnsMessage({ ...base, Message: 'x'.repeat(262_145) })).toMatchObject({ ok: false });
  });

  it('trusts only https certificate URLs on SNS hosts with a .pem path', () => {
    const trusted = ['https://sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem', 'https://sns.cn-north-1.amazonaws.com.cn/a.pem', 'https://sns.us-gov-west-1.amazonaws.com/a.pem'];
    const untrusted = [
      'http://sns.us-east-1.amazonaws.com/a.pem',
      'https://sns.us-east-1.amazonaws.com.evil.example/a.pem',
      'https://sns.amazonaws.com/a.pem',
      'https://evilsns.us-east-1.amazonaws.com/a.pem',
      'https://user@sns.us-east-1.amazonaws.com/a.pem',
      'https://sns.us-east-1.amazonaws.com/a.pem?x=1',
      'https://sns.us-east-1.amazonaws.com/a.pem.txt',
      'not a url',
    ];
    for (const u of trusted) expect(trustedCertificateUrl(u).ok, u).toBe(true);
    for (const u of untrusted) expect(trustedCertificateUrl(u).ok, u).toBe(false);
  });
});
