/**
 * The per-epoch representation diagnostics as a fraction of an epoch, on the
 * default setup (convnet, batch 256, 2 views, 28x28x1 images, the monitor's
 * default 2,000 test images and 5,000-image memory bank) on wasm. The epoch is
 * the median training step, measured in the same run, times the steps of an
 * epoch of the full 60,000-image training split, and of the demo's 10,000. Goal: < 5%.
 */
import * as tf from '../src/trainer/backend/tf';
import { resolveConfig } from '../src/protocol/config';
import { makeViews } from '../src/trainer/augment';
import { initBackend } from '../src/trainer/backend/init';
import type { Dataset } from '../src/trainer/data/dataset';
import { measureRepresentation, monitorSubsets } from '../src/trainer/diagnostics/monitor';
import { buildModel, disposeModel, stepsPerEpoch, trainStep } from '../src/trainer/pretrain';
import { encodeHere } from '../src/trainer/models';
import { Rng } from '../src/trainer/rng';
import { median } from './matmul';

const SIDE = 28;

function randomSplit(count: number, rng: Rng) {
  const images = new Uint8Array(count * SIDE * SIDE);
  for (let i = 0; i < images.length; i++) images[i] = rng.int(256);
  return { images, labels: Int32Array.from({ length: count }, (_, i) => i % 10), count };
}

export default async function (print: (line: string) => void): Promise<void> {
  const backend = await initBackend('wasm');
  const rng = new Rng(1);
  const dataset: Dataset = {
    name: 'bench',
    classes: [...'0123456789'],
    height: SIDE,
    width: SIDE,
    channels: 1,
    mean: [0.5],
    std: [0.25],
    train: randomSplit(60_000, rng),
    test: randomSplit(10_000, rng),
  };
  const config = resolveConfig({});
  const model = buildModel(config, dataset);
  const batch = config.batchSize;
  const dims = { height: SIDE, width: SIDE, channels: 1 };
  const buffer = new Float32Array(batch * config.views * SIDE * SIDE);
  const steps: number[] = [];
  for (let s = 0; s < 4; s++) {
    const t0 = performance.now();
    const indices = Int32Array.from({ length: batch }, () => rng.int(dataset.train.count));
    const labels = Int32Array.from(indices, (i) => dataset.train.labels[i]);
    makeViews(dataset.train, dims, indices, config.views, config.augment, dataset, rng, buffer);
    const x = tf.tensor4d(buffer, [batch * config.views, SIDE, SIDE, 1]);
    const r = trainStep(model, config, x, labels, 0.01);
    await r.loss.data();
    tf.dispose([x, r.loss, r.posSim, r.negSim]);
    if (s > 0) steps.push((performance.now() - t0) / 1000);
  }
  const step = median(steps);
  const subsets = monitorSubsets(dataset, config.monitor.samples, config.monitor.bank, config.seed);
  const measured = { encode: encodeHere(model, dataset), head: model.head };
  await measureRepresentation(measured, config, dataset, subsets); // warm-up: kernel set-up
  const monitor = (await measureRepresentation(measured, config, dataset, subsets)).seconds;
  disposeModel(model);
  print(`${backend.label}; monitor on ${subsets.test.length} test images, ${subsets.bank.length}-image bank, 2 views for alignment`);
  print('| setup | steps/epoch | s/step | epoch s | diagnostics s | fraction of epoch |');
  print('|---|---|---|---|---|---|');
  for (const [name, train] of [
    ['default (60,000 train)', 60_000],
    ['demo (trainLimit 10,000)', 10_000],
  ] as const) {
    const perEpoch = stepsPerEpoch(train, batch);
    const epoch = perEpoch * step;
    print(`| ${name} | ${perEpoch} | ${step.toFixed(2)} | ${epoch.toFixed(0)} | ${monitor.toFixed(1)} | ${((100 * monitor) / epoch).toFixed(1)}% |`);
  }
}
