// The class of a rejection, from its error message: a metric dimension needs a few known values, and the
// messages carry sizes, line numbers and parser details.

/** Ordered: the first class whose pattern matches the message wins. */
const CLASSES = [
  // Over a limit: MAX_FILE_BYTES, MAX_DECOMPRESSED_BYTES, the line length, MAX_ARTICLES_PER_FILE.
  ['too-large', /^(file too large|decompressed size exceeds|line too long|only the first \d+ of \d+)/],
  ['empty', /^(empty (file|text)|JSON holds no entries|JSON Lines file has no entries|feed has no items)/],
  ['not-text', /^(binary file|not text|corrupt gzip data)/],
  ['malformed', /^(invalid JSON|malformed XML|XML has no root element|XML is not an RSS|JSON holds |entry is )/],
  ['no-article', /^(no article|no title found|invalid article|invalid entry|feed (item|entry) )/],
  // The parser thread was stopped: the time limit (PARSE_TIMEOUT_MS), its heap limit, or a crash.
  ['timeout', /^parsing took longer than/],
  ['parser-failure', /^(parsing needed more than|parser (crashed|stopped|failed)|input too complex)/],
] as const;

export type RejectionReason = (typeof CLASSES)[number][0] | 'other';

/** Every class, in a fixed order (the dashboard draws one line per class). */
export const REJECTION_REASONS: readonly RejectionReason[] = [...CLASSES.map(([c]) => c), 'other'];

/** The class of an error message as ingest reports it (`line 3: invalid JSON: …` included). */
export function rejectionReason(error: string): RejectionReason {
  const message = error.replace(/^line \d+: /, '');
  for (const [reason, pattern] of CLASSES) if (pattern.test(message)) return reason;
  return 'other';
}
