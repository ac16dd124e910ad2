/** A growable Float64Array: series of a million points without boxed numbers. */
export class Column {
  private buf: Float64Array;
  length = 0;
  /** Counts truncations that dropped values, so views derived from the column know to recompute. */
  cuts = 0;

  constructor(capacity = 256) {
    this.buf = new Float64Array(capacity);
  }

  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }

  at(i: number): number {
    return this.buf[i];
  }

  last(): number | undefined {
    return this.length ? this.buf[this.length - 1] : undefined;
  }

  /** Keeps the first `n` values. */
  truncate(n: number): void {
    if (n < this.length) this.cuts++;
    this.length = Math.min(this.length, n);
  }

  /** First index whose value is >= v, for a column in ascending order. */
  lowerBound(v: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.buf[mid] < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The filled part, without a copy. */
  view(): Float64Array {
    return this.buf.subarray(0, this.length);
  }
}
