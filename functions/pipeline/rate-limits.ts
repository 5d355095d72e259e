// Daily counters for the subscribe form's abuse limits, in the store: limits/<day>/<kind>/<hash>.json. The
// counted value (an address, a client IP) is stored only as a keyed-free hash, never in the clear.
//
// A counter is re-read and rewritten (the store has no atomic increment): two requests at the same instant
// can both pass at the limit's edge, so the bound is the limit plus the requests in flight at once, which the
// endpoint's throttling keeps small. Old days' counters are removed by the bucket's lifecycle rule on limits/.
import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { ObjectStore } from '../core/ports.ts';
import { PREFIX } from '../triggers.ts';

const CounterSchema = z.object({ count: z.number().int().min(0) });

export type LimitKind = 'address' | 'client';

export function counterKey(kind: LimitKind, value: string, now: Date): string {
  const hash = createHash('sha256').update(`newsdigest.limit:${kind}:${value.trim().toLowerCase()}`).digest('hex').slice(0, 32);
  return `${PREFIX.limits}${now.toISOString().slice(0, 10)}/${kind}/${hash}.json`;
}

/** Counts one use of `value` today; false (and nothing counted) when today's `limit` is already used up. */
export async function takeFromLimit(store: ObjectStore, kind: LimitKind, value: string, limit: number, now: Date): Promise<boolean> {
  const key = counterKey(kind, value, now);
  const obj = await store.get(key);
  const parsed = obj ? CounterSchema.safeParse(JSON.parse(new TextDecoder().decode(obj.body))) : null;
  const count = parsed?.success ? parsed.data.count : 0;
  if (count >= limit) return false;
  await store.put(key, JSON.stringify({ count: count + 1 }), 'application/json');
  return true;
}
