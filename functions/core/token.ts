// Signed links: HMAC-SHA256 over the subscriber id, the action and an expiry, base64url, compared in constant
// time. The key never leaves the server (Secrets Manager in AWS, a file in the local data folder); a token
// names no address, so a leaked link discloses nothing but the power to do its one action.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const ACTIONS = ['confirm', 'unsubscribe', 'preferences', 'csrf'] as const;
export type TokenAction = (typeof ACTIONS)[number];

/** How long each kind of link works: a confirmation for two days, an unsubscribe link for a year (old emails must keep working). */
export const TOKEN_TTL_SECONDS: Record<TokenAction, number> = {
  confirm: 2 * 86_400,
  unsubscribe: 365 * 86_400,
  preferences: 30 * 86_400,
  csrf: 2 * 3_600,
};

/** Tokens longer than this are refused before any work. */
export const MAX_TOKEN_LENGTH = 200;

export type TokenCheck =
  | { ok: true; id: string; action: TokenAction; expires: number }
  | { ok: false; reason: 'malformed' | 'forged' | 'expired' | 'wrong-action' };

function mac(key: Uint8Array, payload: string): Buffer {
  return createHmac('sha256', key).update(payload).digest();
}

/** `<id>.<action>.<expiry, epoch seconds>.<mac>`, all URL-safe. */
export function signToken(key: Uint8Array, id: string, action: TokenAction, now: Date, ttlSeconds = TOKEN_TTL_SECONDS[action]): string {
  const expires = Math.floor(now.getTime() / 1000) + ttlSeconds;
  const payload = `${id}.${action}.${expires}`;
  return `${payload}.${mac(key, payload).toString('base64url')}`;
}

/** Checks the signature first (constant time), then the action and the expiry. */
export function verifyToken(key: Uint8Array, token: unknown, action: TokenAction, now: Date): TokenCheck {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'malformed' };
  const m = /^([0-9a-f]{32})\.([a-z]+)\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return { ok: false, reason: 'malformed' };
  const [, id, act, exp, sig] = m as unknown as [string, string, string, string, string];
  // The signature's text is compared, not its decoded bytes: the last base64url character carries two unused
  // bits, and a token differing only there would otherwise pass as another valid spelling of the same link.
  const expected = Buffer.from(mac(key, `${id}.${act}.${exp}`).toString('base64url'));
  if (!timingSafeEqual(Buffer.from(sig), expected)) return { ok: false, reason: 'forged' };
  if (act !== action) return { ok: false, reason: 'wrong-action' };
  const expires = Number(exp);
  if (expires * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, id, action, expires };
}

/** A fresh 256-bit key as text (the local data folder's; the stack has Secrets Manager generate its own). */
export function generateKeyText(): string {
  return randomBytes(32).toString('hex');
}

/** The key as stored (a generated secret string, or the local file's hex): its text's bytes, at least 32 of them. */
export function parseKey(text: string): Buffer {
  const key = Buffer.from(text.trim(), 'utf8');
  if (key.length < 32) throw new Error('the token key must be at least 32 characters');
  return key;
}
