// SMTP_URL with ?pool=true sends many messages over one connection (a bulk run pays a server's greeting delay
// once, not per message); without it, one connection per message. A real smtp-server counts connections.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { createMailer } from '../functions/adapters/mailer.ts';

describe('pooled SMTP', () => {
  let server: SMTPServer;
  let url: string;
  let connections = 0;
  const received: string[] = [];
  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      disableReverseLookup: true,
      logger: false,
      onConnect(_session, callback) {
        connections++;
        callback();
      },
      onData(stream, session, callback) {
        stream.on('data', () => undefined);
        stream.on('end', () => {
          received.push(session.envelope.rcptTo[0]!.address);
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `smtp://127.0.0.1:${(server.server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const sendThree = async (smtpUrl: string) => {
    const mailer = createMailer({ mailer: 'smtp', smtpUrl });
    for (const to of ['a@example.org', 'b@example.org', 'c@example.org']) {
      await mailer.send({ from: 'digest@example.com', to: [to], raw: Buffer.from(`Subject: hi\r\nTo: ${to}\r\n\r\nbody\r\n`) });
    }
    await mailer.close();
  };

  it('one connection for many messages with ?pool=true, one per message without', async () => {
    await sendThree(`${url}?pool=true`);
    expect({ connections, received: received.length }).toEqual({ connections: 1, received: 3 });
    await sendThree(url);
    expect({ connections, received: received.length }).toEqual({ connections: 4, received: 6 });
  });
});
