/**
 * Exponential moving average as TensorBoard draws it: debiased so the first
 * points are not pulled towards zero; non-finite values pass through and do
 * not disturb the average.
 */
import { Column } from './column';

export class Ema {
  readonly out = new Column();
  private acc = 0;
  private count = 0;
  private cutsSeen = 0;

  constructor(readonly weight: number) {}

  /**
   * Smooths the points of `src` added since the last call. When values were
   * dropped from `src` since then (a replay replaced steps), the average is
   * recomputed from the start, so it never carries on from replaced values.
   */
  extend(src: Column): Float64Array {
    if (src.cuts !== this.cutsSeen) {
      this.cutsSeen = src.cuts;
      this.out.truncate(0);
      this.acc = 0;
      this.count = 0;
    }
    for (let i = this.out.length; i < src.length; i++) {
      const v = src.at(i);
      if (!Number.isFinite(v)) {
        this.out.push(v);
        continue;
      }
      this.acc = this.acc * this.weight + (1 - this.weight) * v;
      this.count++;
      this.out.push(this.weight === 0 ? v : this.acc / (1 - Math.pow(this.weight, this.count)));
    }
    return this.out.view();
  }
}

/** One-shot EMA of a plain array. */
export function ema(values: ArrayLike<number>, weight: number): Float64Array {
  const src = new Column(Math.max(1, values.length));
  for (let i = 0; i < values.length; i++) src.push(values[i]);
  return new Ema(weight).extend(src);
}
