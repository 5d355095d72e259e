// Sends paced to the provider's rate: the n-th send of a run starts no earlier than n / rate seconds after the
// first (a send that ran late does not earn a burst after it). Time and sleep are injected: tests use their own.
import type { Mailer } from '../adapters/mailer.ts';

export interface PaceClock {
  /** A monotonic time in ms (performance.now in the handler). */
  nowMs: () => number;
  sleep: (ms: number) => Promise<void>;
}

export const realPaceClock: PaceClock = {
  nowMs: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Resolves when the next send may start; a null rate never waits. */
export function createPacer(rate: number | null, clock: PaceClock): () => Promise<void> {
  if (rate === null) return () => Promise.resolve();
  const interval = 1000 / rate;
  let next: number | null = null;
  return async () => {
    const now = clock.nowMs();
    if (next !== null && next > now) await clock.sleep(next - now);
    next = Math.max(next ?? 0, clock.nowMs()) + interval;
  };
}

/** The provider's rate; when it cannot be read, one message per second (SES's sandbox rate) rather than none. */
export async function sendRateOf(mailer: Mailer, log: (entry: Record<string, unknown>) => void): Promise<number | null> {
  if (!mailer.maxSendRate) return null;
  try {
    return await mailer.maxSendRate();
  } catch (e) {
    log({ level: 'warn', msg: 'send rate unknown, sending one message per second', error: e instanceof Error ? e.message : String(e) });
    return 1;
  }
}
