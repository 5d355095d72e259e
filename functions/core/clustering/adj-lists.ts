// Neighbour lists of the current units of average linkage.

/** Growable per-unit lists of neighbour ids in one pool (a list moves to the end when it outgrows its room). */
export class AdjLists {
  pool: Int32Array;
  start: Int32Array;
  len: Int32Array;
  private cap: Int32Array;
  private top = 0;
  constructor(degree: Int32Array) {
    const U = degree.length;
    this.start = new Int32Array(U);
    this.len = new Int32Array(U);
    this.cap = new Int32Array(U);
    let total = 0;
    for (let u = 0; u < U; u++) total += degree[u]!;
    this.pool = new Int32Array(Math.max(16, Math.ceil(total * 1.5)));
    for (let u = 0; u < U; u++) {
      this.start[u] = this.top;
      this.cap[u] = degree[u]!;
      this.top += degree[u]!;
    }
  }

  push(x: number, z: number): void {
    if (this.len[x] === this.cap[x]) {
      const cap = Math.max(4, this.cap[x]! * 2);
      if (this.top + cap > this.pool.length) {
        const next = new Int32Array(Math.max(this.pool.length * 2, this.top + cap));
        next.set(this.pool.subarray(0, this.top));
        this.pool = next;
      }
      this.pool.copyWithin(this.top, this.start[x]!, this.start[x]! + this.len[x]!);
      this.start[x] = this.top;
      this.cap[x] = cap;
      this.top += cap;
    }
    this.pool[this.start[x]! + this.len[x]!++] = z;
  }
}
