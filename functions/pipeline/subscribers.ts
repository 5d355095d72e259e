// The subscriber store: one object per subscriber, subscribers/<id>.json, over the ObjectStore port. The id is
// subscriberId(address), the same hash the delivery markers use, so deliveries/<edition>/<id>.json line up.
//
// Creation is atomic (putIfAbsent): two sign-ups of one address make one record. An update re-reads the
// record, applies a pure change and writes it back. The store has no compare-and-swap on overwrite, so two
// updates of the same subscriber at the same moment (a complaint arriving while the subscriber saves their
// preferences) can lose one of them: the last write wins. The window is one read-modify-write (milliseconds),
// and each writer changes its own fields from a fresh read; feedback events that matter (bounces, complaints)
// are redelivered by SNS/EventBridge on failure and are idempotent, so a lost one recurs on the next send.
import { subscriberId } from '../core/subscriber-id.ts';
import type { ObjectStore } from '../core/ports.ts';
import { SubscriberRecordSchema, newSubscriber, type NewSubscriber, type SubscriberRecord } from '../core/subscriber.ts';
import { PREFIX } from '../triggers.ts';

export function subscriberKey(id: string): string {
  return `${PREFIX.subscribers}${id}.json`;
}

function serialize(record: SubscriberRecord): string {
  return `${JSON.stringify(SubscriberRecordSchema.parse(record), null, 2)}\n`;
}

function parseRecord(key: string, body: Uint8Array): SubscriberRecord {
  const parsed = SubscriberRecordSchema.safeParse(JSON.parse(new TextDecoder().decode(body)));
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid ${key}: ${why}`);
  }
  return parsed.data;
}

/** The record with this id, or null. Throws on a malformed record (an operator's mistake to see, not to skip). */
export async function getSubscriber(store: ObjectStore, id: string): Promise<SubscriberRecord | null> {
  const key = subscriberKey(id);
  const obj = await store.get(key);
  return obj ? parseRecord(key, obj.body) : null;
}

export function getSubscriberByAddress(store: ObjectStore, email: string): Promise<SubscriberRecord | null> {
  return getSubscriber(store, subscriberId(email));
}

/** Writes the record as given (an operator's add, a test): no read first. */
export async function putSubscriber(store: ObjectStore, record: SubscriberRecord): Promise<void> {
  await store.put(subscriberKey(record.id), serialize(record), 'application/json');
}

/** Creates the record unless the address already has one; returns what is stored and whether it was created. */
export async function createSubscriber(store: ObjectStore, input: NewSubscriber): Promise<{ record: SubscriberRecord; created: boolean }> {
  const record = newSubscriber(input);
  if (await store.putIfAbsent(subscriberKey(record.id), serialize(record), 'application/json')) return { record, created: true };
  const existing = await getSubscriber(store, record.id);
  if (!existing) throw new Error(`subscriber ${record.id} was taken, then vanished`);
  return { record: existing, created: false };
}

/**
 * Re-read, change, write back (see the race above). `change` returns the same object for "nothing to do",
 * which writes nothing. Null when the subscriber does not exist.
 */
export async function updateSubscriber(
  store: ObjectStore,
  id: string,
  change: (record: SubscriberRecord) => SubscriberRecord,
): Promise<SubscriberRecord | null> {
  const current = await getSubscriber(store, id);
  if (!current) return null;
  const next = change(current);
  if (next !== current) await putSubscriber(store, next);
  return next;
}

export async function deleteSubscriber(store: ObjectStore, id: string): Promise<boolean> {
  const key = subscriberKey(id);
  if (!(await store.get(key))) return false;
  await store.delete(key);
  return true;
}

/** Every stored subscriber, in id order. */
export async function* listSubscribers(store: ObjectStore): AsyncIterable<SubscriberRecord> {
  for await (const o of store.list(PREFIX.subscribers)) {
    if (!o.key.endsWith('.json')) continue;
    const obj = await store.get(o.key);
    if (obj) yield parseRecord(o.key, obj.body);
  }
}

/**
 * Imports addresses as active subscribers (consent source `import`), leaving every address that already has
 * a record as it is: an import never resubscribes someone who left or bounced. Returns the count created.
 */
export async function importSubscribers(store: ObjectStore, list: Array<{ email: string; name?: string | undefined }>, at: Date): Promise<number> {
  let created = 0;
  for (const s of list) {
    const r = await createSubscriber(store, { email: s.email, name: s.name, status: 'active', consentSource: 'import', at });
    if (r.created) created++;
  }
  return created;
}
