// Priority queue of candidate merges for average linkage.

/**
 * Max-heap of (priority, x, y, versionX, versionY) in parallel typed arrays (no tuple per entry);
 * ties broken by smaller x then y.
 */
export class LinkHeap {
  private p = new Float64Array(1024);
  private x = new Int32Array(1024);
  private y = new Int32Array(1024);
  private vx = new Int32Array(1024);
  private vy = new Int32Array(1024);
  size = 0;
  /** The entry last popped. */
  top = { p: 0, x: 0, y: 0, vx: 0, vy: 0 };

  private less(i: number, j: number): boolean {
    const pi = this.p[i]!;
    const pj = this.p[j]!;
    if (pi !== pj) return pi > pj;
    if (this.x[i] !== this.x[j]) return this.x[i]! < this.x[j]!;
    return this.y[i]! < this.y[j]!;
  }

  private grow(): void {
    const g = <T extends Float64Array | Int32Array>(a: T, b: T): T => (b.set(a), b);
    const cap = this.p.length * 2;
    this.p = g(this.p, new Float64Array(cap));
    this.x = g(this.x, new Int32Array(cap));
    this.y = g(this.y, new Int32Array(cap));
    this.vx = g(this.vx, new Int32Array(cap));
    this.vy = g(this.vy, new Int32Array(cap));
  }

  /** Entry (p, x, y) sorts before slot j. */
  private before(p: number, x: number, y: number, j: number): boolean {
    const pj = this.p[j]!;
    if (p !== pj) return p > pj;
    if (x !== this.x[j]) return x < this.x[j]!;
    return y < this.y[j]!;
  }

  private set(i: number, p: number, x: number, y: number, vx: number, vy: number): void {
    this.p[i] = p;
    this.x[i] = x;
    this.y[i] = y;
    this.vx[i] = vx;
    this.vy[i] = vy;
  }

  /** Places (p, x, y, vx, vy) from hole i downwards (children that sort before it move up). */
  private siftDown(i: number, p: number, x: number, y: number, vx: number, vy: number): void {
    const n = this.size;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(r, l) ? r : l;
      if (!this.childFirst(c, p, x, y)) break;
      this.set(i, this.p[c]!, this.x[c]!, this.y[c]!, this.vx[c]!, this.vy[c]!);
      i = c;
    }
    this.set(i, p, x, y, vx, vy);
  }

  /** Slot c sorts before entry (p, x, y). */
  private childFirst(c: number, p: number, x: number, y: number): boolean {
    const pc = this.p[c]!;
    if (pc !== p) return pc > p;
    if (this.x[c] !== x) return this.x[c]! < x;
    return this.y[c]! < y;
  }

  /** Adds an entry without keeping heap order; `heapify` restores it (for the initial bulk load). */
  append(p: number, x: number, y: number, vx: number, vy: number): void {
    if (this.size === this.p.length) this.grow();
    this.set(this.size++, p, x, y, vx, vy);
  }

  heapify(): void {
    for (let i = (this.size >> 1) - 1; i >= 0; i--) this.siftDown(i, this.p[i]!, this.x[i]!, this.y[i]!, this.vx[i]!, this.vy[i]!);
  }

  push(p: number, x: number, y: number, vx: number, vy: number): void {
    if (this.size === this.p.length) this.grow();
    let i = this.size++;
    while (i > 0) {
      const q = (i - 1) >> 1;
      if (!this.before(p, x, y, q)) break;
      this.set(i, this.p[q]!, this.x[q]!, this.y[q]!, this.vx[q]!, this.vy[q]!);
      i = q;
    }
    this.set(i, p, x, y, vx, vy);
  }

  /** Pops the top entry into `top`; false when empty. */
  pop(): boolean {
    if (this.size === 0) return false;
    const t = this.top;
    t.p = this.p[0]!;
    t.x = this.x[0]!;
    t.y = this.y[0]!;
    t.vx = this.vx[0]!;
    t.vy = this.vy[0]!;
    const n = --this.size;
    if (n > 0) this.siftDown(0, this.p[n]!, this.x[n]!, this.y[n]!, this.vx[n]!, this.vy[n]!);
    return true;
  }
}
