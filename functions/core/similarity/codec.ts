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
export function encodeVarints(values: ArrayLike<number>): string {
  // Bytes written straight into a typed array (sized for small values, grown when a large one needs it).
  let out = new Uint8Array(values.length * 2 + 16);
  let n = 0;
  for (let k = 0; k < values.length; k++) {
    let v = Math.max(0, Math.floor(values[k]!));
    for (;;) {
      if (n === out.length) {
        const grown = new Uint8Array(out.length * 2);
        grown.set(out);
        out = grown;
      }
      if (!(v >= 0x80)) break; // as `while (v >= 0x80)`: NaN ends here too
      out[n++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    out[n++] = v;
  }
  return toBase64(out.subarray(0, n));
}

/**
 * Reads unsigned LEB128 varints from `bytes[p..end)` in place (no allocation: the hot loops of corpus building
 * and sentence alignment share it). A value cut off by `end` reads as what it has.
 */
export class VarintReader {
  bytes: Uint8Array = new Uint8Array(0);
  p = 0;
  end = 0;

  reset(bytes: Uint8Array, start: number, end: number): this {
    this.bytes = bytes;
    this.p = start;
    this.end = end;
    return this;
  }

  next(): number {
    const b = this.bytes;
    let v = 0;
    let mul = 1;
    while (this.p < this.end) {
      const x = b[this.p++]!;
      v += (x & 0x7f) * mul;
      if (!(x & 0x80)) break;
      mul *= 128;
    }
    return v;
  }
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

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** At most this many bytes come out of a base64 string (padding not subtracted: no string access). */
export function base64Bound(s: string): number {
  return (s.length * 3) >>> 2;
}

/**
 * A reusable decoding buffer: base64 goes straight into it (Buffer#write, the decoder Buffer.from uses),
 * with no allocation per field. Valid until the next `decode`.
 */
export class Base64Scratch {
  buf: Buffer = Buffer.allocUnsafeSlow(1 << 16);
  private u16 = new Uint16Array(this.buf.buffer, 0, this.buf.length >>> 1);
  private u32 = new Uint32Array(this.buf.buffer, 0, this.buf.length >>> 2);

  /** Decodes `s` into `buf`; returns the byte count. */
  decode(s: string): number {
    const need = base64Bound(s) + 4;
    if (need > this.buf.length) {
      let size = this.buf.length;
      while (size < need) size *= 2;
      this.buf = Buffer.allocUnsafeSlow(size);
      this.u16 = new Uint16Array(this.buf.buffer, 0, size >>> 1);
      this.u32 = new Uint32Array(this.buf.buffer, 0, size >>> 2);
    }
    return this.buf.write(s, 0, 'base64');
  }

  /** The i-th little-endian uint32 of the decoded bytes. */
  u32At(i: number): number {
    return LITTLE_ENDIAN ? this.u32[i]! : this.buf.readUInt32LE(i * 4);
  }

  /** The i-th little-endian uint16 of the decoded bytes. */
  u16At(i: number): number {
    return LITTLE_ENDIAN ? this.u16[i]! : this.buf.readUInt16LE(i * 2);
  }
}
