// Summed similarity between the current units of average linkage.
import { fmix32 } from '../similarity/hash.ts';

/**
 * Summed similarity per unordered unit pair (lo < hi), open addressing in 16-byte slots
 * [lo, hi, sum as float64]: one cache line per probe, no object per pair. A removed pair leaves a
 * tombstone (lo = -2) that probes walk past and inserts reuse.
 */
export class PairSums {
  private i32: Int32Array = new Int32Array(0);
  private f64: Float64Array = new Float64Array(0);
  private mask = 0;
  /** Slots ever filled (live or tombstone). */
  private filled = 0;
  constructor(expected: number) {
    let cap = 16;
    while (cap < expected * 2) cap *= 2;
    this.alloc(cap);
  }

  private alloc(cap: number): void {
    const buf = new ArrayBuffer(cap * 16);
    this.i32 = new Int32Array(buf);
    this.f64 = new Float64Array(buf);
    this.mask = cap - 1;
    this.filled = 0;
    for (let i = 0; i < cap; i++) this.i32[4 * i] = -1;
  }

  private static hash(lo: number, hi: number): number {
    return fmix32(Math.imul(lo, 0x9e3779b1) ^ hi);
  }

  /** Slot of the pair, or -1. */
  find(lo: number, hi: number): number {
    const s = this.i32;
    const mask = this.mask;
    let i = PairSums.hash(lo, hi) & mask;
    for (;;) {
      const k = s[4 * i]!;
      if (k === -1) return -1;
      if (k === lo && s[4 * i + 1] === hi) return i;
      i = (i + 1) & mask;
    }
  }

  sum(slot: number): number {
    return this.f64[2 * slot + 1]!;
  }

  add(slot: number, v: number): void {
    this.f64[2 * slot + 1]! += v;
  }

  remove(slot: number): void {
    this.i32[4 * slot] = -2;
  }

  /** Inserts a pair known to be absent. */
  insert(lo: number, hi: number, v: number): void {
    if ((this.filled + 1) * 2 > this.mask + 1) this.rehash();
    const s = this.i32;
    const mask = this.mask;
    let i = PairSums.hash(lo, hi) & mask;
    while (s[4 * i]! >= 0) i = (i + 1) & mask;
    if (s[4 * i] === -1) this.filled++;
    s[4 * i] = lo;
    s[4 * i + 1] = hi;
    this.f64[2 * i + 1] = v;
  }

  private rehash(): void {
    const oi = this.i32;
    const of = this.f64;
    let live = 0;
    for (let i = 0; i < oi.length; i += 4) if (oi[i]! >= 0) live++;
    let cap = this.mask + 1;
    while (cap < live * 4) cap *= 2;
    this.alloc(cap);
    for (let i = 0; i < oi.length; i += 4) if (oi[i]! >= 0) this.insert(oi[i]!, oi[i + 1]!, of[(i >>> 1) + 1]!);
  }
}
