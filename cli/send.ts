// `newsdigest send`: mail the latest edition now, through the same deliver handler the schedule invokes.
// By default to a running `newsdigest dev` (its S3 and SMTP catcher, found in <data>/dev.json); with
// --env, to whatever the environment configures (BUCKET, S3_ENDPOINT, MAILER, SMTP_URL, …).
import { existsSync, readFileSync } from 'node:fs';
import type { ScheduledEvent } from 'aws-lambda';
import { createDeliverHandler } from '../functions/deliver/handler.ts';
import type { DeliverResult } from '../functions/pipeline/deliver.ts';
import { createRuntime, lazy } from '../functions/runtime.ts';
import { devStateFile, type DevState } from './dev.ts';
import { UsageError } from './files.ts';

export interface SendOptions {
  data: string;
  /** Use process.env as the handlers do instead of the dev servers. */
  env: boolean;
}

export function scheduledEventNow(now = new Date()): ScheduledEvent {
  return {
    version: '0',
    id: `manual-${now.getTime()}`,
    'detail-type': 'Scheduled Event',
    source: 'newsdigest.cli',
    account: '000000000000',
    time: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: process.env.AWS_REGION ?? 'us-east-1',
    resources: [],
    detail: {},
  };
}

export async function sendNow(options: SendOptions): Promise<DeliverResult> {
  let env: NodeJS.ProcessEnv = process.env;
  if (!options.env) {
    const file = devStateFile(options.data);
    if (!existsSync(file)) throw new UsageError(`no running \`newsdigest dev\` found (${file} is missing): start it first, or use --env`);
    const state = JSON.parse(readFileSync(file, 'utf8')) as DevState;
    env = {
      ...process.env,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      BUCKET: state.bucket,
      S3_ENDPOINT: state.s3Endpoint,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      MAILER: 'smtp',
      SMTP_URL: state.smtpUrl,
      MAIL_FROM: 'News digest <digest@newsdigest.localhost>',
      // One-click links signed for each subscriber, pointing at dev's subscriptions endpoint.
      ...(state.subscriptionsUrl ? { SUBSCRIPTIONS_URL: state.subscriptionsUrl, TOKEN_KEY_FILE: state.tokenKeyFile } : {}),
      PUBLIC_BASE_URL: `${state.webUrl}/digests/`,
      SEND_TIMEOUT_MS: '15000',
    };
  }
  const deliver = createDeliverHandler(lazy(() => createRuntime(env)));
  return deliver(scheduledEventNow());
}

export function formatSendResult(r: DeliverResult, mailUrl?: string): string {
  switch (r.status) {
    case 'no-edition':
      return 'nothing sent: no edition published yet';
    case 'empty':
      return `nothing sent: edition ${r.edition} has no story`;
    case 'nothing-new':
      return `nothing sent: edition ${r.edition} has nothing new or developing since the one before`;
    case 'no-subscribers':
      return `nothing sent: no subscriber for edition ${r.edition}`;
    default:
      return [
        `edition ${r.edition}: sent ${r.sent}, already sent before ${r.alreadySent}, of ${r.subscribers} subscriber${r.subscribers === 1 ? '' : 's'}`,
        ...(mailUrl && r.sent > 0 ? [`read it at ${mailUrl}/`] : []),
      ].join('\n');
  }
}
