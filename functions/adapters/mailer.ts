// Sends a ready-made MIME message: through Amazon SES v2 (raw content) in AWS, through SMTP elsewhere.
import { GetAccountCommand, SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
// nodemailer's mailer and SMTP transports alone, not its index: that loads every transport (SES v1, sendmail,
// well-known services) into the deliver function, which in AWS only ever sends through SES v2.
import NodemailerTransporter from 'nodemailer/lib/mailer/index.js';
import SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';

export interface OutgoingMessage {
  /** Envelope sender (bounces go there). */
  from: string;
  /** Envelope recipients. */
  to: string[];
  /** The complete RFC 5322 message. */
  raw: Uint8Array;
}

export interface Mailer {
  /** 'ses', 'smtp', or a test transport's own name. */
  readonly kind: string;
  /** Resolves with the provider's id once the provider accepted the message; rejects otherwise. */
  send(message: OutgoingMessage, signal?: AbortSignal): Promise<{ id: string | null }>;
  /** Messages per second the provider accepts (SES: the account's MaxSendRate); null or absent: no limit. */
  maxSendRate?(): Promise<number | null>;
  close(): Promise<void>;
}

export function createSesMailer(client: SESv2Client, options: { configurationSet?: string | undefined } = {}): Mailer {
  return {
    kind: 'ses',
    async send(message, signal) {
      const res = await client.send(
        new SendEmailCommand({
          FromEmailAddress: message.from,
          Destination: { ToAddresses: message.to },
          Content: { Raw: { Data: message.raw } },
          ...(options.configurationSet ? { ConfigurationSetName: options.configurationSet } : {}),
        }),
        signal ? { abortSignal: signal } : {},
      );
      return { id: res.MessageId ?? null };
    },
    async maxSendRate() {
      const account = await client.send(new GetAccountCommand({}));
      return account.SendQuota?.MaxSendRate ?? null;
    },
    close: async () => client.destroy(),
  };
}

export interface SmtpOptions {
  /**
   * `smtp://user:pass@host:port`, or `smtps://` for implicit TLS. `?pool=true` keeps one connection open for
   * many messages (bulk sending: servers may delay each new connection's greeting, smtp-server by 100 ms);
   * `?rate=N` caps sending at N messages per second (a relay's limit; none by default).
   */
  url: string;
  /** Connection, greeting and socket timeouts. */
  timeoutMs?: number;
}

export function createSmtpMailer(options: SmtpOptions): Mailer {
  const u = new URL(options.url);
  const secure = u.protocol === 'smtps:';
  const local = ['localhost', '127.0.0.1', '::1', '[::1]'].includes(u.hostname);
  const timeout = options.timeoutMs ?? 30_000;
  const connection = {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    secure,
    // A local catcher (the dev inbox, tests) speaks plain SMTP; anywhere else STARTTLS is required.
    ...(local ? { ignoreTLS: true } : { requireTLS: !secure }),
    ...(u.username ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } } : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  };
  const pooled = ['true', '1'].includes(u.searchParams.get('pool') ?? '');
  const rateParam = Number(u.searchParams.get('rate') ?? Number.NaN);
  const rate = Number.isFinite(rateParam) && rateParam > 0 ? rateParam : null;
  const transport = pooled
    ? new NodemailerTransporter(new SMTPPool({ ...connection, pool: true, maxConnections: 1, maxMessages: 1000 }))
    : new NodemailerTransporter(new SMTPTransport(connection));
  return {
    kind: 'smtp',
    async send(message) {
      const info = await transport.sendMail({ envelope: { from: message.from, to: message.to }, raw: Buffer.from(message.raw) });
      if (info.rejected.length > 0) throw new Error(`SMTP server rejected ${info.rejected.length} recipient(s): ${info.response}`);
      return { id: typeof info.messageId === 'string' ? info.messageId : null };
    },
    maxSendRate: async () => rate,
    close: async () => transport.close(),
  };
}

export interface MailerConfig {
  mailer: 'ses' | 'smtp';
  smtpUrl?: string | undefined;
  region?: string | undefined;
  sesConfigurationSet?: string | undefined;
  sendTimeoutMs?: number | undefined;
}

export function createMailer(config: MailerConfig): Mailer {
  if (config.mailer === 'smtp') {
    if (!config.smtpUrl) throw new Error('MAILER=smtp needs SMTP_URL (smtp://user:pass@host:port)');
    return createSmtpMailer({ url: config.smtpUrl, timeoutMs: config.sendTimeoutMs });
  }
  return createSesMailer(new SESv2Client({ region: config.region ?? 'us-east-1', maxAttempts: 3 }), {
    configurationSet: config.sesConfigurationSet,
  });
}
