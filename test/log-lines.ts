// Test plumbing for the handlers' output: a stream that keeps the JSON lines written to it (a runtime's
// `logStream`), and the EMF metric blobs among them.
import { Writable } from 'node:stream';

export type LogLine = Record<string, unknown>;

export function lineSink(): { stream: Writable; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { stream, lines };
}

/** The EMF blobs a runtime outside Lambda logged at debug (`metrics` lines). */
export function metricsLines(lines: LogLine[]): Array<LogLine & { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][] }> } }> {
  return lines.filter((l) => l.message === 'metrics').map((l) => l.emf as LogLine & { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][] }> } });
}
