/**
 * Puts the series of several runs on one shared x axis for uPlot, which wants
 * a single x array per chart. Short series are joined exactly; long ones are
 * reduced to min and max per pixel bucket (in the order they occurred), so a
 * million points draw as ~2 points per pixel with every spike kept.
 */

export interface XY {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

export interface Aligned {
  x: number[];
  /** One array per input series, null where that series has no point. */
  ys: (number | null)[][];
  /** Raw points inside the range, summed over series. */
  pointsIn: number;
  exact: boolean;
}

const finite = (v: number): boolean => v === v && v !== Infinity && v !== -Infinity;

/** Smallest and largest x over every series, or undefined when all are empty. */
export function xExtent(series: XY[]): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    for (let i = 0; i < s.x.length; i++) {
      const v = s.x[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? [lo, hi] : undefined;
}

/**
 * Aligns `series` inside [range] (default: their whole extent) using at most
 * 2 * buckets x positions.
 */
export function alignSeries(series: XY[], buckets: number, range?: [number, number]): Aligned {
  const ext = range ?? xExtent(series);
  if (!ext || buckets < 1) return { x: [], ys: series.map(() => []), pointsIn: 0, exact: true };
  const [x0, x1] = ext;
  const xs = new Set<number>();
  let pointsIn = 0;
  for (const s of series) {
    for (let i = 0; i < s.x.length; i++) {
      const v = s.x[i];
      if (v < x0 || v > x1) continue;
      pointsIn++;
      if (xs.size <= 2 * buckets) xs.add(v);
    }
  }
  if (xs.size <= 2 * buckets)
    return exactJoin(
      series,
      [...xs].sort((a, b) => a - b),
      x0,
      x1,
      pointsIn,
    );
  return bucketJoin(series, x0, x1, buckets, pointsIn);
}

function exactJoin(series: XY[], x: number[], x0: number, x1: number, pointsIn: number): Aligned {
  const index = new Map<number, number>();
  x.forEach((v, i) => index.set(v, i));
  const ys = series.map((s) => {
    const y: (number | null)[] = new Array(x.length).fill(null);
    for (let i = 0; i < s.x.length; i++) {
      const v = s.x[i];
      if (v < x0 || v > x1) continue;
      const yi = s.y[i];
      y[index.get(v)!] = finite(yi) ? yi : null;
    }
    return y;
  });
  return { x, ys, pointsIn, exact: true };
}

function bucketJoin(series: XY[], x0: number, x1: number, buckets: number, pointsIn: number): Aligned {
  const width = (x1 - x0) / buckets || 1;
  const x: number[] = new Array(2 * buckets);
  for (let b = 0; b < buckets; b++) {
    x[2 * b] = x0 + (b + 0.25) * width;
    x[2 * b + 1] = x0 + (b + 0.75) * width;
  }
  const lo = new Float64Array(buckets);
  const hi = new Float64Array(buckets);
  const loAt = new Int32Array(buckets);
  const hiAt = new Int32Array(buckets);
  const ys = series.map((s) => {
    lo.fill(Infinity);
    hi.fill(-Infinity);
    for (let i = 0; i < s.x.length; i++) {
      const xv = s.x[i];
      const yv = s.y[i];
      if (xv < x0 || xv > x1 || !finite(yv)) continue;
      const b = Math.min(buckets - 1, ((xv - x0) / width) | 0);
      if (yv < lo[b]) {
        lo[b] = yv;
        loAt[b] = i;
      }
      if (yv > hi[b]) {
        hi[b] = yv;
        hiAt[b] = i;
      }
    }
    const y: (number | null)[] = new Array(2 * buckets).fill(null);
    for (let b = 0; b < buckets; b++) {
      if (lo[b] === Infinity) continue;
      if (lo[b] === hi[b]) {
        y[2 * b] = lo[b];
        continue;
      }
      const minFirst = loAt[b] <= hiAt[b];
      y[2 * b] = minFirst ? lo[b] : hi[b];
      y[2 * b + 1] = minFirst ? hi[b] : lo[b];
    }
    return y;
  });
  return { x, ys, pointsIn, exact: false };
}
