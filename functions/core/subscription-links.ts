// The links a subscriber gets by email, each carrying a signed token for that subscriber and one action:
// confirm (double opt-in), unsubscribe (one-click, RFC 8058) and preferences.
import { safeUrl } from './text-format.ts';
import { signToken, type TokenAction } from './token.ts';

export interface LinkSigner {
  /** Where the subscriptions function is served: `https://news.example.org/subscriptions` (no trailing slash needed). */
  baseUrl: string;
  key: Uint8Array;
}

export const LINK_PATHS = { confirm: '/confirm', unsubscribe: '/unsubscribe', preferences: '/preferences' } as const;

/** The base URL without its trailing slash; null unless http(s). */
export function subscriptionsBase(url: string | null | undefined): string | null {
  const safe = url ? safeUrl(url) : null;
  return safe ? safe.replace(/\/+$/, '') : null;
}

export function signedLink(signer: LinkSigner, action: Exclude<TokenAction, 'csrf'>, id: string, now: Date): string {
  const base = subscriptionsBase(signer.baseUrl);
  if (!base) throw new Error(`not an http(s) URL: ${signer.baseUrl}`);
  return `${base}${LINK_PATHS[action]}?token=${encodeURIComponent(signToken(signer.key, id, action, now))}`;
}
