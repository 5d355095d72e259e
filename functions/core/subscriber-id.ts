// A subscriber's id, in a module of its own: the feedback and subscriptions functions need it without the
// MIME composer that email.ts brings.
import { createHash } from 'node:crypto';

/** A stable, non-reversible id for an address: marker keys and unsubscribe tokens use it instead of the address. */
export function subscriberId(email: string): string {
  return createHash('sha256').update(`newsdigest.subscriber:${email.trim().toLowerCase()}`).digest('hex').slice(0, 32);
}
