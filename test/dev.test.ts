// `newsdigest dev` and `newsdigest send` together: the watched folder, the web pages, the SMTP catcher's inbox.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDev, type DevServer } from '../cli/dev.ts';
import { sendNow } from '../cli/send.ts';
import { seedFiles } from './helpers.ts';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

describe('newsdigest dev, then send', () => {
  let dir: string;
  let dev: DevServer;
  const lines: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'newsdigest-dev-'));
    dev = await startDev({
      data: path.join(dir, 'data'),
      inbox: path.join(dir, 'inbox'),
      host: '127.0.0.1',
      s3Port: await freePort(),
      webPort: await freePort(),
      smtpPort: await freePort(),
      mailPort: await freePort(),
      subscriptionsPort: await freePort(),
      seed: false,
      log: (l) => lines.push(l),
    });
  }, 60_000);
  afterAll(async () => {
    await dev?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('waits for a first edition, then serves it after files land in the watched folder', async () => {
    const first = await fetch(`${dev.state.webUrl}/`);
    expect(await first.text()).toContain('No edition yet');
    for (const s of seedFiles()) writeFileSync(path.join(dir, 'inbox', s.name), s.body);
    // Until the watcher has uploaded them all and the pipeline has built the edition.
    for (let i = 0; i < 100; i++) {
      await dev.settled();
      const r = await fetch(`${dev.state.webUrl}/`, { redirect: 'manual' });
      if (r.status === 302) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    const page = await fetch(`${dev.state.webUrl}/`);
    expect(page.url).toMatch(/\/digests\/\d{4}-\d{2}-\d{2}\/index\.html$/);
    const html = await page.text();
    expect(html).toContain('also published by');
    expect(html).toContain('All editions');
    expect(lines.filter((l) => l.startsWith('upload'))).toHaveLength(5);
    expect((await fetch(`${dev.state.webUrl}/digests/%2e%2e/config/subscribers.json`)).status).toBe(404);
  });

  it('sends the latest edition to the dev inbox once', async () => {
    const first = await sendNow({ data: path.join(dir, 'data'), env: false });
    expect(first).toMatchObject({ status: 'delivered', sent: 1 });
    const again = await sendNow({ data: path.join(dir, 'data'), env: false });
    expect(again).toMatchObject({ status: 'delivered', sent: 0, alreadySent: 1 });
    const inbox = (await (await fetch(`${dev.state.mailUrl}/api/email`)).json()) as Array<{ subject: string; to: Array<{ address: string }> }>;
    expect(inbox).toHaveLength(1);
    expect(inbox[0]!.to[0]!.address).toBe('reader@example.test');
    expect(inbox[0]!.subject).toContain('News digest');
  });

  it('serves the subscriptions pages, and the one-click link of the email in MailDev unsubscribes there', async () => {
    expect(dev.state.subscriptionsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${dev.state.subscriptionsUrl}/subscribe`)).status).toBe(200);
    // The message as MailDev received it (its raw source).
    const inbox = (await (await fetch(`${dev.state.mailUrl}/api/email`)).json()) as Array<{ id: string }>;
    const source = await (await fetch(`${dev.state.mailUrl}/api/email/${inbox[0]!.id}/source`)).text();
    const headers = source.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
    expect(headers).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    const url = /^List-Unsubscribe: <(http:\/\/127\.0\.0\.1:\d+\/unsubscribe\?token=[\w.-]+)>/m.exec(headers)?.[1];
    expect(url?.startsWith(dev.state.subscriptionsUrl)).toBe(true);
    const r = await fetch(url!, { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('You are unsubscribed');
    const again = await sendNow({ data: path.join(dir, 'data'), env: false });
    expect(again.status).toBe('no-subscribers');
  });
});
