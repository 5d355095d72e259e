// Cold-start wiring shared by the handlers: configuration from the environment, the S3 store, the logger.
import { isMainThread } from 'node:worker_threads';
import { S3ObjectStore, createS3Client } from './adapters/s3-store.ts';
import { type PipelineConfig, loadConfig } from './config.ts';
import { fixedClock, systemClock, type Clock, type ObjectStore } from './core/ports.ts';

export interface Runtime {
  config: PipelineConfig;
  store: ObjectStore;
  clock: Clock;
  log: (entry: Record<string, unknown>) => void;
}

const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

/** One JSON object per line: CloudWatch Logs Insights and `jq` both read it. */
export function jsonLogger(minLevel: string = 'info'): (entry: Record<string, unknown>) => void {
  const min = Math.max(0, LEVELS.indexOf(minLevel as (typeof LEVELS)[number]));
  return (entry) => {
    const level = typeof entry.level === 'string' ? entry.level : 'info';
    if (LEVELS.indexOf(level as (typeof LEVELS)[number]) < min) return;
    const line = JSON.stringify({ time: new Date().toISOString(), level, ...entry });
    if (level === 'error' || level === 'warn') console.error(line);
    else console.log(line);
  };
}

export function createRuntime(env: NodeJS.ProcessEnv = process.env): Runtime {
  const config = loadConfig(env);
  const client = createS3Client({
    endpoint: config.s3Endpoint,
    region: config.region,
    // The embedded s3rver accepts exactly these; in AWS the execution role's credentials are used.
    credentials: config.s3Endpoint
      ? { accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'S3RVER', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'S3RVER' }
      : undefined,
  });
  return {
    config,
    store: new S3ObjectStore(client, config.bucket),
    clock: config.clockAt ? fixedClock(config.clockAt) : systemClock,
    log: jsonLogger(env.LOG_LEVEL),
  };
}

/** Built on first use, then reused across warm invocations. */
export function lazy<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

/**
 * Lambda runs a handler module's top level once per instance, in the init phase, before the first event. The
 * handlers call this there, so their one-time work (the parser thread and its models, the compiled templates)
 * is done before the first event instead of during it. Only in Lambda, and only on the main thread: a parser
 * thread runs the same bundle as its script. It never throws; a runtime that cannot start (bad configuration)
 * fails the first event instead, as it would without this. Logs one `init` line either way.
 */
export async function warmAtLambdaInit(
  handler: { warm(): Promise<void> },
  env: NodeJS.ProcessEnv = process.env,
  log: (entry: Record<string, unknown>) => void = jsonLogger(env.LOG_LEVEL),
  mainThread: boolean = isMainThread,
): Promise<void> {
  if (!mainThread || !env.AWS_LAMBDA_FUNCTION_NAME) return;
  const started = performance.now();
  try {
    await handler.warm();
    log({ msg: 'init', warmed: true, ms: Math.round(performance.now() - started) });
  } catch (e) {
    log({ level: 'warn', msg: 'init', warmed: false, error: String(e) });
  }
}
