/**
 * The fp32 matrix-multiply rate of a backend, the yardstick the other
 * benches divide by, and the timing helper they share.
 */
import * as tf from '../src/trainer/backend/tf';

/** Wall time in ms of one run of f, its result read back so that GPU work counts. */
export async function timeMs(f: () => tf.Tensor | tf.Tensor[]): Promise<number> {
  const t0 = performance.now();
  const out = f();
  const list = Array.isArray(out) ? out : [out];
  await Promise.all(list.map((t) => t.data()));
  const ms = performance.now() - t0;
  tf.dispose(list);
  return ms;
}

export function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

/** Median ms of f after one warm-up run: `minRuns` runs, more while under `budgetMs`. */
export async function medianMs(f: () => tf.Tensor | tf.Tensor[], minRuns = 5, budgetMs = 3000): Promise<number> {
  await timeMs(f);
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minRuns || (times.length < 4 * minRuns && performance.now() - start < budgetMs)) times.push(await timeMs(f));
  return median(times);
}

/** GFLOP/s of a 1024 x 1024 by 1024 x 1024 matMul on `backend` (default: the current one). */
export async function matmulGflops(backend?: string): Promise<number> {
  const previous = tf.getBackend();
  if (backend && backend !== previous) await tf.setBackend(backend);
  const n = 1024;
  const [a, b] = [tf.randomUniform([n, n]), tf.randomUniform([n, n])];
  try {
    return (2 * n ** 3) / (await medianMs(() => tf.matMul(a, b), 3)) / 1e6;
  } finally {
    tf.dispose([a, b]);
    if (tf.getBackend() !== previous) await tf.setBackend(previous);
  }
}
