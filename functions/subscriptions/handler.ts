// Lambda behind an API Gateway HTTP API (payload 2.0, the same shape a Function URL sends): the subscribe,
// confirm, unsubscribe and preferences pages. Validates the event, then hands it to the pure router.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as z from 'zod';
import { createMailer, type Mailer } from '../adapters/mailer.ts';
import { cachedTokenKey } from '../adapters/token-key.ts';
import { MAX_FORM_BYTES } from '../core/subscription-forms.ts';
import { createSubscriptionPages } from '../core/subscription-pages.ts';
import { handleSubscriptionRequest, type HttpRequest } from '../pipeline/subscriptions.ts';
import { createRuntime, invoked, lazy, type Runtime } from '../runtime.ts';
import { loadSubscriptionTemplates } from '../subscription-templates.ts';

const EventSchema = z.looseObject({
  rawPath: z.string().max(2_000),
  rawQueryString: z.string().max(4_000).optional().default(''),
  headers: z.record(z.string(), z.string().max(8_000)).optional().default({}),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().optional().default(false),
  requestContext: z.looseObject({ http: z.looseObject({ method: z.string().max(10), sourceIp: z.string().max(64) }) }),
});

export interface SubscriptionsHandlerOptions {
  mailer?: () => Mailer;
}

/** The event as the router takes it; null when it is not an HTTP event or its body is too large. */
export function toRequest(event: unknown): HttpRequest | null {
  const parsed = EventSchema.safeParse(event);
  if (!parsed.success) return null;
  const e = parsed.data;
  const raw = e.body ?? '';
  if (raw.length > MAX_FORM_BYTES * 2) return null;
  const body = e.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  const headers = Object.fromEntries(Object.entries(e.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method: e.requestContext.http.method.toUpperCase(), path: e.rawPath, query: new URLSearchParams(e.rawQueryString), headers, body, ip: e.requestContext.http.sourceIp };
}

export function createSubscriptionsHandler(getRuntime: () => Runtime, options: SubscriptionsHandlerOptions = {}) {
  const getMailer = options.mailer ?? lazy(() => {
    const { config } = getRuntime();
    return createMailer({ ...config.email, region: config.region });
  });
  const getPages = lazy(() => {
    const { config } = getRuntime();
    return createSubscriptionPages(loadSubscriptionTemplates(config.templatesDir), config.title);
  });
  const getKey = cachedTokenKey(() => getRuntime().config);
  const handle = async (event: APIGatewayProxyEventV2, _context?: Partial<Context>): Promise<APIGatewayProxyStructuredResultV2> => {
    const rt = getRuntime();
    const { subscriptions, email } = rt.config;
    const signingKey = await getKey();
    if (!signingKey || !subscriptions.url) throw new Error('the subscriptions function needs SUBSCRIPTIONS_URL and a token key (TOKEN_KEY_SECRET_ARN or TOKEN_KEY_FILE)');
    const req = toRequest(event);
    if (!req) return { statusCode: 400, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: 'Bad request\n' };
    const res = await handleSubscriptionRequest(
      {
        store: rt.store,
        mailer: getMailer(),
        clock: rt.clock,
        key: signingKey,
        baseUrl: subscriptions.url,
        from: email.from,
        pages: getPages(),
        title: rt.config.title,
        limits: { perAddressPerDay: subscriptions.perAddressPerDay, perClientPerDay: subscriptions.perClientPerDay },
        log: rt.log,
      },
      req,
    );
    return { statusCode: res.status, headers: res.headers, body: req.method === 'HEAD' ? '' : res.body };
  };
  return invoked(getRuntime, handle);
}

export const handler = createSubscriptionsHandler(lazy(() => createRuntime()));
