// Output keys derived from user-chosen input keys must stay under their prefix and within S3's 1,024 bytes.
import { createHash } from 'node:crypto';

const MAX_KEY_BYTES = 1024;

/** Neutralise path tricks (`..`, `.`, empty segments, leading `/`, backslashes) segment by segment. */
export function safeKeyPath(key: string): string {
  return key
    .normalize('NFC')
    .replace(/\\/g, '/')
    .split('/')
    .filter((s) => s.length > 0)
    .map((s) => (s === '.' || s === '..' ? encodeURIComponent(s).replace(/\./g, '%2E') : s))
    .join('/');
}

/** `<prefix><safe key><suffix>`, hashed when it would exceed S3's key length limit. */
export function derivedKey(prefix: string, key: string, suffix: string): string {
  const candidate = `${prefix}${safeKeyPath(key)}${suffix}`;
  if (Buffer.byteLength(candidate) <= MAX_KEY_BYTES) return candidate;
  const digest = createHash('sha256').update(key).digest('hex');
  return `${prefix}long-keys/${digest}${suffix}`;
}

/** Real S3 event keys are URL-encoded with `+` for spaces. */
export function decodeEventKey(raw: string): string {
  return decodeURIComponent(raw.replace(/\+/g, ' '));
}

/** The inverse, as S3 does it, for the local runner (s3rver emits raw keys). */
export function encodeEventKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
}
