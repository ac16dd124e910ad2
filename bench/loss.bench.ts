/**
 * The supervised contrastive loss, forward and backward, at 1024 samples x 2
 * views x 128 dims, against the one [2048 x 128] x [128 x 2048] matMul it
 * cannot avoid. Target: fwd+bwd within 3x that matMul on wasm. Runs of the
 * two alternate, and the ratio is the median of each run's own ratio, so
 * that load from other processes hits both alike.
 */
import * as tf from '../src/trainer/backend/tf';
import { initBackend } from '../src/trainer/backend/init';
import { supConLoss, type SupConOptions } from '../src/trainer/losses';
import { median, timeMs } from './matmul';

const [BSZ, VIEWS, DIM] = [1024, 2, 128];

const cases: [string, Partial<SupConOptions>][] = [
  ['L_out, every view an anchor', {}],
  ['L_in', { variant: 'in' }],
  ['L_out, view 0 anchors', { contrastMode: 'one' }],
];

export default async function (print: (line: string) => void): Promise<void> {
  print(`supConLoss at ${BSZ} x ${VIEWS} views x ${DIM} dims, 10 classes; ms are medians`);
  print('| backend | loss | matMul ms | fwd ms | fwd+bwd ms | fwd+bwd / matMul |');
  print('|---|---|---|---|---|---|');
  for (const backend of ['wasm', 'cpu'] as const) {
    const info = await initBackend(backend);
    // the plain cpu backend needs seconds per run (and no compilation): the main case once
    const [warmups, runs] = backend === 'cpu' ? [0, 1] : [1, 9];
    for (const [name, options] of backend === 'cpu' ? cases.slice(0, 1) : cases) {
      const row = await measure(options, warmups, runs);
      print(`| ${info.label} | ${name} | ${row.matmul.toFixed(1)} | ${row.forward.toFixed(1)} | ${row.both.toFixed(1)} | ${row.ratio.toFixed(2)}x |`);
    }
  }
}

async function measure(options: Partial<SupConOptions>, warmups: number, runs: number): Promise<{ matmul: number; forward: number; both: number; ratio: number }> {
  const features = tf.tidy(() => {
    const x = tf.randomNormal([BSZ, VIEWS, DIM]);
    return x.div(x.norm('euclidean', 2, true)) as tf.Tensor3D;
  });
  const labels = tf.tidy(() => tf.range(0, BSZ, 1, 'int32').mod(10) as tf.Tensor1D);
  const rows = features.transpose([1, 0, 2]).reshape([VIEWS * BSZ, DIM]);
  const rowsT = rows.transpose();
  const valueAndGrad = tf.valueAndGrad((x) => supConLoss(x as tf.Tensor3D, labels, options));
  const work = {
    matmul: () => tf.matMul(rows, rowsT),
    forward: () => supConLoss(features, labels, options),
    both: () => {
      const { value, grad } = valueAndGrad(features);
      return [value, grad];
    },
  };
  const samples = { matmul: [] as number[], forward: [] as number[], both: [] as number[] };
  for (let i = 0; i < warmups + runs; i++) {
    for (const key of ['matmul', 'forward', 'both'] as const) {
      const ms = await timeMs(work[key]);
      if (i >= warmups) samples[key].push(ms);
    }
  }
  tf.dispose([features, labels, rows, rowsT]);
  const ratio = median(samples.both.map((ms, i) => ms / samples.matmul[i]));
  return { matmul: median(samples.matmul), forward: median(samples.forward), both: median(samples.both), ratio };
}
