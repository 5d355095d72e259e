// Cold-start wiring shared by the handlers: configuration from the environment, the S3 store, logs and metrics.
import type { Context } from 'aws-lambda';
import { isMainThread } from 'node:worker_threads';
import { createPipelineLogger } from './adapters/powertools-logger.ts';
import { createPipelineMetrics } from './adapters/powertools-metrics.ts';
import { S3ObjectStore, createS3Client } from './adapters/s3-store.ts';
import { type PipelineConfig, type TelemetryConfig, loadConfig, telemetryConfig } from './config.ts';
import { fixedClock, systemClock, type Clock, type ObjectStore } from './core/ports.ts';
import { noMetrics, type Log, type Metrics } from './core/telemetry.ts';

export interface Telemetry {
  log: Log;
  metrics: Metrics;
  /** The log lines that follow belong to this invocation (its request id, cold start). */
  addContext(context: Partial<Context>): void;
}

export interface Runtime extends Telemetry {
  config: PipelineConfig;
  store: ObjectStore;
  clock: Clock;
}

export interface RuntimeOptions {
  /** Outside Lambda, where the log lines (and, at debug, the metrics) go: stderr by default. */
  logStream?: NodeJS.WritableStream;
}

/**
 * In Lambda (AWS_LAMBDA_FUNCTION_NAME set) Powertools writes as it ships: log lines and EMF metrics on stdout.
 * Elsewhere (the CLI, the local runner, tests) every line goes to one stream, stderr by default, so that a
 * command's stdout stays its own output; the metrics are a debug line there, or nothing above debug.
 */
export function createTelemetry(settings: TelemetryConfig, env: NodeJS.ProcessEnv, options: RuntimeOptions = {}): Telemetry {
  const lambda = Boolean(env.AWS_LAMBDA_FUNCTION_NAME);
  const { serviceName, namespace } = settings;
  const logger = createPipelineLogger({ serviceName, level: settings.logLevel, stream: lambda ? undefined : (options.logStream ?? process.stderr) });
  let metrics: Metrics = noMetrics;
  if (lambda) metrics = createPipelineMetrics({ namespace, serviceName });
  else if (logger.enabled('debug')) metrics = createPipelineMetrics({ namespace, serviceName, emit: (emf) => logger.log({ level: 'debug', msg: 'metrics', emf }) });
  return { log: logger.log, metrics, addContext: logger.addContext };
}

export function createRuntime(env: NodeJS.ProcessEnv = process.env, options: RuntimeOptions = {}): Runtime {
  const config = loadConfig(env);
  const client = createS3Client({
    endpoint: config.s3Endpoint,
    region: config.region,
    // A custom endpoint's keys come from the environment given (a local run's, not this process's); in AWS the
    // SDK's default chain finds the execution role's.
    credentials: config.s3Endpoint && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY }
      : undefined,
  });
  return {
    config,
    store: new S3ObjectStore(client, config.bucket),
    clock: config.clockAt ? fixedClock(config.clockAt) : systemClock,
    ...createTelemetry(config.telemetry, env, options),
  };
}

/**
 * One invocation as the handlers run it: its log lines carry the Lambda context when there is one, and its
 * metrics are published once, at the end, also when it throws.
 */
export async function invocation<T>(rt: Telemetry, context: Partial<Context> | undefined, run: () => Promise<T>): Promise<T> {
  if (context?.awsRequestId) rt.addContext(context);
  try {
    return await run();
  } finally {
    rt.metrics.flush();
  }
}

/** A handler run as one `invocation` each time, with the runtime `getRuntime` gives: what the handler modules export. */
export function invoked<E, C extends Partial<Context>, R>(getRuntime: () => Telemetry, handle: (event: E, context?: C) => Promise<R>) {
  return async (event: E, context?: C): Promise<R> => invocation(getRuntime(), context, () => handle(event, context));
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
  log?: Log,
  mainThread: boolean = isMainThread,
): Promise<void> {
  if (!mainThread || !env.AWS_LAMBDA_FUNCTION_NAME) return;
  if (!log) {
    const { serviceName, logLevel } = telemetryConfig(env);
    log = createPipelineLogger({ serviceName, level: logLevel }).log;
  }
  const started = performance.now();
  try {
    await handler.warm();
    log({ msg: 'init', warmed: true, ms: Math.round(performance.now() - started) });
  } catch (e) {
    log({ level: 'warn', msg: 'init', warmed: false, error: String(e) });
  }
}
