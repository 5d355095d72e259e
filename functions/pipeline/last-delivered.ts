// What each subscriber last received: deliveries/last/<subscriber id>.json, moved forward after each send's
// marker. It is the baseline the next email is marked against (see core/since.ts), so a subscriber whose send
// failed, or who joined late, gets no gap and no repeat.
import * as z from 'zod';
import { PREFIX } from '../triggers.ts';
import type { ObjectStore } from '../core/ports.ts';

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const LastDeliveredSchema = z.object({
  schema: z.literal('newsdigest.last-delivery/1'),
  subscriber: z.string().max(64),
  /** The latest edition sent to this subscriber. */
  edition: Day,
  sentAt: z.string().max(40),
});
export type LastDelivered = z.infer<typeof LastDeliveredSchema>;

/** Under deliveries/, beside the per-edition marker folders (an edition folder is always a day, never "last"). */
export function lastDeliveredKey(subscriberId: string): string {
  return `${PREFIX.deliveries}last/${subscriberId}.json`;
}

/** The edition last sent to the subscriber; null when none (or the pointer is unreadable: everything is new then). */
export async function readLastDelivered(store: ObjectStore, subscriberId: string): Promise<string | null> {
  const obj = await store.get(lastDeliveredKey(subscriberId));
  if (!obj) return null;
  try {
    return LastDeliveredSchema.parse(JSON.parse(new TextDecoder().decode(obj.body))).edition;
  } catch {
    return null;
  }
}

/** Move the pointer to `edition`, never backwards (a late run of an older edition leaves it). */
export async function recordLastDelivered(store: ObjectStore, subscriberId: string, edition: string, sentAt: Date, current: string | null): Promise<void> {
  if (current !== null && current >= edition) return;
  const body: LastDelivered = { schema: 'newsdigest.last-delivery/1', subscriber: subscriberId, edition, sentAt: sentAt.toISOString() };
  await store.put(lastDeliveredKey(subscriberId), `${JSON.stringify(body, null, 2)}\n`, 'application/json');
}
