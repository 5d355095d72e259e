// `newsdigest dev`: the whole product on this machine, kept running. The embedded S3 on a fixed port, the
// real handlers behind its notifications, a watched inbox/ folder, a local SMTP catcher with a web inbox
// (MailDev, in this process), a web server for the latest edition and the archive, and the subscriptions
// handler on its own port (the link key generated once into the data folder).
import { existsSync, mkdirSync, readFileSync, statSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import { ARCHIVE_KEYS, readLatestPointer } from '../functions/pipeline/archive.ts';
import { SUBSCRIBERS_KEY } from '../functions/pipeline/deliver.ts';
import { PREFIX, httpTriggers } from '../functions/triggers.ts';
import { startLocalPipeline, uploadFile, type LocalPipeline } from '../local/pipeline.ts';
import { ensureLocalTokenKey, startSubscriptionsServer } from '../local/subscriptions-server.ts';
import { collectFiles } from './files.ts';

export interface DevOptions {
  /** Embedded S3 storage; kept between runs. */
  data: string;
  /** The watched folder; its files are uploaded to inbox/ in the bucket. */
  inbox: string;
  host: string;
  s3Port: number;
  webPort: number;
  smtpPort: number;
  mailPort: number;
  /** The subscriptions pages (0: any free port). */
  subscriptionsPort?: number;
  /** Upload seeds/ at start. */
  seed: boolean;
  log?: (line: string) => void;
}

export const DEV_DEFAULTS = { data: '.data/dev', inbox: 'inbox', host: '127.0.0.1', s3Port: 4568, webPort: 8080, smtpPort: 1025, mailPort: 1080, subscriptionsPort: 8081 } as const;

/** What `newsdigest send` needs to find a running `dev`: written to <data>/dev.json. */
export interface DevState {
  s3Endpoint: string;
  bucket: string;
  smtpUrl: string;
  webUrl: string;
  mailUrl: string;
  /** The subscriptions endpoint and the file holding the link key (`send` signs links with it). */
  subscriptionsUrl: string;
  tokenKeyFile: string;
  pid: number;
}

export function devStateFile(data: string): string {
  return path.join(data, 'dev.json');
}

export interface DevServer {
  state: DevState;
  pipeline: LocalPipeline;
  /** Resolves when every file the watcher saw so far is uploaded. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.eml': 'message/rfc822',
  '.png': 'image/png',
};

function send(res: ServerResponse, status: number, body: string | Uint8Array, type = 'text/plain; charset=utf-8', extra: Record<string, string> = {}) {
  res.writeHead(status, {
    'Content-Type': type,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; base-uri 'none'; form-action 'none'",
    ...extra,
  });
  res.end(body);
}

function waitingPage(webUrl: string, inbox: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="3"><title>newsdigest dev</title>
<style>body{font-family:Helvetica,Arial,sans-serif;max-width:600px;margin:40px auto;padding:0 16px;color:#1f1f1c}code{background:#eee;padding:2px 4px}</style></head>
<body><h1>No edition yet</h1><p>Drop article files into <code>${inbox.replace(/[<>&]/g, '')}/</code>; this page reloads until the first edition is published.</p>
<p><a href="${webUrl}/digests/index.html">All editions</a></p></body></html>`;
}

function isTemporary(name: string): boolean {
  const base = path.basename(name);
  return base.startsWith('.') || /(~|\.swp|\.part|\.crdownload|\.tmp)$/i.test(base);
}

export async function startDev(options: DevOptions): Promise<DevServer> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const host = options.host;
  const webUrl = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${options.webPort}`;
  const smtpUrl = `smtp://${host}:${options.smtpPort}`;
  const publicHost = host === '0.0.0.0' ? '127.0.0.1' : host;
  const tokenKeyFile = ensureLocalTokenKey(path.resolve(options.data));

  // The SMTP catcher and its web inbox. MailDev is ESM with its own dependencies: loaded only here.
  const { MailDev } = await import('maildev');
  const maildev = new MailDev({ smtp: options.smtpPort, web: options.mailPort, ip: host, webIp: host, silent: true, mailDirectory: path.resolve(options.data, 'mail') });
  const originalInfo = console.info;
  console.info = () => undefined; // MailDev announces itself on console.info; the URLs are printed below.
  try {
    await maildev.start();
  } finally {
    console.info = originalInfo;
  }

  // The HTTP-triggered handlers of functions/triggers.ts (the subscriptions pages) on a local port, listening
  // first so that the pipeline's emails can link to it; the handler reads the pipeline's settings on first use.
  let pipelineEnv: NodeJS.ProcessEnv = {};
  const subscriptions = httpTriggers().some((t) => t.handler === 'subscriptions')
    ? await startSubscriptionsServer(() => pipelineEnv, { port: options.subscriptionsPort ?? 0, host })
    : null;
  const subscriptionsUrl = subscriptions?.url ?? '';
  const pipeline = await startLocalPipeline({
    directory: path.join(options.data, 's3'),
    reset: false,
    port: options.s3Port,
    warm: true,
    env: {
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      PUBLIC_BASE_URL: `${webUrl}/digests/`,
      MAIL_FROM: 'News digest <digest@newsdigest.localhost>',
      MAILER: 'smtp',
      SMTP_URL: smtpUrl,
      TOKEN_KEY_FILE: tokenKeyFile,
      // The digest's archived message.eml and every delivery point their one-click link at the local endpoint.
      ...(subscriptionsUrl ? { SUBSCRIPTIONS_URL: subscriptionsUrl, UNSUBSCRIBE_URL: `${subscriptionsUrl}/unsubscribe` } : {}),
    },
    onError: (handler, error) => log(`${handler} failed: ${error instanceof Error ? error.message : String(error)}`),
    onIngest: (r) => log(`ingest  ${r.key}: ${r.status}${'articles' in r && Array.isArray(r.articles) ? ` (${r.articles.length} article${r.articles.length === 1 ? '' : 's'})` : ''}`),
  });
  pipelineEnv = pipeline.env;
  const store = pipeline.store;
  if (!(await store.get(SUBSCRIBERS_KEY))) {
    await store.put(SUBSCRIBERS_KEY, `${JSON.stringify({ subscribers: [{ email: 'reader@example.test', name: 'Dev reader' }] }, null, 2)}\n`, 'application/json');
  }

  // The watched folder: every new or changed file goes to inbox/ (ingest is idempotent, so repeats are harmless).
  const inboxDir = path.resolve(options.inbox);
  mkdirSync(inboxDir, { recursive: true });
  const timers = new Map<string, NodeJS.Timeout>();
  const uploads = new Set<Promise<void>>();
  const upload = (file: string) => {
    const rel = path.relative(inboxDir, file);
    if (rel.startsWith('..') || isTemporary(rel)) return;
    const key = `${PREFIX.inbox}${rel.split(path.sep).join('/')}`;
    const job = (async () => {
      try {
        if (!existsSync(file) || !statSync(file).isFile()) return;
        await uploadFile(pipeline.s3.client, pipeline.bucket, key, readFileSync(file));
        log(`upload  ${path.relative(process.cwd(), file)} → s3://${pipeline.bucket}/${key}`);
      } catch (e) {
        log(`upload  ${file} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    })();
    uploads.add(job);
    void job.finally(() => uploads.delete(job));
  };
  const schedule = (file: string) => {
    clearTimeout(timers.get(file));
    // Wait for the writer to finish: the last change event plus a quiet moment.
    timers.set(
      file,
      setTimeout(() => {
        timers.delete(file);
        upload(file);
      }, 300),
    );
  };
  const watcher: FSWatcher = watch(inboxDir, { recursive: true }, (_event, name) => {
    if (name) schedule(path.join(inboxDir, name.toString()));
  });
  const seedFiles = options.seed ? collectFiles(['seeds']).map((f) => ({ file: f, key: `${PREFIX.inbox}${path.basename(f)}` })) : [];
  for (const s of seedFiles) await uploadFile(pipeline.s3.client, pipeline.bucket, s.key, readFileSync(s.file));

  // The web server: the latest edition, the archive, the stored files, and a working unsubscribe link.
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const url = new URL(req.url ?? '/', webUrl);
      const p = decodeURIComponent(url.pathname);
      if (p === '/' || p === '/latest' || p === '/latest/') {
        const latest = await readLatestPointer(store);
        if (!latest) return send(res, 200, waitingPage(webUrl, options.inbox), TYPES['.html']);
        return send(res, 302, '', undefined, { Location: `/digests/${latest.edition}/index.html` });
      }
      if (p.startsWith('/digests/') && !p.split('/').includes('..')) {
        let key = p.slice(1);
        if (key.endsWith('/')) key += 'index.html';
        const obj = await store.get(key);
        if (!obj) return send(res, 404, `Not found: ${key}\n`);
        return send(res, 200, obj.body, TYPES[path.extname(key)] ?? 'application/octet-stream');
      }
      return send(res, 404, 'Not found\n');
    })().catch((e: unknown) => send(res, 500, `${e instanceof Error ? e.message : String(e)}\n`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.webPort, host, resolve);
  });

  const state: DevState = {
    s3Endpoint: pipeline.s3.endpoint,
    bucket: pipeline.bucket,
    smtpUrl,
    webUrl,
    mailUrl: `http://${publicHost}:${options.mailPort}`,
    subscriptionsUrl,
    tokenKeyFile,
    pid: process.pid,
  };
  mkdirSync(options.data, { recursive: true });
  writeFileSync(devStateFile(options.data), `${JSON.stringify(state, null, 2)}\n`);

  return {
    state,
    pipeline,
    settled: async () => {
      while (timers.size > 0 || uploads.size > 0) {
        await Promise.all(uploads);
        await new Promise((r) => setTimeout(r, 100));
      }
      await pipeline.runner.idle();
    },
    close: async () => {
      watcher.close();
      for (const t of timers.values()) clearTimeout(t);
      await Promise.all(uploads);
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await subscriptions?.close();
      await pipeline.runner.idle().catch(() => undefined);
      await pipeline.close();
      await maildev.stop();
    },
  };
}

export function formatDevBanner(state: DevState, options: Pick<DevOptions, 'inbox'>): string {
  return [
    'newsdigest dev: running (Ctrl-C stops)',
    '',
    `  latest edition   ${state.webUrl}/`,
    `  all editions     ${state.webUrl}/digests/index.html`,
    `  mail inbox       ${state.mailUrl}/          (MailDev: what \`newsdigest send\` delivered)`,
    ...(state.subscriptionsUrl ? [`  subscribe        ${state.subscriptionsUrl}/subscribe   (confirmation and unsubscribe links work here)`] : []),
    `  SMTP             ${state.smtpUrl}`,
    `  S3 endpoint      ${state.s3Endpoint}   bucket ${state.bucket}, credentials S3RVER / S3RVER`,
    `  watched folder   ${options.inbox}/  → s3://${state.bucket}/${PREFIX.inbox}`,
    '',
    `Drop article files into ${options.inbox}/, or upload with any S3 client:`,
    `  AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER aws s3 cp article.html s3://${state.bucket}/${PREFIX.inbox} --endpoint-url ${state.s3Endpoint}`,
    `Mail the latest edition now (to the dev inbox):  npx newsdigest send`,
    `Subscribers: npx newsdigest subscribers list (imported from s3://${state.bucket}/${SUBSCRIBERS_KEY}: reader@example.test to start with)`,
    `Archive pointer: s3://${state.bucket}/${ARCHIVE_KEYS.latestPointer}`,
  ].join('\n');
}
