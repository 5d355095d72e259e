// The pipeline's log port backed by the Powertools logger: one JSON line per entry, with the service name and,
// within an invocation, the Lambda request id and cold start.
import { LogLevelThreshold, Logger, type LogItem } from '@aws-lambda-powertools/logger';
import type { LogLevel as PowertoolsLevel } from '@aws-lambda-powertools/logger/types';
import type { Context } from 'aws-lambda';
import type { Log, LogLevel } from '../core/telemetry.ts';

export interface LoggerOptions {
  serviceName: string;
  /** Powertools levels (trace … critical, silent), any case (the environment's LOG_LEVEL, validated). */
  level: string;
  /**
   * Where the lines go. Unset: as Powertools does in Lambda (stdout, errors and warnings to stderr). Given (the CLI,
   * the local runner, tests): every line to it, so that a command's stdout stays its own output.
   */
  stream?: NodeJS.WritableStream | undefined;
}

/** Powertools' logger with its lines written to one stream; the lines are the same. */
class StreamLogger extends Logger {
  constructor(
    options: ConstructorParameters<typeof Logger>[0],
    private readonly stream: NodeJS.WritableStream,
  ) {
    super(options);
  }

  protected override printLog(_level: number, log: LogItem): void {
    log.prepareForPrint();
    this.stream.write(`${JSON.stringify(log.getAttributes(), this.getJsonReplacer())}\n`);
  }
}

export interface PipelineLogger {
  log: Log;
  /** Whether a line at this level would be written (a caller can skip building it). */
  enabled(level: LogLevel): boolean;
  /** The lines that follow belong to this invocation: its request id, function and cold start. */
  addContext: (context: Partial<Context>) => void;
}

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export function createPipelineLogger(options: LoggerOptions): PipelineLogger {
  const config = { serviceName: options.serviceName, logLevel: options.level.toUpperCase() as PowertoolsLevel };
  const logger = options.stream ? new StreamLogger(config, options.stream) : new Logger(config);
  const enabled = (level: LogLevel) => LogLevelThreshold[level.toUpperCase() as Uppercase<LogLevel>] >= logger.level;
  return {
    log: ({ level, msg, ...fields }) => {
      const at = LEVELS.includes(level as LogLevel) ? (level as LogLevel) : 'info';
      // A line below the level costs nothing more than this check (the load benchmark logs at warn).
      if (enabled(at)) logger[at]({ message: typeof msg === 'string' ? msg : '', ...fields });
    },
    enabled,
    // Powertools reads the naming fields only (request id, function name, ARN, memory, version).
    addContext: (context) => logger.addContext(context as Context),
  };
}
