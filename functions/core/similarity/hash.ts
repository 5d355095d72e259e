// Small seeded 32-bit hashes (MurmurHash3 x86_32 over UTF-16 code units, and its finaliser).
// Fixed seeds make fingerprints stable across runs, machines and Node versions.

export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** MurmurHash3 (x86, 32-bit) of a string's UTF-16 code units, two units per block. */
export function hashString(s: string, seed = 0x9747b28c): number {
  let h = seed | 0;
  const n = s.length;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    let k = (s.charCodeAt(i) & 0xffff) | ((s.charCodeAt(i + 1) & 0xffff) << 16);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  if (i < n) {
    let k = s.charCodeAt(i) & 0xffff;
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
  }
  h ^= n * 2;
  return fmix32(h);
}

/** Hex string of a 32-bit hash of a string, 8 chars (two seeds give 16). */
export function hex64(s: string): string {
  return hashString(s, 0x2f0b1c7d).toString(16).padStart(8, '0') + hashString(s, 0x6a09e667).toString(16).padStart(8, '0');
}
