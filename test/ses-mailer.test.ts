// The SES v2 mailer against a local HTTP endpoint that answers as SES's SendEmail does: the request names the
// configuration set (whose events feed the feedback function) and carries the raw message; GetAccount gives the
// send rate delivery paces itself to.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSesMailer } from '../functions/adapters/mailer.ts';

const requests: Array<{ method: string; url: string; body: Record<string, any> }> = [];
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const text = Buffer.concat(chunks).toString('utf8');
    requests.push({ method: req.method ?? '', url: req.url ?? '', body: (text ? JSON.parse(text) : {}) as Record<string, any> });
    // GetAccount, as SES answers it (the send quota), else SendEmail.
    const answer = req.url === '/v2/email/account' ? { SendQuota: { Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: 3 }, ProductionAccessEnabled: true } : { MessageId: `ses-${requests.length}` };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  });
});
let client: SESv2Client;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new SESv2Client({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' } });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the SES v2 mailer', () => {
  const message = { from: 'digest@news.example.org', to: ['ann@example.org'], raw: new TextEncoder().encode('Subject: hi\r\n\r\nhello\r\n') };

  it('sends the raw message through the configuration set, and returns SES’s message id', async () => {
    const mailer = createSesMailer(client, { configurationSet: 'newsdigest-digest' });
    expect(await mailer.send(message)).toEqual({ id: 'ses-1' });
    expect(requests[0]).toMatchObject({ method: 'POST', url: '/v2/email/outbound-emails' });
    expect(requests[0]!.body).toEqual({
      FromEmailAddress: 'digest@news.example.org',
      Destination: { ToAddresses: ['ann@example.org'] },
      Content: { Raw: { Data: Buffer.from(message.raw).toString('base64') } },
      ConfigurationSetName: 'newsdigest-digest',
    });
  });

  it('names no configuration set when none is configured', async () => {
    await createSesMailer(client).send(message);
    expect(requests.at(-1)!.body).not.toHaveProperty('ConfigurationSetName');
  });

  it('reads the account\'s maximum send rate (GetAccount)', async () => {
    expect(await createSesMailer(client).maxSendRate!()).toBe(14);
    expect(requests.at(-1)).toMatchObject({ method: 'GET', url: '/v2/email/account' });
  });
});
