// Shared test plumbing: a local pipeline on a throw-away folder, and readers for what it stored.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { S3Event } from 'aws-lambda';
import { encodeEventKey } from '../functions/core/keys.ts';
import type { ArticleRecord } from '../functions/core/schema.ts';
import { createDigestHandler } from '../functions/digest/handler.ts';
import { loadArticleRecords } from '../functions/pipeline/digest.ts';
import { createIngestHandler } from '../functions/ingest/handler.ts';
import { createRuntime, lazy } from '../functions/runtime.ts';
import { startLocalPipeline, readText, uploadFile, type LocalPipeline, type LocalPipelineOptions } from '../local/pipeline.ts';

export const SEEDS_DIR = path.resolve(import.meta.dirname, '..', 'seeds');

export function seedFiles(): Array<{ name: string; body: Buffer }> {
  return readdirSync(SEEDS_DIR)
    .sort()
    .map((name) => ({ name, body: readFileSync(path.join(SEEDS_DIR, name)) }));
}

export interface TestPipeline extends LocalPipeline {
  upload(key: string, body: Uint8Array | string): Promise<void>;
  text(key: string): Promise<string | null>;
  json<T = unknown>(key: string): Promise<T | null>;
  keys(prefix: string): Promise<string[]>;
  /** Every stored article (from the source records), one per id, sorted by id: what the digest reads. */
  articles(): Promise<ArticleRecord[]>;
  /** The real handlers, bound to this pipeline's bucket, for invoking them with hand-made events. */
  ingest: ReturnType<typeof createIngestHandler>;
  digest: ReturnType<typeof createDigestHandler>;
  cleanup(): Promise<void>;
}

export async function startTestPipeline(options: Partial<LocalPipelineOptions> = {}): Promise<TestPipeline> {
  const directory = mkdtempSync(path.join(tmpdir(), 'newsdigest-test-'));
  const p = await startLocalPipeline({ directory, batchWindowMs: 50, ...options });
  const runtime = lazy(() => createRuntime(p.env));
  return {
    ...p,
    upload: (key, body) => uploadFile(p.s3.client, p.bucket, key, typeof body === 'string' ? Buffer.from(body) : body),
    text: (key) => readText(p.s3.client, p.bucket, key),
    json: async <T>(key: string) => {
      const t = await readText(p.s3.client, p.bucket, key);
      return t === null ? null : (JSON.parse(t) as T);
    },
    keys: async (prefix) => {
      const out: string[] = [];
      for await (const o of p.store.list(prefix)) out.push(o.key);
      return out;
    },
    articles: () => loadArticleRecords(p.store),
    ingest: createIngestHandler(runtime),
    digest: createDigestHandler(runtime),
    cleanup: async () => {
      await p.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * One day of a replay: a local pipeline over the bucket kept in `directory` (the first day creates it), its
 * handlers' clock standing at `at`. Close it (not cleanup) and start the next day over the same directory.
 */
export function startPipelineAt(directory: string, at: string, options: Partial<LocalPipelineOptions> = {}): Promise<LocalPipeline> {
  return startLocalPipeline({ batchWindowMs: 50, ...options, directory, reset: false, env: { ...options.env, CLOCK_AT: at } });
}

/** An S3 event as AWS delivers it for one object (key URL-encoded, `+` for spaces). */
export function s3Event(bucket: string, key: string, eventName = 'ObjectCreated:Put'): S3Event {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: new Date().toISOString(),
        eventName,
        userIdentity: { principalId: 'AWS:AIDAEXAMPLE' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': 'EXAMPLE123456789', 'x-amz-id-2': 'EXAMPLE/abc' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'inbox-to-ingest',
          bucket: { name: bucket, ownerIdentity: { principalId: 'EXAMPLE' }, arn: `arn:aws:s3:::${bucket}` },
          object: { key: encodeEventKey(key), size: 1, eTag: '0123456789abcdef0123456789abcdef', sequencer: '0A1B2C3D4E5F678901' },
        },
      },
    ],
  };
}

/** A real SMTP server in this process (smtp-server), keeping every message it receives, parsed by mailparser. */
export interface SmtpCatcher {
  url: string;
  port: number;
  messages: Array<{ envelope: { from: string; to: string[] }; raw: Buffer; parsed: import('mailparser').ParsedMail }>;
  /** Addresses the server refuses at RCPT TO (550), as a real mailbox that does not exist; change it at will. */
  refused: Set<string>;
  close(): Promise<void>;
}

export async function startSmtpCatcher(): Promise<SmtpCatcher> {
  const { SMTPServer } = await import('smtp-server');
  const { simpleParser } = await import('mailparser');
  const messages: SmtpCatcher['messages'] = [];
  const refused = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (!refused.has(address.address.toLowerCase())) return callback();
      return callback(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (parsed) => {
            const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
            messages.push({ envelope: { from, to: session.envelope.rcptTo.map((r) => r.address) }, raw, parsed });
            callback();
          },
          (e: Error) => callback(e),
        );
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `smtp://127.0.0.1:${port}`, port, messages, refused, close: () => new Promise<void>((r) => server.close(() => r())) };
}
