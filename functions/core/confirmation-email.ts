// The double opt-in email: a MIME message with the confirmation link, built by nodemailer's composer. Pure.
import { createHash } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { addressOf } from './email.ts';
import { oneLine } from './text-format.ts';

export interface ConfirmationMessage {
  from: string;
  to: string;
  title: string;
  html: string;
  text: string;
  date: Date;
}

export async function composeConfirmation(m: ConfirmationMessage): Promise<Buffer> {
  const domain = addressOf(m.from).split('@')[1]?.replace(/[^a-z0-9.-]/gi, '') || 'newsdigest.invalid';
  const id = createHash('sha256').update(`${m.to}:${m.date.toISOString()}`).digest('hex').slice(0, 24);
  const composer = new MailComposer({
    from: m.from,
    to: m.to,
    subject: oneLine(`Confirm your subscription to ${m.title}`, 200),
    text: m.text,
    html: m.html,
    messageId: `<confirm.${id}@${domain}>`,
    date: m.date,
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
    textEncoding: 'quoted-printable',
  });
  return composer.compile().build();
}
