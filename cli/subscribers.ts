// `newsdigest subscribers list | add | remove | import FILE | export`: the operators' view of the subscriber
// store, through the same module the handlers use. By default on the local store (a running `dev`'s S3, or
// the dev data folder's, opened for the command); with --env on the bucket the environment names.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { S3ObjectStore } from '../functions/adapters/s3-store.ts';
import { SubscriberListSchema, parseSubscriberList } from '../functions/core/email.ts';
import type { ObjectStore } from '../functions/core/ports.ts';
import { AddressSchema, SubscriberRecordSchema, unsubscribe, type SubscriberRecord } from '../functions/core/subscriber.ts';
import { createSubscriber, deleteSubscriber, getSubscriberByAddress, importSubscribers, listSubscribers, putSubscriber, updateSubscriber } from '../functions/pipeline/subscribers.ts';
import { createRuntime } from '../functions/runtime.ts';
import { startEmbeddedS3 } from '../local/embedded-s3.ts';
import { devStateFile, type DevState } from './dev.ts';
import { UsageError } from './files.ts';

export interface SubscribersOptions {
  data: string;
  env: boolean;
  /** `remove --forget`: delete the record instead of marking it unsubscribed. */
  forget?: boolean;
  now?: Date;
}

/** The store to work on, and how to let go of it. */
async function openStore(options: SubscribersOptions): Promise<{ store: ObjectStore; close(): Promise<void> }> {
  if (options.env) return { store: createRuntime(process.env).store, close: async () => undefined };
  const file = devStateFile(options.data);
  if (existsSync(file)) {
    const state = JSON.parse(readFileSync(file, 'utf8')) as DevState;
    const env = { ...process.env, BUCKET: state.bucket, S3_ENDPOINT: state.s3Endpoint, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
    const reachable = await fetch(state.s3Endpoint, { method: 'HEAD' }).then(() => true, () => false);
    if (reachable) return { store: createRuntime(env).store, close: async () => undefined };
  }
  // No dev running: open its storage folder directly for this one command.
  const s3 = await startEmbeddedS3({ directory: path.join(options.data, 's3') });
  await s3.createBucket('newsdigest-local');
  return { store: new S3ObjectStore(s3.client, 'newsdigest-local'), close: () => s3.close() };
}

function line(r: SubscriberRecord): string {
  const p = r.preferences;
  const cadence = p.cadence.kind === 'weekly' ? `weekly:${p.cadence.day}` : 'daily';
  return [r.email, r.status, cadence, p.content, r.consent ? `${r.consent.source}@${r.consent.at}` : '-', `bounces:${r.bounces.length}`].join('\t');
}

/** Addresses from a file: a JSON export (records), config/subscribers.json's shape, or one address per line. */
export function readImportFile(text: string): Array<{ email: string; name?: string }> {
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    const json: unknown = JSON.parse(trimmed);
    const records = SubscriberRecordSchema.array().safeParse(Array.isArray(json) ? json : (json as { subscribers?: unknown }).subscribers);
    if (records.success) return records.data.map((r) => ({ email: r.email, ...(r.name ? { name: r.name } : {}) }));
    return SubscriberListSchema.parse(json);
  }
  return parseSubscriberList(trimmed);
}

export async function runSubscribers(action: string, args: string[], options: SubscribersOptions, out: (s: string) => void): Promise<void> {
  const now = options.now ?? new Date();
  if (!['list', 'add', 'remove', 'import', 'export'].includes(action)) throw new UsageError(`unknown subscribers action "${action}"`);
  if ((action === 'add' || action === 'remove' || action === 'import') && args.length === 0) throw new UsageError(`subscribers ${action} needs ${action === 'import' ? 'a FILE' : 'an address'}`);
  const opened = await openStore(options);
  const store = opened.store;
  try {
    if (action === 'list' || action === 'export') {
      const all: SubscriberRecord[] = [];
      for await (const r of listSubscribers(store)) all.push(r);
      all.sort((a, b) => a.email.localeCompare(b.email));
      out(action === 'export' ? JSON.stringify(all, null, 2) : all.map(line).join('\n') || '(no subscribers)');
    } else if (action === 'add') {
      for (const a of args) {
        const email = AddressSchema.parse(a);
        const { record, created } = await createSubscriber(store, { email, status: 'active', consentSource: 'cli', at: now });
        // An operator's add also brings back someone who left (not a suppressed address: it bounced).
        if (!created && record.status === 'unsubscribed') await putSubscriber(store, { ...record, status: 'active', consent: { at: now.toISOString(), source: 'cli' }, updatedAt: now.toISOString() });
        out(`${email}: ${created ? 'added' : record.status === 'unsubscribed' ? 'resubscribed' : `already ${record.status}`}`);
      }
    } else if (action === 'remove') {
      for (const a of args) {
        const email = AddressSchema.parse(a);
        const r = await getSubscriberByAddress(store, email);
        if (!r) out(`${email}: not found`);
        else if (options.forget) out(`${email}: ${(await deleteSubscriber(store, r.id)) ? 'deleted' : 'not found'}`);
        else out(`${email}: ${(await updateSubscriber(store, r.id, (x) => unsubscribe(x, now)))?.status ?? 'not found'}`);
      }
    } else {
      const list = readImportFile(readFileSync(args[0]!, 'utf8'));
      const created = await importSubscribers(store, list, now);
      out(`imported ${created} new of ${list.length} (addresses already known are left as they are)`);
    }
  } finally {
    await opened.close();
  }
}
