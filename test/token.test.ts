// Signed subscription tokens: the right subscriber, action and time pass; anything else is refused.
import { describe, expect, it } from 'vitest';
import { subscriberId } from '../functions/core/email.ts';
import { signedLink } from '../functions/core/subscription-links.ts';
import { generateKeyText, parseKey, signToken, verifyToken } from '../functions/core/token.ts';

const KEY = parseKey(generateKeyText());
const ANN = subscriberId('ann@example.org');
const BOB = subscriberId('bob@example.org');
const NOW = new Date('2026-12-01T08:00:00Z');
const later = (s: number) => new Date(NOW.getTime() + s * 1000);

describe('subscription tokens', () => {
  it('verifies its own token for its action until it expires', () => {
    const t = signToken(KEY, ANN, 'confirm', NOW);
    expect(t).toMatch(/^[0-9a-f]{32}\.confirm\.\d+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyToken(KEY, t, 'confirm', later(3600))).toMatchObject({ ok: true, id: ANN, action: 'confirm' });
    expect(verifyToken(KEY, t, 'confirm', later(2 * 86_400))).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses a token for another action, a forged one, another key’s, another subscriber’s and garbage', () => {
    const t = signToken(KEY, ANN, 'confirm', NOW);
    expect(verifyToken(KEY, t, 'unsubscribe', NOW)).toEqual({ ok: false, reason: 'wrong-action' });
    // The id swapped for another subscriber's, the signature kept: forged.
    expect(verifyToken(KEY, t.replace(ANN, BOB), 'confirm', NOW)).toEqual({ ok: false, reason: 'forged' });
    // The expiry pushed out: forged.
    const [id, act, exp, sig] = t.split('.') as [string, string, string, string];
    expect(verifyToken(KEY, `${id}.${act}.${Number(exp) + 1_000_000}.${sig}`, 'confirm', NOW)).toEqual({ ok: false, reason: 'forged' });
    expect(verifyToken(parseKey(generateKeyText()), t, 'confirm', NOW)).toEqual({ ok: false, reason: 'forged' });
    for (const bad of ['', 'x', `${t}x`, 'a'.repeat(5000), null, 42]) expect(verifyToken(KEY, bad, 'confirm', NOW).ok).toBe(false);
  });

  it('refuses another spelling of a valid signature (the unused bits of its last character set)', () => {
    const t = signToken(KEY, ANN, 'confirm', NOW);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // The last of 43 characters holds 4 bits of the MAC and 2 unused ones: flipping the lowest decodes to the same bytes.
    const last = alphabet.indexOf(t.at(-1)!);
    const respelled = t.slice(0, -1) + alphabet[last ^ 1]!;
    expect(Buffer.from(respelled.split('.')[3]!, 'base64url')).toEqual(Buffer.from(t.split('.')[3]!, 'base64url'));
    expect(verifyToken(KEY, respelled, 'confirm', NOW)).toEqual({ ok: false, reason: 'forged' });
  });

  it('puts the token in an https link of the right path', () => {
    const url = new URL(signedLink({ baseUrl: 'https://news.example.org/subs/', key: KEY }, 'unsubscribe', ANN, NOW));
    expect(url.origin + url.pathname).toBe('https://news.example.org/subs/unsubscribe');
    expect(verifyToken(KEY, url.searchParams.get('token'), 'unsubscribe', NOW).ok).toBe(true);
  });

  it('refuses a short key', () => {
    expect(() => parseKey('short')).toThrow(/at least 32/);
  });
});
