/**
 * One backend's training-step measurement, in its own process so backends
 * never share a tfjs engine: `tsx bench/trainWorker.ts BACKEND ENCODER BATCH STEPS WARMUP [THREADS]`
 * (THREADS > 1: the wasm backend's data-parallel worker pool, as a run with `threads` uses it).
 * Prints one JSON line: images/s, CPU seconds per step (all threads), achieved
 * GFLOP/s and the backend's matmul GFLOP/s.
 */
import * as tf from '../src/trainer/backend/tf';
import { resolveConfig, type BackendChoice } from '../src/protocol/config';
import { initBackend, releaseBackend } from '../src/trainer/backend/init';
import { makeViews } from '../src/trainer/augment';
import type { Dataset } from '../src/trainer/data/dataset';
import { TrainingPool } from '../src/trainer/parallel/pool';
import { buildModel, disposeModel, modelVariables, trainStep } from '../src/trainer/pretrain';
import { Rng } from '../src/trainer/rng';
import { matmulGflops } from './matmul';

const [backendName, encoder, batchArg, stepsArg, warmupArg, threadsArg = '1'] = process.argv.slice(2);
const [batch, steps, warmup, threads] = [batchArg, stepsArg, warmupArg, threadsArg].map(Number);

/** Multiply-adds of one forward pass, from the kernels tfjs actually ran. */
async function forwardFlops(run: () => tf.Tensor): Promise<number> {
  const info = await tf.profile(() => run());
  let macs = 0;
  for (const k of info.kernels) {
    const out = k.outputShapes[0] ?? [];
    const outSize = out.reduce((a, b) => a * (b ?? 1), 1);
    if (k.name === 'Conv2D' || k.name === 'FusedConv2D') {
      const f = k.inputShapes[1] as number[];
      macs += outSize * f[0] * f[1] * f[2];
    } else if (k.name === 'BatchMatMul' || k.name === '_FusedMatMul') {
      const a = k.inputShapes[0] as number[];
      macs += outSize * a[a.length - 1];
    }
  }
  return 2 * macs;
}

async function main(): Promise<void> {
  const backend = await initBackend(backendName as BackendChoice, threads);
  const side = 28;
  const count = Math.max(batch, 512);
  const rng = new Rng(1);
  const images = new Uint8Array(count * side * side);
  for (let i = 0; i < images.length; i++) images[i] = rng.int(256);
  const labels = Int32Array.from({ length: count }, (_, i) => i % 10);
  const dataset: Dataset = {
    name: 'bench',
    classes: [...'0123456789'],
    height: side,
    width: side,
    channels: 1,
    mean: [0.5],
    std: [0.25],
    train: { images, labels, count },
    test: { images, labels, count },
  };
  const config = resolveConfig({ encoder, batchSize: batch });
  const model = buildModel(config, dataset);
  const dims = { height: side, width: side, channels: 1 };
  const flops = 3 * (await forwardFlops(() => model.encoder.forward(tf.zeros([batch * 2, side, side, 1]), false)));
  const pool =
    threads > 1
      ? await TrainingPool.start({
          threads,
          config,
          shape: { height: side, width: side, channels: 1, classes: dataset.classes },
          batch,
          variables: [...modelVariables(model).values()],
          globalStep: 0,
        })
      : undefined;
  const buffer = pool?.input ?? new Float32Array(batch * 2 * side * side);
  const step = async (k: number) => {
    if (pool) {
      pool.labels.set(labels.subarray(0, batch));
      return pool.step(0.01, k);
    }
    const x = tf.tensor4d(buffer, [batch * 2, side, side, 1]);
    const r = trainStep(model, config, x, labels.subarray(0, batch), 0.01);
    await r.loss.data();
    tf.dispose([x, r.loss, r.posSim, r.negSim]);
  };
  const times: number[] = [];
  const cpu: number[] = [];
  for (let s = 0; s < warmup + steps; s++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const indices = Int32Array.from({ length: batch }, () => rng.int(count));
    makeViews(dataset.train, dims, indices, 2, config.augment, dataset, rng, buffer);
    await step(s);
    if (s >= warmup) {
      times.push((performance.now() - t0) / 1000);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1e6);
    }
  }
  await pool?.close();
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const cpuSeconds = cpu.sort((a, b) => a - b)[Math.floor(cpu.length / 2)];
  disposeModel(model);
  const matmul = await matmulGflops();
  console.log(JSON.stringify({ backend: backend.label, seconds: median, cpuSeconds, imagesPerSec: batch / median, gflops: flops / median / 1e9, matmulGflops: matmul }));
  await releaseBackend();
}

main().catch((e) => {
  console.log(JSON.stringify({ error: (e as Error).message }));
  process.exit(0);
});
