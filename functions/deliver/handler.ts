// Lambda, on an EventBridge schedule (daily 07:00 UTC by default): mail the latest edition to every
// subscriber not yet sent it. Reserved concurrency 1; an incomplete run throws, and the async retries
// (or the next schedule) send only what is left.
import type { Context, ScheduledEvent } from 'aws-lambda';
import * as z from 'zod';
import { createMailer, type Mailer } from '../adapters/mailer.ts';
import { cachedTokenKey } from '../adapters/token-key.ts';
import { createRenderer } from '../core/render.ts';
import { DeliveryIncompleteError, deliverLatest, type DeliverResult } from '../pipeline/deliver.ts';
import { deliverPoints } from '../pipeline/outcome-telemetry.ts';
import { createRuntime, invoked, lazy, type Runtime } from '../runtime.ts';
import { loadTemplates } from '../templates.ts';

// Scheduled events carry `time`; a hand-made invocation (`newsdigest send`, the console) may carry nothing.
const ScheduledEventSchema = z.looseObject({ time: z.string().optional(), 'detail-type': z.string().optional() });

export interface DeliverHandlerOptions {
  /** The mail transport; by default SES v2 or SMTP, as the configuration says. */
  mailer?: () => Mailer;
}

export function createDeliverHandler(getRuntime: () => Runtime, options: DeliverHandlerOptions = {}) {
  const getMailer = options.mailer ?? lazy(() => {
    const { config } = getRuntime();
    return createMailer({ ...config.email, region: config.region });
  });
  const getKey = cachedTokenKey(() => getRuntime().config);
  // Emails for subscribers whose last edition is not the one before today's are rendered here, as the digest does.
  const getRenderer = lazy(() => {
    const { config } = getRuntime();
    return createRenderer(loadTemplates(config.templatesDir), { publicBaseUrl: config.email.publicBaseUrl, maxEmailBytes: config.email.maxEmailBytes });
  });
  const handle = async (event: ScheduledEvent | Record<string, never>, context?: Pick<Context, 'getRemainingTimeInMillis'> & Partial<Context>): Promise<DeliverResult> => {
    const rt = getRuntime();
    const parsed = ScheduledEventSchema.parse(event ?? {});
    const { email } = rt.config;
    const started = Date.now();
    const signingKey = rt.config.subscriptions.url ? await getKey() : null;
    const result = await deliverLatest({
      store: rt.store,
      mailer: getMailer(),
      clock: rt.clock,
      from: email.from,
      unsubscribeUrl: email.unsubscribeUrl,
      unsubscribeMailto: email.unsubscribeMailto,
      links: signingKey && rt.config.subscriptions.url ? { baseUrl: rt.config.subscriptions.url, key: signingKey } : null,
      fallbackSubscribers: email.subscribers,
      sendTimeoutMs: email.sendTimeoutMs,
      ...(context?.getRemainingTimeInMillis ? { remainingMs: () => context.getRemainingTimeInMillis() } : {}),
      log: rt.log,
      render: (edition) => getRenderer()(edition),
    }).catch((e: unknown) => {
      // An incomplete run throws (so that it is retried); what it did send still counts.
      if (e instanceof DeliveryIncompleteError) for (const point of deliverPoints(e.result)) rt.metrics.add(point);
      throw e;
    });
    for (const point of deliverPoints(result)) rt.metrics.add(point);
    if (result.status !== 'delivered') rt.log({ msg: 'deliver', scheduledAt: parsed.time ?? null, ms: Date.now() - started, ...result });
    return result;
  };
  return invoked(getRuntime, handle);
}

export const handler = createDeliverHandler(lazy(() => createRuntime()));
