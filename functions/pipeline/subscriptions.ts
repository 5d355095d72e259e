// The subscriptions endpoint as a pure request → response function over the injected ports (store, mailer,
// clock, signing key): subscribe (double opt-in), confirm, one-click unsubscribe (RFC 8058), preferences.
//
// Abuse rules: confirmation emails are limited per address and per client IP per day; the answer to a
// subscribe request is the same whether the address is known or not; a token that is forged, expired, for
// another action or for no stored subscriber is refused with a page and changes nothing; the preferences
// form carries a CSRF token bound to its subscriber; cross-site form posts are refused (Origin); every field
// is validated and length-limited, and every echoed value escaped by the templates.
import type { Mailer } from '../adapters/mailer.ts';
import { composeConfirmation } from '../core/confirmation-email.ts';
import { addressOf } from '../core/email.ts';
import type { Clock, ObjectStore } from '../core/ports.ts';
import { DEFAULT_PREFERENCES, confirm, requestSubscription, unsubscribe, withPreferences, type Preferences } from '../core/subscriber.ts';
import { parseForm, parsePreferences, parseSubscribeForm, preferencesView, type FieldErrors } from '../core/subscription-forms.ts';
import { signedLink, subscriptionsBase } from '../core/subscription-links.ts';
import type { PageName, SubscriptionPages } from '../core/subscription-pages.ts';
import { signToken, verifyToken, type TokenAction } from '../core/token.ts';
import { takeFromLimit } from './rate-limits.ts';
import { createSubscriber, getSubscriber, updateSubscriber } from './subscribers.ts';

export interface HttpRequest {
  method: string;
  /** The path as requested; routes match on its last segment. */
  path: string;
  query: URLSearchParams;
  /** Lower-case names. */
  headers: Record<string, string | undefined>;
  body: string;
  /** The client's IP as the front door saw it. */
  ip: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface SubscriptionsDeps {
  store: ObjectStore;
  mailer: Mailer;
  clock: Clock;
  key: Uint8Array;
  /** Where this endpoint is served (links in emails and form actions point here). */
  baseUrl: string;
  from: string;
  pages: SubscriptionPages;
  title: string;
  limits: { perAddressPerDay: number; perClientPerDay: number };
  log?: (entry: Record<string, unknown>) => void;
}

const SECURITY_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  // The links carry tokens: never leak them in a Referer.
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

type Ctx = SubscriptionsDeps & { req: HttpRequest; now: Date; base: string };

function page(ctx: Ctx, status: number, name: PageName, heading: string, data: Record<string, unknown> = {}): HttpResponse {
  return { status, headers: { ...SECURITY_HEADERS }, body: ctx.pages.page(name, { ...data, heading, base: ctx.base }) };
}

function notice(ctx: Ctx, status: number, heading: string, message: string, link?: { href: string; text: string }): HttpResponse {
  return page(ctx, status, 'notice', heading, { message, bad: status >= 400, link });
}

function refused(ctx: Ctx): HttpResponse {
  return notice(ctx, 400, 'This link does not work', 'The link is not valid or has expired, and nothing was changed. Use the link in your most recent email, or subscribe again.', {
    href: `${ctx.base}/subscribe`,
    text: 'Go to the subscribe page',
  });
}

/** The subscriber a token names, when it is genuine, unexpired, for this action and the subscriber exists. */
async function subscriberFor(ctx: Ctx, token: string | null | undefined, action: TokenAction) {
  const check = verifyToken(ctx.key, token, action, ctx.now);
  if (!check.ok) {
    ctx.log?.({ level: 'info', msg: 'token refused', action, reason: check.reason });
    return null;
  }
  return getSubscriber(ctx.store, check.id);
}

/** A form post from another site (its Origin is not ours) is refused; mail clients' one-click POSTs skip this. */
function crossSite(ctx: Ctx): boolean {
  const origin = ctx.req.headers.origin;
  if (!origin || origin === 'null') return false;
  return origin !== new URL(ctx.baseUrl).origin;
}

function subscribePage(ctx: Ctx, status: number, email = '', prefs: Preferences = DEFAULT_PREFERENCES, errors: FieldErrors = {}): HttpResponse {
  return page(ctx, status, 'subscribe', 'Subscribe', { email, prefs: preferencesView(prefs), errors: Object.keys(errors).length ? errors : null });
}

async function sendConfirmation(ctx: Ctx, id: string, email: string): Promise<void> {
  const confirmUrl = signedLink({ baseUrl: ctx.baseUrl, key: ctx.key }, 'confirm', id, ctx.now);
  const { html, text } = ctx.pages.confirmation({ title: ctx.title, confirmUrl });
  const raw = await composeConfirmation({ from: ctx.from, to: email, title: ctx.title, html, text, date: ctx.now });
  await ctx.mailer.send({ from: addressOf(ctx.from), to: [email], raw });
}

async function postSubscribe(ctx: Ctx): Promise<HttpResponse> {
  const form = parseSubscribeForm(ctx.req.body);
  if (!form.ok) {
    const { fields } = parseForm(ctx.req.body);
    const prefs = parsePreferences(fields);
    return subscribePage(ctx, 400, (fields.get('email')?.[0] ?? '').slice(0, 254), prefs.ok ? prefs.value : DEFAULT_PREFERENCES, form.errors);
  }
  const { email, preferences } = form.value;
  if (!(await takeFromLimit(ctx.store, 'client', ctx.req.ip, ctx.limits.perClientPerDay, ctx.now))) {
    return notice(ctx, 429, 'Too many requests', 'This connection asked for too many subscriptions today. Please try again tomorrow.');
  }
  // From here on the answer is the same whatever the address's state: no one learns who is subscribed.
  const same = notice(ctx, 200, 'Check your inbox', 'If this address can subscribe, an email with a confirmation link is on its way. The subscription starts once the link is followed.');
  if (!(await takeFromLimit(ctx.store, 'address', email, ctx.limits.perAddressPerDay, ctx.now))) return same;
  const { record, created } = await createSubscriber(ctx.store, { email, status: 'pending', preferences, at: ctx.now });
  const current = created ? record : await updateSubscriber(ctx.store, record.id, (r) => requestSubscription(r, preferences, ctx.now));
  if (current?.status === 'pending') await sendConfirmation(ctx, current.id, current.email);
  ctx.log?.({ level: 'info', msg: 'subscribe', subscriber: record.id, status: current?.status ?? null, created });
  return same;
}

// Mail scanners follow the links in an email: the link only shows a button, which a person presses.
async function getConfirm(ctx: Ctx): Promise<HttpResponse> {
  const token = ctx.req.query.get('token');
  const record = await subscriberFor(ctx, token, 'confirm');
  if (!record) return refused(ctx);
  if (record.status === 'active') return subscribed(ctx, record.id);
  return page(ctx, 200, 'confirm', 'Confirm your subscription', { token });
}

function subscribed(ctx: Ctx, id: string): HttpResponse {
  const prefs = signedLink({ baseUrl: ctx.baseUrl, key: ctx.key }, 'preferences', id, ctx.now);
  return notice(ctx, 200, 'You are subscribed', 'Your address is confirmed: the next edition is on its way to you.', { href: prefs, text: 'Choose what you receive' });
}

async function postConfirm(ctx: Ctx): Promise<HttpResponse> {
  const record = await subscriberFor(ctx, ctx.req.query.get('token'), 'confirm');
  if (!record) return refused(ctx);
  const next = await updateSubscriber(ctx.store, record.id, (r) => confirm(r, ctx.now));
  if (next?.status !== 'active') return notice(ctx, 409, 'Not subscribed', 'This address left the list or cannot receive email, so the link changed nothing.');
  ctx.log?.({ level: 'info', msg: 'confirm', subscriber: record.id });
  return subscribed(ctx, record.id);
}

async function getUnsubscribe(ctx: Ctx): Promise<HttpResponse> {
  const token = ctx.req.query.get('token');
  const record = await subscriberFor(ctx, token, 'unsubscribe');
  if (!record) return refused(ctx);
  // A mail scanner prefetching the link lands here: the page only offers the button.
  return page(ctx, 200, 'unsubscribe', 'Unsubscribe', { token, preferencesToken: signToken(ctx.key, record.id, 'preferences', ctx.now) });
}

async function postUnsubscribe(ctx: Ctx): Promise<HttpResponse> {
  const record = await subscriberFor(ctx, ctx.req.query.get('token'), 'unsubscribe');
  if (!record) return refused(ctx);
  if (parseForm(ctx.req.body).fields.get('List-Unsubscribe')?.[0] !== 'One-Click') {
    return notice(ctx, 400, 'Nothing changed', 'The request did not ask to unsubscribe (List-Unsubscribe=One-Click), so nothing was changed.');
  }
  await updateSubscriber(ctx.store, record.id, (r) => unsubscribe(r, ctx.now));
  ctx.log?.({ level: 'info', msg: 'unsubscribe', subscriber: record.id });
  return notice(ctx, 200, 'You are unsubscribed', 'You will not receive the digest any more.', { href: `${ctx.base}/subscribe`, text: 'Subscribe again' });
}

function preferencesPage(ctx: Ctx, status: number, id: string, token: string, prefs: Preferences, extra: Record<string, unknown> = {}): HttpResponse {
  return page(ctx, status, 'preferences', 'Your preferences', {
    token,
    csrf: signToken(ctx.key, id, 'csrf', ctx.now),
    unsubscribeToken: signToken(ctx.key, id, 'unsubscribe', ctx.now),
    prefs: preferencesView(prefs),
    ...extra,
  });
}

async function getPreferences(ctx: Ctx): Promise<HttpResponse> {
  const token = ctx.req.query.get('token') ?? '';
  const record = await subscriberFor(ctx, token, 'preferences');
  if (!record) return refused(ctx);
  return preferencesPage(ctx, 200, record.id, token, record.preferences);
}

async function postPreferences(ctx: Ctx): Promise<HttpResponse> {
  const { fields, tooLong } = parseForm(ctx.req.body);
  const token = fields.get('token')?.[0] ?? '';
  const record = await subscriberFor(ctx, token, 'preferences');
  if (!record) return refused(ctx);
  const csrf = verifyToken(ctx.key, fields.get('csrf')?.[0], 'csrf', ctx.now);
  if (!csrf.ok || csrf.id !== record.id) {
    return notice(ctx, 403, 'Form expired', 'This form is too old or did not come from this site, so nothing was saved. Open your preferences again.');
  }
  const prefs = parsePreferences(fields, tooLong);
  if (!prefs.ok) return preferencesPage(ctx, 400, record.id, token, record.preferences, { errors: prefs.errors });
  const saved = await updateSubscriber(ctx.store, record.id, (r) => withPreferences(r, prefs.value, ctx.now));
  return preferencesPage(ctx, 200, record.id, token, saved?.preferences ?? prefs.value, { saved: true });
}

const ROUTES: Record<string, Partial<Record<'GET' | 'POST', (ctx: Ctx) => HttpResponse | Promise<HttpResponse>>>> = {
  '': { GET: (ctx) => subscribePage(ctx, 200) },
  subscribe: { GET: (ctx) => subscribePage(ctx, 200), POST: postSubscribe },
  confirm: { GET: getConfirm, POST: postConfirm },
  unsubscribe: { GET: getUnsubscribe, POST: postUnsubscribe },
  preferences: { GET: getPreferences, POST: postPreferences },
};

export async function handleSubscriptionRequest(deps: SubscriptionsDeps, req: HttpRequest): Promise<HttpResponse> {
  const base = new URL(subscriptionsBase(deps.baseUrl) ?? 'http://invalid').pathname.replace(/\/+$/, '');
  const ctx: Ctx = { ...deps, req, now: deps.clock.now(), base };
  const route = ROUTES[req.path.replace(/\/+$/, '').split('/').pop() ?? ''];
  if (!route) return notice(ctx, 404, 'Not found', 'There is no such page.', { href: `${base}/subscribe`, text: 'Go to the subscribe page' });
  const method = req.method === 'HEAD' ? 'GET' : req.method;
  const run = route[method as 'GET' | 'POST'];
  if (!run) return { ...notice(ctx, 405, 'Not allowed', 'This page does not take that kind of request.'), headers: { ...SECURITY_HEADERS, Allow: Object.keys(route).join(', ') } };
  // One-click unsubscribe comes from mail providers' servers, not from a page: no Origin rule for it.
  if (method === 'POST' && !(req.path.endsWith('unsubscribe')) && crossSite(ctx)) return notice(ctx, 403, 'Refused', 'This form was sent from another site, so nothing was changed.');
  return run(ctx);
}
