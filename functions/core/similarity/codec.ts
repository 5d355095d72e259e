// Compact binary <-> base64 encodings for fingerprint fields (JSON stays strings and numbers only).
import { Buffer } from 'node:buffer';

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

export function fromBase64(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'base64'));
}

export function encodeU32(values: ArrayLike<number>): string {
  const b = new Uint8Array(values.length * 4);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < values.length; i++) dv.setUint32(i * 4, values[i]! >>> 0, true);
  return toBase64(b);
}

export function decodeU32(s: string): Uint32Array {
  const b = fromBase64(s);
  const n = b.length >>> 2;
  const out = new Uint32Array(n);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < n; i++) out[i] = dv.getUint32(i * 4, true);
  return out;
}

export function encodeU16(values: ArrayLike<number>): string {
  const b = new Uint8Array(values.length * 2);
  for (let i = 0; i < values.length; i++) {
    b[i * 2] = values[i]! & 0xff;
    b[i * 2 + 1] = (values[i]! >>> 8) & 0xff;
  }
  return toBase64(b);
}

export function decodeU16(s: string): Uint16Array {
  const b = fromBase64(s);
  const n = b.length >>> 1;
  const out = new Uint16Array(n);
  for (let i = 0; i < n; i++) out[i] = b[i * 2]! | (b[i * 2 + 1]! << 8);
  return out;
}

/** Unsigned LEB128 varints. */
export function encodeVarints(values: number[]): string {
  const out: number[] = [];
  for (let v of values) {
    v = Math.max(0, Math.floor(v));
    while (v >= 0x80) {
      out.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(v);
  }
  return toBase64(Uint8Array.from(out));
}

export function decodeVarints(s: string): number[] {
  const b = fromBase64(s);
  const out: number[] = [];
  let v = 0;
  let mul = 1;
  for (let i = 0; i < b.length; i++) {
    const x = b[i]!;
    v += (x & 0x7f) * mul;
    if (x & 0x80) mul *= 128;
    else {
      out.push(v);
      v = 0;
      mul = 1;
    }
  }
  return out;
}

/**
 * Walks a fingerprint's decoded `sents` stream (varints: per sentence its term count, then that many deltas of
 * sorted local term indexes), calling `term` for each term and `end` after each sentence.
 */
export function walkSentenceTerms(b: Uint8Array, term: (index: number) => void, end?: () => void): void {
  let p = 0;
  const next = (): number => {
    let v = 0;
    let mul = 1;
    while (p < b.length) {
      const x = b[p++]!;
      v += (x & 0x7f) * mul;
      if (!(x & 0x80)) break;
      mul *= 128;
    }
    return v;
  };
  while (p < b.length) {
    const n = next();
    let prev = 0;
    for (let i = 0; i < n && p < b.length; i++) {
      prev += next();
      term(prev);
    }
    end?.();
  }
}
