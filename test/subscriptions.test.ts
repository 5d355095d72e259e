// The subscriptions endpoint end to end over real HTTP (the handler behind a local server, as in `npm run dev`)
// and real SMTP, through the embedded S3: subscribe → confirmation email → confirm → a delivery with both
// unsubscribe headers → one-click POST → the next delivery skips the address. Then the abuse rules, each a test.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscriberId } from '../functions/core/email.ts';
import { parseKey, signToken } from '../functions/core/token.ts';
import { createDeliverHandler } from '../functions/deliver/handler.ts';
import { getSubscriberByAddress } from '../functions/pipeline/subscribers.ts';
import { createRuntime, lazy } from '../functions/runtime.ts';
import { ensureLocalTokenKey, startSubscriptionsServer, type SubscriptionsServer } from '../local/subscriptions-server.ts';
import { seedFiles, startSmtpCatcher, startTestPipeline, type SmtpCatcher, type TestPipeline } from './helpers.ts';

const FROM = 'News digest <digest@news.example.com>';

describe('subscriptions over real HTTP and SMTP', () => {
  let p: TestPipeline;
  let smtp: SmtpCatcher;
  let web: SubscriptionsServer;
  let keyDir: string;
  let key: Buffer;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    smtp = await startSmtpCatcher();
    keyDir = mkdtempSync(path.join(tmpdir(), 'newsdigest-key-'));
    const keyFile = ensureLocalTokenKey(keyDir);
    key = parseKey(readFileSync(keyFile, 'utf8'));
    p = await startTestPipeline({ env: { MAILER: 'smtp', SMTP_URL: smtp.url, MAIL_FROM: FROM, TOKEN_KEY_FILE: keyFile, CONFIRMATIONS_PER_ADDRESS: '3', CONFIRMATIONS_PER_CLIENT: '50' } });
    for (const seed of seedFiles()) await p.upload(`inbox/${seed.name}`, seed.body);
    await p.runner.idle();
    expect(p.runner.errors).toEqual([]);
    web = await startSubscriptionsServer(p.env);
    env = { ...p.env, SUBSCRIPTIONS_URL: web.url };
  });
  afterAll(async () => {
    await web?.close();
    await p?.cleanup();
    await smtp?.close();
    if (keyDir) rmSync(keyDir, { recursive: true, force: true });
  });

  const form = (route: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
    fetch(`${web.url}${route}`, { method: 'POST', body: new URLSearchParams(fields), headers, redirect: 'manual' });
  const mailsTo = (address: string) => smtp.messages.filter((m) => m.envelope.to.includes(address));
  const status = async (address: string) => (await getSubscriberByAddress(p.store, address))?.status ?? null;
  const deliver = () => createDeliverHandler(lazy(() => createRuntime(env)))({});

  it('subscribe → confirm → delivery with both unsubscribe headers → one-click POST → the next delivery skips it', async () => {
    const formPage = await fetch(`${web.url}/subscribe`);
    expect(formPage.status).toBe(200);
    const html = await formPage.text();
    expect(html).toContain('<html lang="en">');
    expect(html).toMatch(/<label for="email">/);
    expect(html).toMatch(/<input type="email" id="email" name="email"/);

    // Preferences filter the email: these let the seed story through (a topic it names, daily, English).
    const res = await form('/subscribe', { email: 'New.Reader@example.org', include: 'earthquake\nputin', cadence: 'daily', content: 'new', languages: 'en' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Check your inbox');
    expect(await status('new.reader@example.org')).toBe('pending');
    const [confirmation] = mailsTo('new.reader@example.org');
    expect(confirmation?.parsed.subject).toMatch(/^Confirm your subscription/);
    const confirmUrl = /http:\/\/127\.0\.0\.1:\d+\/confirm\?token=[\w.-]+/.exec(confirmation!.parsed.text ?? '')?.[0];
    expect(confirmUrl).toBeDefined();
    expect(confirmation!.parsed.html).toContain(confirmUrl!.split('token=')[1]);

    // Pending: not mailed.
    await deliver();
    expect(mailsTo('new.reader@example.org')).toHaveLength(1);

    // Following the link (or a mail scanner prefetching it) shows a button and changes nothing.
    const shown = await fetch(confirmUrl!);
    expect(shown.status).toBe(200);
    expect(await shown.text()).toMatch(/<form method="post" action="\/confirm\?token=[\w.-]+">\s*<button type="submit">Confirm my subscription<\/button>/);
    expect(await status('new.reader@example.org')).toBe('pending');
    const elsewhere = await fetch(confirmUrl!, { method: 'POST', headers: { Origin: 'https://evil.example' } });
    expect(elsewhere.status).toBe(403);
    expect(await status('new.reader@example.org')).toBe('pending');

    const confirmed = await fetch(confirmUrl!, { method: 'POST', headers: { Origin: new URL(web.url).origin } });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain('You are subscribed');
    // The link again, once confirmed: says so, changes nothing.
    expect(await (await fetch(confirmUrl!)).text()).toContain('You are subscribed');
    const record = await getSubscriberByAddress(p.store, 'new.reader@example.org');
    expect(record).toMatchObject({ status: 'active', consent: { source: 'form' }, preferences: { topics: { include: ['earthquake', 'putin'] }, cadence: { kind: 'daily' }, content: 'new', languages: ['en'] } });

    expect(await deliver()).toMatchObject({ status: 'delivered', sent: 1 });
    const digest = mailsTo('new.reader@example.org')[1]!;
    const headers = digest.raw.toString('utf8').split('\r\n\r\n')[0]!;
    const oneClick = new RegExp(`^List-Unsubscribe:\\s+<(${web.url.replaceAll('.', '\\.')}/unsubscribe\\?token=[\\w.-]+)>,\\s+<mailto:digest@news\\.example\\.com\\?subject=unsubscribe>`, 'm').exec(headers)?.[1];
    expect(oneClick).toBeDefined();
    expect(headers).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);

    // A GET (a mail scanner's prefetch) shows a button and changes nothing.
    const get = await fetch(oneClick!);
    expect(get.status).toBe(200);
    const getHtml = await get.text();
    expect(getHtml).toMatch(/<form method="post" action="\/unsubscribe\?token=[\w.-]+">/);
    expect(getHtml).toMatch(/<button type="submit" class="danger">Unsubscribe<\/button>/);
    expect(await status('new.reader@example.org')).toBe('active');

    // RFC 8058: the provider POSTs List-Unsubscribe=One-Click to the header's URL.
    const post = await fetch(oneClick!, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(post.status).toBe(200);
    expect(await post.text()).toContain('You are unsubscribed');
    expect(await status('new.reader@example.org')).toBe('unsubscribed');

    // The next delivery (the edition's markers cleared, as a new edition would have none) skips the address.
    for await (const o of p.store.list('deliveries/')) await p.store.delete(o.key);
    expect(await deliver()).toMatchObject({ status: 'no-subscribers' });
    expect(mailsTo('new.reader@example.org')).toHaveLength(2);
  });

  it('answers alike for unknown, pending, active and unsubscribed addresses (no enumeration)', async () => {
    const answers = [];
    for (const email of ['unknown.one@example.org', 'new.reader@example.org', 'unknown.one@example.org']) {
      const r = await form('/subscribe', { email });
      answers.push([r.status, await r.text()]);
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
  });

  it('sends at most CONFIRMATIONS_PER_ADDRESS confirmation emails a day to one address, answering alike', async () => {
    const before = mailsTo('victim@example.org').length;
    const bodies = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const r = await form('/subscribe', { email: 'victim@example.org' });
      expect(r.status).toBe(200);
      bodies.add(await r.text());
    }
    expect(bodies.size).toBe(1);
    expect(mailsTo('victim@example.org').length - before).toBe(3);
  });

  it('refuses forged, expired, wrong-action and other subscribers’ tokens with a clear page and changes nothing', async () => {
    await form('/subscribe', { email: 'tok@example.org' });
    const id = subscriberId('tok@example.org');
    const now = new Date();
    const valid = signToken(key, id, 'confirm', now);
    const bad = [
      valid.slice(0, -2) + (valid.endsWith('AA') ? 'BB' : 'AA'), // forged signature
      valid.replace(id, subscriberId('victim@example.org')), // another subscriber's id under this signature
      signToken(key, id, 'confirm', new Date(now.getTime() - 3 * 86_400_000)), // expired
      signToken(key, id, 'unsubscribe', now), // another action
      signToken(parseKey('x'.repeat(40)), id, 'confirm', now), // another key
      '',
    ];
    for (const token of bad) {
      const r = await fetch(`${web.url}/confirm?token=${encodeURIComponent(token)}`);
      expect(r.status).toBe(400);
      expect(await r.text()).toContain('This link does not work');
    }
    expect(await status('tok@example.org')).toBe('pending');
    expect(await status('victim@example.org')).toBe('pending');
    // A forged one-click POST changes nothing either.
    await fetch(`${web.url}/confirm?token=${encodeURIComponent(valid)}`, { method: 'POST' });
    // A character in the middle of the signature: every bit there is the MAC's.
    const forged = signToken(key, id, 'unsubscribe', now).replace(/.(?=.{5}$)/, (c) => (c === 'A' ? 'Q' : 'A'));
    const r = await fetch(`${web.url}/unsubscribe?token=${encodeURIComponent(forged)}`, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(r.status).toBe(400);
    expect(await status('tok@example.org')).toBe('active');
  });

  it('protects the preferences form: no CSRF token, another subscriber’s, or another site’s Origin → refused, nothing saved', async () => {
    const id = subscriberId('tok@example.org');
    const now = new Date();
    const token = signToken(key, id, 'preferences', now);
    const page = await (await fetch(`${web.url}/preferences?token=${token}`)).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1];
    expect(csrf).toBeDefined();
    const change = { token, include: 'volcano', cadence: 'daily', content: 'full' };
    expect((await form('/preferences', change)).status).toBe(403);
    expect((await form('/preferences', { ...change, csrf: signToken(key, subscriberId('victim@example.org'), 'csrf', now) })).status).toBe(403);
    expect((await form('/preferences', { ...change, csrf: csrf! }, { Origin: 'https://evil.example' })).status).toBe(403);
    expect((await getSubscriberByAddress(p.store, 'tok@example.org'))?.preferences.topics.include).toEqual([]);
    const ok = await form('/preferences', { ...change, csrf: csrf!, include: 'volcano\n<img src=x onerror=alert(1)>' }, { Origin: new URL(web.url).origin });
    expect(ok.status).toBe(200);
    const saved = await ok.text();
    expect(saved).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt;');
    expect(saved).not.toContain('<img src=x');
    expect((await getSubscriberByAddress(p.store, 'tok@example.org'))?.preferences.topics.include).toEqual(['volcano', '<img src=x onerror=alert(1)>']);
  });

  it('validates and length-limits every field, echoing what it got escaped, and mails nothing', async () => {
    const sent = smtp.messages.length;
    for (const email of ['not-an-address', 'a@b.org\r\nBcc: mallory@example.net', `${'a'.repeat(260)}@example.org`, '<script>alert(1)</script>@x']) {
      const r = await form('/subscribe', { email });
      expect(r.status).toBe(400);
      const body = await r.text();
      expect(body).toContain('Enter an email address');
      expect(body).not.toContain('<script>alert');
    }
    const tooLong = await form('/subscribe', { email: 'long@example.org', include: 'x'.repeat(5_000) });
    expect(tooLong.status).toBe(400);
    const tooMany = await form('/subscribe', { email: 'long@example.org', outlets: Array.from({ length: 60 }, (_, i) => `Outlet ${i}`).join('\n') });
    expect(tooMany.status).toBe(400);
    const huge = await fetch(`${web.url}/subscribe`, { method: 'POST', body: `email=a%40b.org&include=${'x'.repeat(40_000)}` });
    expect(huge.status).toBe(413);
    expect(smtp.messages.length).toBe(sent);
    expect(await status('long@example.org')).toBeNull();
  });

  it('limits confirmation requests per client IP per day', async () => {
    // A second instance on another day (fresh counters) with a limit of two per client.
    const strict = await startSubscriptionsServer({ ...p.env, CONFIRMATIONS_PER_CLIENT: '2', CLOCK_AT: '2030-01-01T10:00:00Z' });
    try {
      const codes = [];
      for (const email of ['c1@example.org', 'c2@example.org', 'c3@example.org']) {
        codes.push((await fetch(`${strict.url}/subscribe`, { method: 'POST', body: new URLSearchParams({ email }) })).status);
      }
      expect(codes).toEqual([200, 200, 429]);
      expect(mailsTo('c3@example.org')).toHaveLength(0);
      expect(mailsTo('c2@example.org')).toHaveLength(1);
    } finally {
      await strict.close();
    }
  });
});
